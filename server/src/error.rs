//! The API's error enum and its one JSON shape (`account_api::error::ApiErrorBody`).

use account_api::{
    domain::Invalid,
    error::{ApiErrorBody, ErrorCode, FieldError},
};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use crate::{secrets::HashError, storage::StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{message}")]
    BadRequest {
        code: ErrorCode,
        status: StatusCode,
        message: String,
    },
    /// The machine's description, sent by the app, is malformed.
    #[error("{field}: {message}")]
    InvalidMachine { field: String, message: String },
    #[error("this machine is not linked")]
    NotLinked,
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_seconds} s")]
    RateLimited { retry_after_seconds: u64 },
    #[error("the account was changed elsewhere; reload it")]
    ChangedElsewhere,
    #[error("this machine is linked to another customer account")]
    MachineLinkedElsewhere,
    #[error("this e-mail address cannot be used for this account")]
    EmailUnavailable,
    #[error("no such machine among this account's linked machines")]
    MachineNotFound,
    #[error("this code is wrong or no longer valid")]
    EmailCodeInvalid,
    #[error("{0}")]
    EnrollmentKey(KeyRefusal),
    #[error("no enrollment key of this account has this id")]
    EnrollmentKeyNotFound,
    #[error("the service cannot answer right now")]
    ServiceUnavailable,
    /// Anything we did not expect: logged with its cause, answered without it.
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, invalid: Invalid) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, invalid)])
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                errors
                    .first()
                    .and_then(|e| ErrorCode::parse(&e.code))
                    .unwrap_or(ErrorCode::Unexpected),
            ),
            ApiError::BadRequest { code, status, .. } => (*status, *code),
            ApiError::InvalidMachine { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidMachine)
            }
            ApiError::NotLinked => (StatusCode::UNAUTHORIZED, ErrorCode::NotLinked),
            ApiError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::ChangedElsewhere => (StatusCode::CONFLICT, ErrorCode::ChangedElsewhere),
            ApiError::MachineLinkedElsewhere => {
                (StatusCode::CONFLICT, ErrorCode::MachineLinkedElsewhere)
            }
            ApiError::EmailUnavailable => (StatusCode::CONFLICT, ErrorCode::EmailUnavailable),
            ApiError::MachineNotFound => (StatusCode::NOT_FOUND, ErrorCode::MachineNotFound),
            ApiError::EmailCodeInvalid => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::EmailCodeInvalid,
            ),
            ApiError::EnrollmentKey(refusal) => refusal.status_and_code(),
            ApiError::EnrollmentKeyNotFound => {
                (StatusCode::NOT_FOUND, ErrorCode::EnrollmentKeyNotFound)
            }
            ApiError::ServiceUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
            ),
            ApiError::Unexpected(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Unexpected),
        }
    }
}

/// Why an enrollment key links nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    #[error("this enrollment key is wrong")]
    Invalid,
    #[error("this enrollment key has expired")]
    Expired,
    #[error("every use of this enrollment key is taken")]
    UsedUp,
    #[error("this enrollment key was revoked")]
    Revoked,
}

impl KeyRefusal {
    fn status_and_code(self) -> (StatusCode, ErrorCode) {
        match self {
            KeyRefusal::Invalid => (StatusCode::UNAUTHORIZED, ErrorCode::EnrollmentKeyInvalid),
            KeyRefusal::Expired => (StatusCode::FORBIDDEN, ErrorCode::EnrollmentKeyExpired),
            KeyRefusal::UsedUp => (StatusCode::FORBIDDEN, ErrorCode::EnrollmentKeyUsedUp),
            KeyRefusal::Revoked => (StatusCode::FORBIDDEN, ErrorCode::EnrollmentKeyRevoked),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Unexpected(cause) = &self {
            tracing::error!(error = %format!("{cause:#}"), "unexpected error");
        }
        let (field, errors) = match &self {
            ApiError::Invalid(errors) => (errors.first().map(|e| e.field.clone()), errors.clone()),
            ApiError::EmailUnavailable => (Some("email".to_owned()), Vec::new()),
            ApiError::EmailCodeInvalid => (Some("code".to_owned()), Vec::new()),
            ApiError::InvalidMachine { field, .. } => (Some(field.clone()), Vec::new()),
            _ => (None, Vec::new()),
        };
        let message = match &self {
            ApiError::Invalid(errors) => errors
                .first()
                .map(|e| format!("{}: {}", e.field, e.message))
                .unwrap_or_default(),
            other => other.to_string(),
        };
        let retry_after_seconds = match &self {
            ApiError::RateLimited {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let body = ApiErrorBody {
            code: code.as_str().to_owned(),
            message,
            field,
            errors,
            retry_after_seconds,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::ChangedElsewhere => ApiError::ChangedElsewhere,
            StorageError::EmailTaken => ApiError::EmailUnavailable,
            StorageError::MachineLinkedElsewhere => ApiError::MachineLinkedElsewhere,
            StorageError::MachineNotFound => ApiError::MachineNotFound,
            StorageError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                ApiError::ServiceUnavailable
            }
            StorageError::AgentExists | StorageError::AlreadyReversed => {
                ApiError::Unexpected(anyhow::anyhow!("{err}"))
            }
            StorageError::Unexpected(cause) => ApiError::Unexpected(cause),
        }
    }
}

impl From<HashError> for ApiError {
    fn from(err: HashError) -> Self {
        ApiError::Unexpected(err.into())
    }
}
