//! The HTTP client of the account service, one method per endpoint.
//!
//! HTTPS is verified against the operating system's trust store (rustls with the platform
//! verifier), so a corporate TLS-inspection certificate installed on the machine is
//! trusted; the system's proxy settings and the usual proxy variables are honoured.

use std::time::Duration;

use account_api::{
    error::{ApiErrorBody, ErrorCode},
    wire::{
        AccountDetails, AccountView, EditRequest, EmailConfirmationRequest, EnrollmentKeyCreated,
        EnrollmentKeyRequest, EnrollmentKeyView, Health, KeyLinkRequest, LinkRequest, LinkResponse,
        PasswordRequest, UnlinkMachineRequest, UnlinkStaleRequest, UnlinkStaleResponse,
    },
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ClientError, KeyProblem};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Covers a password check on a busy service.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct ApiClient {
    base: String,
    http: reqwest::Client,
}

/// Checks that `url` is an absolute http(s) URL without query; drops trailing slashes.
pub fn normalize_service_url(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| format!("{url:?}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "{url:?}: the address must start with http:// or https://"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "{url:?}: a service address has no query or fragment"
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// TLS as the program ships it: *ring* as the one crypto provider (reqwest is built
/// without one of its own, see Cargo.toml) and the system's verifier, so certificates a
/// company adds to the system (a proxy's root, say) are trusted like in a browser.
fn tls_config() -> Result<rustls::ClientConfig, ClientError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map(|builder| builder.with_no_client_auth())
        .map_err(|e| ClientError::Unexpected(format!("cannot set up TLS: {e}")))
}

impl ApiClient {
    pub fn new(service_url: &str, app_version: &str) -> Result<Self, ClientError> {
        let base = normalize_service_url(service_url).map_err(ClientError::Unexpected)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(format!("customer-account/{app_version}"))
            .tls_backend_preconfigured(tls_config()?)
            .build()
            .map_err(|e| ClientError::Unexpected(format!("cannot set up HTTP: {e}")))?;
        Ok(Self { base, http })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn health(&self) -> Result<Health, ClientError> {
        read(self.request(Method::GET, "/health/ready", None)).await
    }

    pub async fn register(&self, details: &AccountDetails) -> Result<(), ClientError> {
        expect_success(
            self.request(Method::POST, "/api/v1/accounts", None)
                .json(details),
        )
        .await
    }

    pub async fn request_password(&self, request: &PasswordRequest) -> Result<(), ClientError> {
        expect_success(
            self.request(Method::POST, "/api/v1/password-requests", None)
                .json(request),
        )
        .await
    }

    /// `token`: the one this machine holds, if any (proves it is the same installation).
    pub async fn link(
        &self,
        request: &LinkRequest,
        token: Option<&str>,
    ) -> Result<LinkResponse, ClientError> {
        read(
            self.request(Method::POST, "/api/v1/links", token)
                .json(request),
        )
        .await
    }

    /// Links with an enrollment key instead of the e-mail address and password.
    pub async fn link_with_key(
        &self,
        request: &KeyLinkRequest,
        token: Option<&str>,
    ) -> Result<LinkResponse, ClientError> {
        read(
            self.request(Method::POST, "/api/v1/enrollment-links", token)
                .json(request),
        )
        .await
    }

    pub async fn create_enrollment_key(
        &self,
        token: &str,
        request: &EnrollmentKeyRequest,
    ) -> Result<EnrollmentKeyCreated, ClientError> {
        read(
            self.request(Method::POST, "/api/v1/account/enrollment-keys", Some(token))
                .json(request),
        )
        .await
    }

    pub async fn enrollment_keys(
        &self,
        token: &str,
    ) -> Result<Vec<EnrollmentKeyView>, ClientError> {
        read(self.request(Method::GET, "/api/v1/account/enrollment-keys", Some(token))).await
    }

    pub async fn revoke_enrollment_key(&self, token: &str, key_id: i64) -> Result<(), ClientError> {
        let path = format!("/api/v1/account/enrollment-keys/{key_id}");
        expect_success(self.request(Method::DELETE, &path, Some(token))).await
    }

    pub async fn unlink_stale_machines(
        &self,
        token: &str,
        request: &UnlinkStaleRequest,
    ) -> Result<UnlinkStaleResponse, ClientError> {
        read(
            self.request(
                Method::POST,
                "/api/v1/account/machines/unlink-stale",
                Some(token),
            )
            .json(request),
        )
        .await
    }

    pub async fn account(&self, token: &str) -> Result<AccountView, ClientError> {
        read(self.request(Method::GET, "/api/v1/account", Some(token))).await
    }

    pub async fn edit(
        &self,
        token: &str,
        request: &EditRequest,
    ) -> Result<AccountView, ClientError> {
        read(
            self.request(Method::PUT, "/api/v1/account", Some(token))
                .json(request),
        )
        .await
    }

    /// Confirms the account's pending new e-mail address with the code mailed to it.
    pub async fn confirm_email(
        &self,
        token: &str,
        request: &EmailConfirmationRequest,
    ) -> Result<AccountView, ClientError> {
        read(
            self.request(
                Method::POST,
                "/api/v1/account/email-confirmation",
                Some(token),
            )
            .json(request),
        )
        .await
    }

    /// Cancels the account's pending change of e-mail address (none pending: no change).
    pub async fn cancel_email_change(&self, token: &str) -> Result<AccountView, ClientError> {
        read(self.request(Method::DELETE, "/api/v1/account/email-change", Some(token))).await
    }

    pub async fn unlink_this_machine(&self, token: &str) -> Result<(), ClientError> {
        expect_success(self.request(Method::DELETE, "/api/v1/link", Some(token))).await
    }

    pub async fn unlink_machine(
        &self,
        token: &str,
        machine_id: &str,
        password: &str,
    ) -> Result<(), ClientError> {
        let path = format!("/api/v1/account/machines/{machine_id}/unlink");
        let body = UnlinkMachineRequest {
            password: password.to_owned(),
        };
        expect_success(self.request(Method::POST, &path, Some(token)).json(&body)).await
    }
}

async fn send(request: RequestBuilder) -> Result<reqwest::Response, ClientError> {
    let response = request.send().await.map_err(|e| {
        // The chain names the real cause (refused, DNS, proxy, certificate…).
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        ClientError::Unreachable(text)
    })?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(error_from(response).await)
    }
}

async fn read<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ClientError> {
    let response = send(request).await?;
    let status = response.status();
    response.json().await.map_err(|e| ClientError::Service {
        status: status.as_u16(),
        code: "unreadable_answer".into(),
        message: e.to_string(),
    })
}

async fn expect_success(request: RequestBuilder) -> Result<(), ClientError> {
    send(request).await.map(|_| ())
}

async fn error_from(response: reqwest::Response) -> ClientError {
    let status = response.status();
    let retry_after_header = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body: Option<ApiErrorBody> = response.json().await.ok();
    let Some(body) = body else {
        // Not our service's JSON: a proxy's or a gateway's page.
        return match status {
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => {
                ClientError::Unreachable(format!("the service's gateway answered {status}"))
            }
            _ => ClientError::Service {
                status: status.as_u16(),
                code: "unreadable_answer".into(),
                message: format!("answer {status} without an error body"),
            },
        };
    };
    error_from_body(status, body, retry_after_header)
}

/// The client's error for the service's error body.
pub(crate) fn error_from_body(
    status: StatusCode,
    body: ApiErrorBody,
    retry_after_header: Option<u64>,
) -> ClientError {
    match body.code() {
        Some(ErrorCode::RateLimited) => ClientError::RateLimited {
            retry_after_seconds: body
                .retry_after_seconds
                .or(retry_after_header)
                .unwrap_or(60),
        },
        Some(ErrorCode::InvalidCredentials) => ClientError::WrongPassword,
        Some(ErrorCode::ChangedElsewhere) => ClientError::ChangedElsewhere,
        Some(ErrorCode::MachineLinkedElsewhere) => ClientError::LinkedElsewhere,
        Some(ErrorCode::NotLinked) => ClientError::NotLinked,
        Some(ErrorCode::EmailUnavailable) => ClientError::EmailUnavailable,
        Some(ErrorCode::MachineNotFound) => ClientError::MachineNotFound,
        Some(ErrorCode::EmailCodeInvalid) => ClientError::EmailCodeInvalid,
        Some(ErrorCode::EnrollmentKeyInvalid) => ClientError::EnrollmentKey(KeyProblem::Invalid),
        Some(ErrorCode::EnrollmentKeyExpired) => ClientError::EnrollmentKey(KeyProblem::Expired),
        Some(ErrorCode::EnrollmentKeyUsedUp) => ClientError::EnrollmentKey(KeyProblem::UsedUp),
        Some(ErrorCode::EnrollmentKeyRevoked) => ClientError::EnrollmentKey(KeyProblem::Revoked),
        Some(ErrorCode::EnrollmentKeyNotFound) => ClientError::EnrollmentKeyNotFound,
        Some(ErrorCode::ServiceUnavailable) => {
            ClientError::Unreachable("the service is not available right now".into())
        }
        Some(ErrorCode::Field(_)) if !body.errors.is_empty() => ClientError::Fields(body.errors),
        // A field error without the list: the one field it names.
        Some(ErrorCode::Field(_)) if body.field.is_some() => {
            ClientError::Fields(vec![account_api::error::FieldError {
                field: body.field.unwrap_or_default(),
                code: body.code,
                message: body.message,
            }])
        }
        _ => ClientError::Service {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
        },
    }
}
