//! Register and "e-mail my password": both answer the same whether or not the address
//! has an account, take as long, and send one e-mail.

use account_api::{
    details::ValidDetails,
    domain::{Email, Language},
    error::FieldError,
    wire::{PasswordRequest, PasswordSent, RegisterRequest},
};
use axum::{extract::State, http::StatusCode, Json};

use super::common::{customer_id, language};
use crate::{
    error::ApiError,
    extract::{ApiJson, ClientNetwork},
    limits,
    mail::templates::PENDING_PASSWORD_HOURS,
    secrets::{generate_password, ClearPassword},
    state::AppState,
    storage::AccountRow,
};

type Accepted = (StatusCode, Json<PasswordSent>);

fn accepted() -> Accepted {
    (StatusCode::ACCEPTED, Json(PasswordSent::new()))
}

/// The account of `email`, if any, and `password` hashed for it: with the account's salt
/// (a pending password, checked in the same run as the current one), or with a fresh salt
/// (a new account's). One hash either way.
async fn account_and_password_hash(
    state: &AppState,
    email: &str,
    password: &ClearPassword,
) -> Result<(Option<AccountRow>, String), ApiError> {
    let existing = state.storage.read().await?.account_by_email(email).await?;
    let hash = match &existing {
        Some(account) => {
            state
                .hasher
                .hash_like(password, &account.password_hash)
                .await?
        }
        None => state.hasher.hash(password).await?,
    };
    Ok((existing, hash))
}

pub async fn register(
    State(state): State<AppState>,
    network: ClientNetwork,
    ApiJson(raw): ApiJson<RegisterRequest>,
) -> Result<Accepted, ApiError> {
    let details = ValidDetails::parse(&raw).map_err(ApiError::Invalid)?;
    let email = details.email.as_str();
    limits::reserve(&state.storage, &limits::mail_buckets(email, &network.0))
        .await?
        .keep();

    let password = generate_password();
    let (existing, hash) = account_and_password_hash(&state, email, &password).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    match tx.account_by_email(email).await? {
        Some(account) => {
            // Registered by someone else between the read and now (a burst): the
            // pending password needs this account's salt.
            let hash = if existing.as_ref().map(|a| a.id) == Some(account.id) {
                hash
            } else {
                state
                    .hasher
                    .hash_like(&password, &account.password_hash)
                    .await?
            };
            // Same answer; the e-mail tells the owner they already have an account and
            // gives a pending password that links to it. Nothing else changes.
            tx.add_pending_password(account.id, &hash, now + PENDING_PASSWORD_HOURS * 3600, now)
                .await?;
            tx.audit(
                account.id,
                "anonymous",
                "registration_for_existing_account",
                serde_json::json!({}),
                now,
            )
            .await?;
            let mail = state.templates.already_registered(
                &account.email,
                language(&account),
                customer_id(&account),
                password.expose(),
            );
            tx.enqueue_mail(&mail, now).await?;
        }
        None => {
            let account = tx.insert_account(&details, &hash, now).await?;
            tx.audit(
                account.id,
                "anonymous",
                "account_created",
                serde_json::json!({}),
                now,
            )
            .await?;
            let mail = state.templates.welcome(
                &account.email,
                details.language,
                customer_id(&account),
                details.company_name.as_str(),
                password.expose(),
            );
            tx.enqueue_mail(&mail, now).await?;
        }
    }
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(accepted())
}

pub async fn request_password(
    State(state): State<AppState>,
    network: ClientNetwork,
    ApiJson(raw): ApiJson<PasswordRequest>,
) -> Result<Accepted, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&raw.email)
        .map_err(|e| errors.push(FieldError::new("email", e)))
        .ok();
    let requested_language = match raw.language.as_deref().map(str::trim) {
        None | Some("") => Some(Language::default()),
        Some(text) => Language::parse(text)
            .map_err(|e| errors.push(FieldError::new("language", e)))
            .ok(),
    };
    let (Some(email), Some(requested_language)) = (email, requested_language) else {
        return Err(ApiError::Invalid(errors));
    };
    limits::reserve(
        &state.storage,
        &limits::mail_buckets(email.as_str(), &network.0),
    )
    .await?
    .keep();

    // Hashed even for an unknown address, so both answers take as long.
    let password = generate_password();
    let (existing, hash) = account_and_password_hash(&state, email.as_str(), &password).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let mail = match existing {
        Some(account) => {
            // The current password, and the earlier mails' ones, keep working until one
            // of them is used.
            tx.add_pending_password(account.id, &hash, now + PENDING_PASSWORD_HOURS * 3600, now)
                .await?;
            tx.audit(
                account.id,
                "anonymous",
                "password_requested",
                serde_json::json!({}),
                now,
            )
            .await?;
            state.templates.new_password(
                &account.email,
                language(&account),
                customer_id(&account),
                password.expose(),
            )
        }
        None => state
            .templates
            .no_account(email.as_str(), requested_language),
    };
    tx.enqueue_mail(&mail, now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(accepted())
}
