//! The one JSON shape of every API error, and its stable codes.
//!
//! Clients map `code` (never `message`) to French or English text; `message` is an
//! English explanation for logs and developers.

use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// Every error code the service can return. Field-level codes come from
/// [`Invalid`]; the others are listed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A field's value was refused (`field` says which).
    Field(Invalid),
    InvalidJson,
    /// The query string does not fit the resource (a parameter repeated or mistyped).
    InvalidQuery,
    UnsupportedMediaType,
    PayloadTooLarge,
    /// The machine's description (sent by the app, not typed) is malformed.
    InvalidMachine,
    NotFound,
    MethodNotAllowed,
    /// No machine token, or a token that was revoked (the machine was unlinked).
    NotLinked,
    /// Wrong e-mail address or password (never says which).
    InvalidCredentials,
    /// Too many attempts; `retry_after_seconds` says how long to wait.
    RateLimited,
    /// The account was changed elsewhere since the user started editing.
    ChangedElsewhere,
    /// This machine is linked to another customer account.
    MachineLinkedElsewhere,
    /// The new e-mail address is already another account's.
    EmailUnavailable,
    /// No such machine among this account's linked machines.
    MachineNotFound,
    /// The code confirming a new e-mail address is wrong, expired or already used
    /// (`field` is `code`).
    EmailCodeInvalid,
    Timeout,
    ServiceUnavailable,
    Unexpected,
    /// The enrollment key matches none: mistyped, or never created (a guess counts
    /// against the network's limit).
    EnrollmentKeyInvalid,
    /// The enrollment key is past its expiry.
    EnrollmentKeyExpired,
    /// Every use of the enrollment key is taken.
    EnrollmentKeyUsedUp,
    /// The enrollment key was revoked.
    EnrollmentKeyRevoked,
    /// No enrollment key of this account has this id.
    EnrollmentKeyNotFound,
    /// Support API: no API token, or one revoked or of a disabled agent.
    SupportTokenRequired,
    /// Support API: the search query is too short to look for anything (`field` is `q`).
    QueryTooShort,
    /// Support API: a support call's minutes are out of range (`field` is `minutes`).
    InvalidDuration,
    /// Support API: this action (enrollment keys) is for agents whose role is admin.
    AdminOnly,
}

impl ErrorCode {
    /// Every code except the field ones (see [`Invalid::ALL`] for those).
    pub const GENERAL: &'static [ErrorCode] = &[
        ErrorCode::InvalidJson,
        ErrorCode::InvalidQuery,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidMachine,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NotLinked,
        ErrorCode::InvalidCredentials,
        ErrorCode::RateLimited,
        ErrorCode::ChangedElsewhere,
        ErrorCode::MachineLinkedElsewhere,
        ErrorCode::EmailUnavailable,
        ErrorCode::MachineNotFound,
        ErrorCode::EmailCodeInvalid,
        ErrorCode::EnrollmentKeyInvalid,
        ErrorCode::EnrollmentKeyExpired,
        ErrorCode::EnrollmentKeyUsedUp,
        ErrorCode::EnrollmentKeyRevoked,
        ErrorCode::EnrollmentKeyNotFound,
        ErrorCode::Timeout,
        ErrorCode::ServiceUnavailable,
        ErrorCode::Unexpected,
    ];

    /// The codes only the support API answers (integrations, not the desktop app).
    pub const SUPPORT_API: &'static [ErrorCode] = &[
        ErrorCode::SupportTokenRequired,
        ErrorCode::QueryTooShort,
        ErrorCode::InvalidDuration,
        ErrorCode::AdminOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Field(invalid) => invalid.code(),
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidMachine => "invalid_machine",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotLinked => "not_linked",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ChangedElsewhere => "changed_elsewhere",
            ErrorCode::MachineLinkedElsewhere => "machine_linked_elsewhere",
            ErrorCode::EmailUnavailable => "email_unavailable",
            ErrorCode::MachineNotFound => "machine_not_found",
            ErrorCode::EmailCodeInvalid => "email_code_invalid",
            ErrorCode::EnrollmentKeyInvalid => "enrollment_key_invalid",
            ErrorCode::EnrollmentKeyExpired => "enrollment_key_expired",
            ErrorCode::EnrollmentKeyUsedUp => "enrollment_key_used_up",
            ErrorCode::EnrollmentKeyRevoked => "enrollment_key_revoked",
            ErrorCode::EnrollmentKeyNotFound => "enrollment_key_not_found",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Unexpected => "unexpected",
            ErrorCode::SupportTokenRequired => "support_token_required",
            ErrorCode::QueryTooShort => "query_too_short",
            ErrorCode::InvalidDuration => "invalid_duration",
            ErrorCode::AdminOnly => "admin_only",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        Self::GENERAL
            .iter()
            .chain(Self::SUPPORT_API)
            .copied()
            .find(|c| c.as_str() == code)
            .or_else(|| {
                Invalid::ALL
                    .iter()
                    .copied()
                    .find(|i| i.code() == code)
                    .map(ErrorCode::Field)
            })
    }
}

/// One refused field.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The request's field name, dotted for nested ones ("address.postal_code").
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, invalid: Invalid) -> Self {
        Self {
            field: field.into(),
            code: invalid.code().to_owned(),
            message: invalid.message_en().to_owned(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
    /// The field the error is about, where one applies (the first, when several are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every refused field, when the request had field errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How long to wait before trying again (also in the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl ApiErrorBody {
    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_itself() {
        let all = ErrorCode::GENERAL
            .iter()
            .chain(ErrorCode::SUPPORT_API)
            .copied()
            .chain(Invalid::ALL.iter().copied().map(ErrorCode::Field));
        let mut seen = std::collections::HashSet::new();
        for code in all {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(
                seen.insert(code.as_str()),
                "duplicate code {}",
                code.as_str()
            );
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    #[test]
    fn field_errors_are_omitted_when_empty() {
        let body = ApiErrorBody {
            code: "not_found".into(),
            message: "Not found".into(),
            field: None,
            errors: vec![],
            retry_after_seconds: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"code":"not_found","message":"Not found"}"#
        );
    }
}
