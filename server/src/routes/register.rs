//! Register: the answer is the same whether or not the address has an account, takes as
//! long, and sends one e-mail (a welcome with the password, or "you already have an
//! account" with a password request).

use account_api::{details::ValidDetails, wire::RegisterRequest};
use axum::extract::State;

use super::password_requests::{accepted, Accepted};
use crate::{
    accounts::customer_id,
    audit::{Action, Actor},
    error::ApiError,
    extract::{ApiJson, ClientNetwork},
    limits,
    passwords::{self, account_and_password_hash, RequestedBy},
    secrets::generate_password,
    state::AppState,
};

pub async fn register(
    State(state): State<AppState>,
    network: ClientNetwork,
    ApiJson(raw): ApiJson<RegisterRequest>,
) -> Result<Accepted, ApiError> {
    let details = ValidDetails::parse(&raw).map_err(ApiError::Invalid)?;
    let email = details.email.as_str();
    limits::reserve(
        &state.storage,
        &state.metrics,
        &limits::mail_buckets(email, &network.0),
    )
    .await?
    .keep();

    let password = generate_password();
    let (existing, hash) = account_and_password_hash(&state, email, &password).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    match tx.account_by_email(email).await? {
        Some(account) => {
            // Registered by someone else between the read and now (a burst): the
            // password request needs this account's salt.
            let hash = if existing.as_ref().map(|a| a.id) == Some(account.id) {
                hash
            } else {
                state
                    .hasher
                    .hash_like(&password, &account.password_hash)
                    .await?
            };
            // Same answer; the e-mail tells the owner they already have an account and
            // gives a password request's password that links to it. Nothing else changes.
            passwords::record_request(
                &mut tx,
                &state.templates,
                &account,
                &password,
                &hash,
                RequestedBy::RegistrationAgain,
                now,
            )
            .await?;
        }
        None => {
            let account = tx.insert_account(&details, &hash, now).await?;
            tx.audit(
                account.id,
                &Actor::Anonymous,
                Action::AccountCreated,
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
