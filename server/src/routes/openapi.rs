use axum::{http::header, response::IntoResponse};

/// The OpenAPI 3.1 description of the API (kept beside the code, checked by a test).
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
