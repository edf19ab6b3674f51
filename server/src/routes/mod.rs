//! The router: every path of the service, its layers, and its fallbacks.

mod account;
pub mod common;
mod email_change;
mod health;
mod links;
mod local_outbox;
mod openapi;
mod passwords;
pub mod support_api;

use std::time::Duration;

use account_api::error::ErrorCode;
use axum::{
    error_handling::HandleErrorLayer,
    extract::DefaultBodyLimit,
    http::StatusCode,
    routing::{get, post},
    BoxError, Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{error::ApiError, state::AppState};

/// Requests are small forms; anything bigger is a mistake or an attack.
const BODY_LIMIT: usize = 16 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every path the service answers, for the OpenAPI document's test.
pub const API_PATHS: &[(&str, &str)] = &[
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/password-requests"),
    ("post", "/api/v1/links"),
    ("delete", "/api/v1/link"),
    ("get", "/api/v1/account"),
    ("put", "/api/v1/account"),
    ("post", "/api/v1/account/email-confirmation"),
    ("delete", "/api/v1/account/email-change"),
    ("post", "/api/v1/account/machines/{machine_id}/unlink"),
    ("get", "/api/v1/support/accounts"),
    ("get", "/api/v1/support/accounts/{customer_id}"),
    ("get", "/api/v1/support/accounts/{customer_id}/balance"),
    ("post", "/api/v1/support/accounts/{customer_id}/sessions"),
];

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/accounts", post(passwords::register))
        .route("/password-requests", post(passwords::request_password))
        .route("/links", post(links::link))
        .route("/link", axum::routing::delete(links::unlink_this_machine))
        .route("/account", get(account::read).put(account::edit))
        .route("/account/email-confirmation", post(email_change::confirm))
        .route(
            "/account/email-change",
            axum::routing::delete(email_change::cancel),
        )
        .route(
            "/account/machines/{machine_id}/unlink",
            post(account::unlink_other_machine),
        )
        .route("/support/accounts", get(support_api::find))
        .route("/support/accounts/{customer_id}", get(support_api::account))
        .route(
            "/support/accounts/{customer_id}/balance",
            get(support_api::balance),
        )
        .route(
            "/support/accounts/{customer_id}/sessions",
            post(support_api::log_session),
        );
    let mut router = Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .nest("/api/v1", api);
    if state.local_outbox.is_some() {
        router = router.route("/outbox", get(local_outbox::page));
    }
    router = router.merge(crate::console::router());
    router
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
                .timeout(REQUEST_TIMEOUT),
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
