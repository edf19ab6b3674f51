use account_api::wire::Health;
use axum::{extract::State, Json};

use crate::{error::ApiError, storage::Storage};

/// The process is up.
pub async fn live() -> Json<Health> {
    Json(health())
}

/// The service can serve: its database answers.
pub async fn ready(State(storage): State<Storage>) -> Result<Json<Health>, ApiError> {
    storage
        .ping()
        .await
        .map_err(|_| ApiError::ServiceUnavailable)?;
    Ok(Json(health()))
}

fn health() -> Health {
    Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}
