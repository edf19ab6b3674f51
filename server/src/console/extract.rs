//! The console's own extractors. A request its pages never send — a path or query that
//! is not text, a parameter twice, a wrong type, a form that is not one — gets an error
//! page in the browser's language, like every other console error, instead of axum's
//! plain-text rejection.

use account_api::domain::Language;
use axum::{
    extract::{Form, FromRequest, FromRequestParts, Path, Query, Request},
    http::{header, request::Parts, HeaderMap},
};
use serde::de::DeserializeOwned;

use super::ConsoleError;

/// The language of someone not logged in: the browser's first choice of ours.
pub fn browser_language(headers: &HeaderMap) -> Language {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in accept.split(',') {
        let tag = tag.split(';').next().unwrap_or("").trim().to_lowercase();
        if tag.starts_with("fr") {
            return Language::Fr;
        }
        if tag.starts_with("en") {
            return Language::En;
        }
    }
    Language::Fr
}

/// `Path`, answering "no such page" when a segment does not fit.
pub struct ConsolePath<T>(pub T);

impl<T, S> FromRequestParts<S> for ConsolePath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ConsolePath(value)),
            Err(_) => Err(ConsoleError::NotFound(browser_language(&parts.headers))),
        }
    }
}

/// `Query`, answering "this request is not understood" when the query does not fit.
pub struct ConsoleQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ConsoleQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ConsoleQuery(value)),
            Err(rejection) => Err(ConsoleError::BadRequest {
                status: rejection.status(),
                language: browser_language(&parts.headers),
            }),
        }
    }
}

/// `Form`, answering "this request is not understood" when the body is not the form.
pub struct ConsoleForm<T>(pub T);

impl<T, S> FromRequest<S> for ConsoleForm<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let language = browser_language(req.headers());
        match Form::<T>::from_request(req, state).await {
            Ok(Form(value)) => Ok(ConsoleForm(value)),
            Err(rejection) => Err(ConsoleError::BadRequest {
                status: rejection.status(),
                language,
            }),
        }
    }
}
