//! The HTTP API: its route table and handlers. The whole service's router (with the
//! console, layers and fallbacks) is assembled in `crate::router`.

mod account;
mod caller;
mod email_change;
mod enrollment_keys;
mod health;
mod links;
mod local_outbox;
mod openapi;
mod password_requests;
mod register;
pub mod support_api;

use axum::{
    routing::{delete, get, post, put, MethodRouter},
    Router,
};

use crate::state::AppState;

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
        (
            "post",
            "/api/v1/enrollment-links",
            post(links::link_with_key),
        ),
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
        (
            "post",
            "/api/v1/account/machines/unlink-stale",
            post(account::unlink_stale_machines),
        ),
        (
            "get",
            "/api/v1/account/enrollment-keys",
            get(enrollment_keys::list),
        ),
        (
            "post",
            "/api/v1/account/enrollment-keys",
            post(enrollment_keys::create),
        ),
        (
            "delete",
            "/api/v1/account/enrollment-keys/{key_id}",
            delete(enrollment_keys::revoke),
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
        (
            "get",
            "/api/v1/support/accounts/{customer_id}/enrollment-keys",
            get(support_api::enrollment_keys),
        ),
        (
            "post",
            "/api/v1/support/accounts/{customer_id}/enrollment-keys",
            post(support_api::create_enrollment_key),
        ),
        (
            "delete",
            "/api/v1/support/accounts/{customer_id}/enrollment-keys/{key_id}",
            delete(support_api::revoke_enrollment_key),
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

/// The API (and, with the file transport on loopback, the local outbox page).
pub fn api(local_outbox: bool) -> Router<AppState> {
    let mut router = Router::new();
    for (_, path, handler) in api_routes() {
        // Two methods of one path (GET and PUT /account) merge into one route.
        router = router.route(path, handler);
    }
    if local_outbox {
        router = router.route("/outbox", get(local_outbox::page));
    }
    router
}
