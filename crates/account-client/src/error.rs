//! The one error type of the client; `code()` is stable, `messages` turns it into French
//! or English for people.

use account_api::error::{ErrorCode, FieldError};

use crate::credentials::CredentialError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer from the service (network down, proxy refusing, service stopped).
    #[error("the account service cannot be reached: {0}")]
    Unreachable(String),
    #[error("too many attempts; try again in {retry_after_seconds} s")]
    RateLimited { retry_after_seconds: u64 },
    #[error("wrong e-mail address or password")]
    WrongPassword,
    #[error("the account was changed elsewhere; reload it")]
    ChangedElsewhere,
    #[error("this computer is linked to another customer account")]
    LinkedElsewhere,
    #[error("some fields were refused")]
    Fields(Vec<FieldError>),
    #[error("this computer is not linked to a customer account")]
    NotLinked,
    #[error("this e-mail address cannot be used for this account")]
    EmailUnavailable,
    #[error("no such computer among the account's linked computers")]
    MachineNotFound,
    /// The code confirming a new e-mail address is wrong or expired, or no change of
    /// address is waiting for one (it was cancelled, confirmed, or voided by wrong codes).
    #[error("the e-mail confirmation code is wrong or expired")]
    EmailCodeInvalid,
    /// The enrollment key links nothing (wrong, expired, used up or revoked).
    #[error("enrollment key refused: {0:?}")]
    EnrollmentKey(KeyProblem),
    /// No enrollment key of the account has this id (or it is no longer in force).
    #[error("no such enrollment key")]
    EnrollmentKeyNotFound,
    #[error(transparent)]
    CredentialStore(#[from] CredentialError),
    /// The service answered something this client does not expect.
    #[error("the account service answered {status}: {code}: {message}")]
    Service {
        status: u16,
        code: String,
        message: String,
    },
    /// A local failure (data folder, machine identity…).
    #[error("{0}")]
    Unexpected(String),
}

/// Why an enrollment key links nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    Invalid,
    Expired,
    UsedUp,
    Revoked,
}

/// The service's codes that a working client never meets (protocol errors) or that say
/// the service is in trouble: the client passes them on as `service_error` (or as the
/// service being unreachable), and the window has words for each (its list,
/// ui/src/generated/messages.ts, is generated from this one).
pub const SERVICE_CODES: &[ErrorCode] = &[
    ErrorCode::InvalidJson,
    ErrorCode::InvalidQuery,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::PayloadTooLarge,
    ErrorCode::InvalidMachine,
    ErrorCode::NotFound,
    ErrorCode::MethodNotAllowed,
    ErrorCode::Timeout,
    ErrorCode::ServiceUnavailable,
];

impl ClientError {
    /// Every code [`ClientError::code`] gives: the window's message catalogue has words
    /// for each (ui/src/generated/messages.ts is generated from this list).
    pub const CODES: &'static [&'static str] = &[
        "service_unreachable",
        "rate_limited",
        "invalid_credentials",
        "changed_elsewhere",
        "machine_linked_elsewhere",
        "invalid_fields",
        "not_linked",
        "email_unavailable",
        "machine_not_found",
        "email_code_invalid",
        "enrollment_key_invalid",
        "enrollment_key_expired",
        "enrollment_key_used_up",
        "enrollment_key_revoked",
        "enrollment_key_not_found",
        "credential_store_unavailable",
        "service_error",
        "unexpected",
    ];

    /// A stable code for scripts and for the window's message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Unreachable(_) => "service_unreachable",
            ClientError::RateLimited { .. } => "rate_limited",
            ClientError::WrongPassword => "invalid_credentials",
            ClientError::ChangedElsewhere => "changed_elsewhere",
            ClientError::LinkedElsewhere => "machine_linked_elsewhere",
            ClientError::Fields(_) => "invalid_fields",
            ClientError::NotLinked => "not_linked",
            ClientError::EmailUnavailable => "email_unavailable",
            ClientError::MachineNotFound => "machine_not_found",
            ClientError::EmailCodeInvalid => "email_code_invalid",
            ClientError::EnrollmentKey(KeyProblem::Invalid) => "enrollment_key_invalid",
            ClientError::EnrollmentKey(KeyProblem::Expired) => "enrollment_key_expired",
            ClientError::EnrollmentKey(KeyProblem::UsedUp) => "enrollment_key_used_up",
            ClientError::EnrollmentKey(KeyProblem::Revoked) => "enrollment_key_revoked",
            ClientError::EnrollmentKeyNotFound => "enrollment_key_not_found",
            ClientError::CredentialStore(_) => "credential_store_unavailable",
            ClientError::Service { .. } => "service_error",
            ClientError::Unexpected(_) => "unexpected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_lists_every_code_once() {
        let every = [
            ClientError::Unreachable(String::new()),
            ClientError::RateLimited {
                retry_after_seconds: 1,
            },
            ClientError::WrongPassword,
            ClientError::ChangedElsewhere,
            ClientError::LinkedElsewhere,
            ClientError::Fields(vec![]),
            ClientError::NotLinked,
            ClientError::EmailUnavailable,
            ClientError::MachineNotFound,
            ClientError::EmailCodeInvalid,
            ClientError::EnrollmentKey(KeyProblem::Invalid),
            ClientError::EnrollmentKey(KeyProblem::Expired),
            ClientError::EnrollmentKey(KeyProblem::UsedUp),
            ClientError::EnrollmentKey(KeyProblem::Revoked),
            ClientError::EnrollmentKeyNotFound,
            ClientError::CredentialStore(CredentialError::Unavailable(String::new())),
            ClientError::Service {
                status: 500,
                code: String::new(),
                message: String::new(),
            },
            ClientError::Unexpected(String::new()),
        ];
        let codes: Vec<&str> = every.iter().map(ClientError::code).collect();
        assert_eq!(codes, ClientError::CODES);
    }
}
