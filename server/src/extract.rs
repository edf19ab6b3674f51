//! Extractors whose rejections answer in the API's one error shape.

use std::net::{IpAddr, SocketAddr};

use account_api::error::ErrorCode;
use axum::{
    extract::{
        rejection::{JsonRejection, PathRejection, QueryRejection},
        ConnectInfo, FromRequest, FromRequestParts, Request,
    },
    http::{header, request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;

use crate::{error::ApiError, state::AppState};

/// `axum::Json`, but a body that is not the expected JSON gets our error shape.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let (code, status) = match &rejection {
        JsonRejection::MissingJsonContentType(_) => (
            ErrorCode::UnsupportedMediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE)
        }
        _ => (ErrorCode::InvalidJson, StatusCode::BAD_REQUEST),
    };
    // serde's message names the missing or mistyped field, never a value.
    ApiError::BadRequest {
        code,
        status,
        message: rejection.body_text(),
    }
}

/// `axum::extract::Path`, but a path segment that is not what the route expects (bytes
/// that are not UTF-8, a wrong type) gets our error shape: 404 `not_found`, since no
/// such resource can exist.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    match rejection {
        // A route without this parameter: a mistake of ours, not the caller's.
        PathRejection::MissingPathParams(_) => {
            ApiError::Unexpected(anyhow::anyhow!("{}", rejection.body_text()))
        }
        _ => ApiError::BadRequest {
            code: ErrorCode::NotFound,
            status: StatusCode::NOT_FOUND,
            message: "no such resource".into(),
        },
    }
}

/// `axum::extract::Query`, but a query string that does not fit (a parameter twice, bytes
/// that are not UTF-8, a wrong type) gets our error shape: 400 `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::InvalidQuery,
        status: StatusCode::BAD_REQUEST,
        // serde's message names the parameter, never a value.
        message: rejection.body_text(),
    }
}

/// The machine token from `Authorization: Bearer …`, if the request has one.
pub struct BearerToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(BearerToken(None));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::NotLinked)?;
        Ok(BearerToken(Some(token.to_owned())))
    }
}

/// The client's network, as the attempt limits see it: the address of the peer (or the
/// right-most X-Forwarded-For entry behind a trusted proxy); for IPv6 its /64, which is
/// what one site usually gets.
#[derive(Debug, Clone)]
pub struct ClientNetwork(pub String);

impl FromRequestParts<AppState> for ClientNetwork {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .and_then(|v| v.trim().parse::<IpAddr>().ok())
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let ip = forwarded.or(peer).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientNetwork(network_of(ip)))
    }
}

fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        assert_eq!(network_of("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(network_of("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
