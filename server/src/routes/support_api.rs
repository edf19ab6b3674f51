//! The support JSON API, for integrations (telephony, helpdesk) acting as an agent with
//! an API token (`account-server agents token …`): find an account, read its balance,
//! log support calls; and, for agents whose role is admin, create and revoke an account's
//! enrollment keys (any agent lists them). Same error shape as the rest of the API; its
//! wire types and its own codes are in `account_api::support` and `ErrorCode::SUPPORT_API`.

use account_api::{
    domain::Invalid,
    error::{ApiErrorBody, ErrorCode, FieldError},
    support::{
        AccountSummary, Balance, CreateEnrollmentKey, LedgerEntryView, LogSupportCall,
        LoggedSupportCall, SearchResults,
    },
    wire::{EnrollmentKeyCreated, EnrollmentKeyView},
};
use axum::{
    extract::{FromRef, FromRequestParts, State},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;

use crate::{
    accounts::{self, customer_id, find_accounts},
    audit::Actor,
    enrollment::{self, KeySpec},
    error::ApiError,
    extract::{ApiJson, ApiPath, ApiQuery, BearerToken},
    ledger,
    secrets::token_hash,
    state::AppState,
    storage::{AccountRow, AgentRow, LedgerRow, Storage, Tx},
    support::{ledger_text, Role, SearchQuery, MAX_NOTE_CHARS, MAX_SUPPORT_CALL_MINUTES},
};

const MAX_RESULTS: i64 = 20;

/// Errors of the support API: its own codes, or the API's common ones.
#[derive(Debug, thiserror::Error)]
pub enum SupportApiError {
    #[error("a valid support API token is required")]
    TokenRequired,
    #[error("no customer account has this ID")]
    AccountNotFound,
    #[error("this action is for agents whose role is admin")]
    AdminOnly,
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        code: ErrorCode,
        message: &'static str,
    },
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl SupportApiError {
    /// A field refused by one of the shared rules (`Invalid`), with its code.
    fn invalid(field: &'static str, invalid: Invalid) -> Self {
        SupportApiError::Field {
            field,
            code: ErrorCode::Field(invalid),
            message: invalid.message_en(),
        }
    }
}

impl From<crate::storage::StorageError> for SupportApiError {
    fn from(err: crate::storage::StorageError) -> Self {
        SupportApiError::Api(err.into())
    }
}

impl IntoResponse for SupportApiError {
    fn into_response(self) -> Response {
        let (status, code, field) = match &self {
            SupportApiError::TokenRequired => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::SupportTokenRequired,
                None,
            ),
            SupportApiError::AccountNotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound, None),
            SupportApiError::AdminOnly => (StatusCode::FORBIDDEN, ErrorCode::AdminOnly, None),
            SupportApiError::Field { field, code, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, *code, Some(*field))
            }
            SupportApiError::Api(_) => {
                let SupportApiError::Api(inner) = self else {
                    unreachable!()
                };
                return inner.into_response();
            }
        };
        let message = self.to_string();
        let errors = match (&self, field) {
            (SupportApiError::Field { message, .. }, Some(field)) => vec![FieldError {
                field: field.to_owned(),
                code: code.as_str().to_owned(),
                message: (*message).to_owned(),
            }],
            _ => Vec::new(),
        };
        let body = ApiErrorBody {
            code: code.as_str().to_owned(),
            message,
            field: field.map(str::to_owned),
            errors,
            retry_after_seconds: None,
        };
        (status, Json(body)).into_response()
    }
}

/// The agent an integration acts for (it needs only the storage).
pub struct SupportAgent(AgentRow);

impl SupportAgent {
    /// Enrollment keys are a way into the account: only admins make or revoke them.
    fn require_admin(&self) -> Result<(), SupportApiError> {
        if self.0.role == Role::Admin {
            Ok(())
        } else {
            Err(SupportApiError::AdminOnly)
        }
    }
}

impl<S> FromRequestParts<S> for SupportAgent
where
    S: Send + Sync,
    Storage: FromRef<S>,
{
    type Rejection = SupportApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = BearerToken::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|t| t.0)
            .ok_or(SupportApiError::TokenRequired)?;
        let mut tx = Storage::from_ref(state).read().await?;
        let agent = tx.agent_by_api_token(&token_hash(&token)).await?;
        tx.commit().await?;
        agent
            .map(SupportAgent)
            .ok_or(SupportApiError::TokenRequired)
    }
}

fn entry_view(entry: LedgerRow) -> LedgerEntryView {
    LedgerEntryView {
        id: entry.id,
        at: crate::rfc3339(entry.at),
        kind: entry.kind.as_str().to_owned(),
        minutes: entry.minutes,
        worked_minutes: entry.worked_minutes,
        reference: entry.reference,
        note: entry.note,
        agent: entry.agent_name,
        reverses: entry.reverses,
    }
}

fn summary(account: AccountRow, balance_minutes: i64) -> AccountSummary {
    AccountSummary {
        customer_id: customer_id(&account).to_string(),
        contact_name: format!(
            "{} {}",
            account.contact_first_name, account.contact_last_name
        ),
        company_name: account.company_name,
        email: account.email.into(),
        phone: account.phone.into(),
        siret: account.siret,
        balance_minutes,
    }
}

/// The account behind a customer ID in a path; a misheard one says so.
async fn load(tx: &mut Tx, raw: &str) -> Result<AccountRow, SupportApiError> {
    accounts::by_customer_id(tx, raw)
        .await
        .map_err(|err| match err {
            accounts::NotFound::Malformed(invalid) => {
                SupportApiError::invalid("customer_id", invalid)
            }
            accounts::NotFound::Unknown => SupportApiError::AccountNotFound,
            accounts::NotFound::Storage(err) => err.into(),
        })
}

#[derive(Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

pub async fn find(
    State(storage): State<Storage>,
    _agent: SupportAgent,
    ApiQuery(query): ApiQuery<FindQuery>,
) -> Result<Json<SearchResults>, SupportApiError> {
    let query = SearchQuery::parse(&query.q);
    if query == SearchQuery::TooShort {
        return Err(SupportApiError::Field {
            field: "q",
            code: ErrorCode::QueryTooShort,
            message: "type at least three characters, or a customer ID, phone or SIRET",
        });
    }
    let mut tx = storage.read().await?;
    let found = find_accounts(&mut tx, &query, MAX_RESULTS).await?;
    tx.commit().await?;
    let check_digit_mismatch = matches!(query, SearchQuery::MisheardId { .. });
    let more = found.more;
    let out = found
        .accounts
        .into_iter()
        .map(|(account, balance)| summary(account, balance))
        .collect();
    Ok(Json(SearchResults {
        accounts: out,
        check_digit_mismatch,
        more,
    }))
}

pub async fn account(
    State(storage): State<Storage>,
    _agent: SupportAgent,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<AccountSummary>, SupportApiError> {
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &raw).await?;
    let balance = tx.balance(account.id).await?;
    tx.commit().await?;
    Ok(Json(summary(account, balance)))
}

pub async fn balance(
    State(storage): State<Storage>,
    _agent: SupportAgent,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Balance>, SupportApiError> {
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &raw).await?;
    let balance_minutes = tx.balance(account.id).await?;
    tx.commit().await?;
    Ok(Json(Balance {
        customer_id: customer_id(&account).to_string(),
        balance_minutes,
    }))
}

/// Charges a support call to the account's support time (also answered, deprecated,
/// at `…/sessions`).
pub async fn log_support_call(
    State(state): State<AppState>,
    SupportAgent(agent): SupportAgent,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<LogSupportCall>,
) -> Result<(StatusCode, Json<LoggedSupportCall>), SupportApiError> {
    if !(1..=MAX_SUPPORT_CALL_MINUTES).contains(&body.minutes) {
        return Err(SupportApiError::Field {
            field: "minutes",
            code: ErrorCode::InvalidDuration,
            message: "minutes must be between 1 and 1440",
        });
    }
    let note = ledger_text(&body.note, false, MAX_NOTE_CHARS)
        .map_err(|invalid| SupportApiError::invalid("note", invalid))?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &raw).await?;
    let actor = Actor::Api(agent.email.clone());
    let writer = ledger::Writer {
        agent_id: agent.id,
        agent_name: &agent.name,
        actor: &actor,
    };
    let rounding = state.support.rounding;
    let entry = ledger::log_support_call(
        &mut tx,
        &writer,
        account.id,
        body.minutes,
        &note,
        rounding,
        now,
    )
    .await?;
    let balance_minutes = tx.balance(account.id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(LoggedSupportCall {
            entry: entry_view(entry),
            balance_minutes,
        }),
    ))
}

/// The account's enrollment keys, newest first (never the keys themselves).
pub async fn enrollment_keys(
    State(storage): State<Storage>,
    _agent: SupportAgent,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Vec<EnrollmentKeyView>>, SupportApiError> {
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &raw).await?;
    let views = enrollment::views(&mut tx, &account, crate::now()).await?;
    tx.commit().await?;
    Ok(Json(views))
}

/// A key for the account's administrator, shown in this answer only (admins).
pub async fn create_enrollment_key(
    State(state): State<AppState>,
    agent: SupportAgent,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<CreateEnrollmentKey>,
) -> Result<(StatusCode, Json<EnrollmentKeyCreated>), SupportApiError> {
    agent.require_admin()?;
    let spec = KeySpec::parse(&body.label, body.uses, body.valid_days)
        .map_err(|errors| SupportApiError::Api(ApiError::Invalid(errors)))?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &raw).await?;
    let actor = Actor::Api(agent.0.email.clone());
    let created =
        enrollment::create(&mut tx, &state.templates, &account, &spec, &actor, now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes one of the account's keys not revoked yet (admins).
pub async fn revoke_enrollment_key(
    State(storage): State<Storage>,
    agent: SupportAgent,
    ApiPath((raw, key_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, SupportApiError> {
    agent.require_admin()?;
    let now = crate::now();
    let mut tx = storage.write().await?;
    let account = load(&mut tx, &raw).await?;
    let Ok(key_id) = key_id.parse::<i64>() else {
        return Err(ApiError::EnrollmentKeyNotFound.into());
    };
    let actor = Actor::Api(agent.0.email.clone());
    if !enrollment::revoke(&mut tx, &account, key_id, &actor, now).await? {
        return Err(ApiError::EnrollmentKeyNotFound.into());
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
