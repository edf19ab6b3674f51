//! The support console: server-rendered pages where agents find an account from what a
//! caller says, log support time, add credit, correct entries, and (admins) unlink
//! machines. Every form carries its log-in's CSRF token; every destructive action has a
//! confirmation page. Admins also create and revoke a customer's enrollment keys and unlink
//! the computers not seen for N days. Pages are in French or English, the agent's choice.

mod auth;
mod extract;
mod handlers;
mod pages;
mod session;

use std::sync::{Arc, OnceLock};

use account_api::domain::Language;
use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, MethodRouter},
    Router,
};
use tower_http::set_header::SetResponseHeaderLayer;

pub use session::{Agent, SESSION_COOKIE};

use crate::{state::AppState, storage::StorageError};

/// Pages refuse scripts, frames and anything from elsewhere; forms post only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every console route, once: the router is built from it, and the tests compare their
/// own list of the console's pages with it. Methods in upper case.
fn console_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/", get(|| async { Redirect::to("/console/") })),
        (
            "GET",
            "/console",
            get(|| async { Redirect::to("/console/") }),
        ),
        ("GET", "/console/", get(handlers::find)),
        ("GET", "/console/login", get(auth::login_page)),
        ("POST", "/console/login", post(auth::log_in)),
        ("POST", "/console/logout", post(auth::log_out)),
        ("GET", "/console/password", get(auth::password_page)),
        ("POST", "/console/password", post(auth::change_password)),
        ("GET", "/console/console.css", get(stylesheet)),
        (
            "GET",
            "/console/accounts/{customer_id}",
            get(handlers::account),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/support-calls",
            post(handlers::log_support_call),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/timer/start",
            post(handlers::start_timer),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/timer/stop",
            post(handlers::stop_timer),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/credits",
            post(handlers::add_credit),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/notes",
            post(handlers::add_note),
        ),
        (
            "GET",
            "/console/accounts/{customer_id}/entries/{entry_id}/correct",
            get(handlers::confirm_correction),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/entries/{entry_id}/correct",
            post(handlers::correct),
        ),
        (
            "GET",
            "/console/accounts/{customer_id}/password-request",
            get(handlers::confirm_password_request),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/password-request",
            post(handlers::send_password_request),
        ),
        (
            "GET",
            "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
            get(handlers::confirm_unlink),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
            post(handlers::unlink),
        ),
        (
            "GET",
            "/console/accounts/{customer_id}/machines/unlink-stale",
            get(handlers::confirm_unlink_stale),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/machines/unlink-stale",
            post(handlers::unlink_stale),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/enrollment-keys",
            post(handlers::create_enrollment_key),
        ),
        (
            "GET",
            "/console/accounts/{customer_id}/enrollment-keys/{key_id}/revoke",
            get(handlers::confirm_revoke_enrollment_key),
        ),
        (
            "POST",
            "/console/accounts/{customer_id}/enrollment-keys/{key_id}/revoke",
            post(handlers::revoke_enrollment_key),
        ),
        ("GET", "/console/export", get(handlers::export_page)),
        ("GET", "/console/export.csv", get(handlers::export_csv)),
    ]
}

/// Every (method, path) the console serves, from the table its router is built from.
pub fn console_paths() -> Vec<(&'static str, &'static str)> {
    console_routes()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (_, path, handler) in console_routes() {
        router = router.route(path, handler);
    }
    router
        .layer(middleware::from_fn(in_the_agents_language))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("console.css"),
    )
        .into_response()
}

/// Where the `Agent` extractor leaves the agent's language for the error page of a
/// failure that does not know it (the database is down, something unexpected).
#[derive(Clone, Default)]
pub(crate) struct LanguageSlot(Arc<OnceLock<Language>>);

impl LanguageSlot {
    pub(crate) fn set(&self, language: Language) {
        let _ = self.0.set(language);
    }
}

/// An error page whose language the error did not know: rendered here, in the agent's
/// language if a logged-in agent made the request, else the browser's.
#[derive(Clone)]
struct UntoldProblem {
    fr: &'static str,
    en: &'static str,
}

async fn in_the_agents_language(mut request: Request, next: Next) -> Response {
    let slot = LanguageSlot::default();
    let browser = extract::browser_language(request.headers());
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    let Some(problem) = response.extensions().get::<UntoldProblem>().cloned() else {
        return response;
    };
    let language = slot.0.get().copied().unwrap_or(browser);
    let (parts, _) = response.into_parts();
    let page = pages::problem(language, t(language, problem.fr, problem.en));
    (parts, page).into_response()
}

/// French and English side by side at each use: a missing translation cannot hide.
pub fn t(language: Language, fr: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// What can go wrong in the console, shown as a page in the agent's language.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// Not logged in, or the log-in ended: back to the log-in page.
    #[error("not logged in")]
    LoggedOut { expired: bool },
    #[error("the form's CSRF token is missing or wrong")]
    Csrf(Language),
    #[error("this action is for administrators")]
    AdminOnly(Language),
    #[error("no such account")]
    AccountNotFound(Language),
    #[error("no such ledger entry")]
    EntryNotFound(Language),
    #[error("no such machine")]
    MachineNotFound(Language),
    #[error("no such enrollment key in force")]
    EnrollmentKeyNotFound(Language),
    /// A path no console page has.
    #[error("no such page")]
    NotFound(Language),
    /// A query or form the console's pages never send.
    #[error("request not understood")]
    BadRequest {
        status: StatusCode,
        language: Language,
    },
    #[error("too many attempts")]
    RateLimited {
        retry_after_seconds: u64,
        language: Language,
    },
    #[error("the service cannot answer right now")]
    Unavailable,
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl ConsoleError {
    /// The same error, told in `language` (for pages shown before the agent is known).
    pub fn told_in(self, language: Language) -> Self {
        match self {
            ConsoleError::RateLimited {
                retry_after_seconds,
                ..
            } => ConsoleError::RateLimited {
                retry_after_seconds,
                language,
            },
            other => other,
        }
    }
}

impl From<StorageError> for ConsoleError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                ConsoleError::Unavailable
            }
            other => ConsoleError::Unexpected(other.into()),
        }
    }
}

impl From<crate::secrets::HashError> for ConsoleError {
    fn from(err: crate::secrets::HashError) -> Self {
        ConsoleError::Unexpected(err.into())
    }
}

impl From<crate::error::ApiError> for ConsoleError {
    fn from(err: crate::error::ApiError) -> Self {
        match err {
            crate::error::ApiError::RateLimited {
                retry_after_seconds,
            } => ConsoleError::RateLimited {
                retry_after_seconds,
                language: Language::default(),
            },
            crate::error::ApiError::ServiceUnavailable => ConsoleError::Unavailable,
            other => ConsoleError::Unexpected(anyhow::anyhow!("{other}")),
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, language, fr, en) = match &self {
            ConsoleError::LoggedOut { expired } => {
                let to = if *expired {
                    "/console/login?expired=1"
                } else {
                    "/console/login"
                };
                return Redirect::to(to).into_response();
            }
            ConsoleError::Csrf(l) => (
                StatusCode::FORBIDDEN,
                *l,
                "Ce formulaire a expiré ou ne vient pas de la console. Rechargez la page et recommencez.",
                "This form has expired or did not come from the console. Reload the page and try again.",
            ),
            ConsoleError::AdminOnly(l) => (
                StatusCode::FORBIDDEN,
                *l,
                "Cette action est réservée aux administrateurs.",
                "This action is for administrators only.",
            ),
            ConsoleError::AccountNotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                "Aucun compte client ne porte ce numéro.",
                "No customer account has this number.",
            ),
            ConsoleError::EntryNotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                "Cette écriture n'existe pas sur ce compte.",
                "This entry does not exist on this account.",
            ),
            ConsoleError::MachineNotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                "Cet ordinateur n'est pas (ou plus) lié à ce compte.",
                "This computer is not (or no longer) linked to this account.",
            ),
            ConsoleError::EnrollmentKeyNotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                "Cette clé d'enrôlement n'existe pas sur ce compte, ou n'est plus en vigueur.",
                "This enrollment key does not exist on this account, or is no longer in force.",
            ),
            ConsoleError::NotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                "Cette page n'existe pas. Revenez à la recherche.",
                "This page does not exist. Go back to the search.",
            ),
            ConsoleError::BadRequest { status, language } => (
                *status,
                *language,
                "Cette demande n'est pas comprise. Revenez à la page précédente et recommencez.",
                "This request is not understood. Go back to the previous page and try again.",
            ),
            ConsoleError::RateLimited {
                retry_after_seconds,
                language,
            } => {
                let minutes = retry_after_seconds.div_ceil(60).max(1);
                let message = match language {
                    Language::Fr => format!(
                        "Trop de tentatives de connexion. Réessayez dans {minutes} min."
                    ),
                    Language::En => {
                        format!("Too many log-in attempts. Try again in {minutes} min.")
                    }
                };
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, retry_after_seconds.to_string())],
                    pages::problem(*language, &message),
                )
                    .into_response();
            }
            ConsoleError::Unavailable => {
                return untold(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Le service ne peut pas répondre pour le moment. Réessayez dans un instant.",
                    "The service cannot answer right now. Try again in a moment.",
                )
            }
            ConsoleError::Unexpected(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "console: unexpected error");
                return untold(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Une erreur inattendue s'est produite ; rien n'a été enregistré.",
                    "An unexpected error occurred; nothing was saved.",
                );
            }
        };
        (status, pages::problem(language, t(language, fr, en))).into_response()
    }
}

/// A problem page for `in_the_agents_language` to write.
fn untold(status: StatusCode, fr: &'static str, en: &'static str) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(UntoldProblem { fr, en });
    response
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, extract::Extension, http::Request, routing::get, Router};
    use tower::ServiceExt as _;

    use super::*;

    async fn page(router: Router, accept_language: &str) -> (StatusCode, String) {
        let request = Request::get("/")
            .header(header::ACCEPT_LANGUAGE, accept_language)
            .body(Body::empty())
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn an_unexpected_error_speaks_the_agents_language_else_the_browsers() {
        // As if the `Agent` extractor had found an English-speaking agent.
        let english_agent = Router::new()
            .route(
                "/",
                get(|Extension(slot): Extension<LanguageSlot>| async move {
                    slot.set(Language::En);
                    ConsoleError::Unavailable
                }),
            )
            .layer(middleware::from_fn(in_the_agents_language));
        let (status, body) = page(english_agent, "fr-FR").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            body.contains("The service cannot answer right now"),
            "{body}"
        );

        // Nobody logged in: the browser's language.
        let nobody = Router::new()
            .route(
                "/",
                get(|| async { ConsoleError::Unexpected(anyhow::anyhow!("boom")) }),
            )
            .layer(middleware::from_fn(in_the_agents_language));
        let (status, body) = page(nobody.clone(), "en-GB,en;q=0.8").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("An unexpected error occurred"), "{body}");
        let (_, body) = page(nobody, "fr").await;
        assert!(body.contains("Une erreur inattendue"), "{body}");
    }
}
