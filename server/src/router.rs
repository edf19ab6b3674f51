//! The service's one router: the API and the console side by side, with the layers every
//! request goes through and the answers for paths and methods nobody serves.

use std::time::Duration;

use account_api::error::ErrorCode;
use axum::{
    error_handling::HandleErrorLayer, extract::DefaultBodyLimit, http::StatusCode, BoxError, Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{console, error::ApiError, routes, state::AppState};

/// Requests are small forms; anything bigger is a mistake or an attack.
const BODY_LIMIT: usize = 16 * 1024;

/// Every route of the service, with the layers each request goes through; a request not
/// answered within `request_timeout` gets `timeout`.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    routes::api(state.local_outbox.is_some())
        .merge(console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                // Logs method, path, status and time: never headers or bodies.
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(CatchPanicLayer::custom(|_| {
                    axum::response::IntoResponse::into_response(ApiError::Unexpected(
                        anyhow::anyhow!("a handler panicked"),
                    ))
                }))
                .layer(HandleErrorLayer::new(timed_out))
                .timeout(request_timeout),
        )
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::NotFound,
        status: StatusCode::NOT_FOUND,
        message: "no such resource".into(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::MethodNotAllowed,
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "this resource does not take this method".into(),
    }
}

async fn timed_out(err: BoxError) -> ApiError {
    if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::BadRequest {
            code: ErrorCode::Timeout,
            status: StatusCode::REQUEST_TIMEOUT,
            message: "the request took too long".into(),
        }
    } else {
        ApiError::Unexpected(anyhow::anyhow!("middleware error: {err}"))
    }
}
