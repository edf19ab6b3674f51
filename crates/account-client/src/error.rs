//! The one error type of the client; `code()` is stable, `messages` turns it into French
//! or English for people.

use account_api::error::FieldError;

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

impl ClientError {
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
            ClientError::CredentialStore(_) => "credential_store_unavailable",
            ClientError::Service { .. } => "service_error",
            ClientError::Unexpected(_) => "unexpected",
        }
    }
}
