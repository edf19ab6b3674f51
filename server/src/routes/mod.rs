//! The router: every path of the service, its layers, and its fallbacks.

mod account;
mod caller;
mod email_change;
mod health;
mod links;
mod local_outbox;
mod openapi;
mod password_requests;
mod register;
pub mod support_api;

use std::time::Duration;

use account_api::error::ErrorCode;
use axum::{
    error_handling::HandleErrorLayer,
    extract::DefaultBodyLimit,
    http::StatusCode,
    routing::{delete, get, post, put, MethodRouter},
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

/// Every API route, once: the router is built from it, and the OpenAPI test compares
/// the document with it. Paths are absolute; methods in lower case, as OpenAPI has them.
fn api_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("get", "/health/live", get(health::live)),
        ("get", "/health/ready", get(health::ready)),
        ("get", "/api/v1/openapi.json", get(openapi::document)),
        ("post", "/api/v1/accounts", post(register::register)),
        (
            "post",
            "/api/v1/password-requests",
            post(password_requests::request_password),
        ),
        ("post", "/api/v1/links", post(links::link)),
        ("delete", "/api/v1/link", delete(links::unlink_this_machine)),
        ("get", "/api/v1/account", get(account::read)),
        ("put", "/api/v1/account", put(account::edit)),
        (
            "post",
            "/api/v1/account/email-confirmation",
            post(email_change::confirm),
        ),
        (
            "delete",
            "/api/v1/account/email-change",
            delete(email_change::cancel),
        ),
        (
            "post",
            "/api/v1/account/machines/{machine_id}/unlink",
            post(account::unlink_other_machine),
        ),
        ("get", "/api/v1/support/accounts", get(support_api::find)),
        (
            "get",
            "/api/v1/support/accounts/{customer_id}",
            get(support_api::account),
        ),
        (
            "get",
            "/api/v1/support/accounts/{customer_id}/balance",
            get(support_api::balance),
        ),
        (
            "post",
            "/api/v1/support/accounts/{customer_id}/support-calls",
            post(support_api::log_support_call),
        ),
        // The name before the glossary's "support call"; deprecated in the document.
        (
            "post",
            "/api/v1/support/accounts/{customer_id}/sessions",
            post(support_api::log_support_call),
        ),
    ]
}

/// Every (method, path) the API serves, from the table the router is built from.
pub fn api_paths() -> Vec<(&'static str, &'static str)> {
    api_routes()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in api_routes() {
        // Two methods of one path (GET and PUT /account) merge into one route.
        router = router.route(path, handler);
    }
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
