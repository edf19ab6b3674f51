//! "E-mail my password": a password request. The answer is the same whether or not the
//! address has an account, takes as long, and sends one e-mail.

use account_api::{
    domain::{Email, Language},
    error::FieldError,
    wire::{PasswordRequest, PasswordSent},
};
use axum::{extract::State, http::StatusCode, Json};

use crate::{
    error::ApiError,
    extract::{ApiJson, ClientNetwork},
    limits,
    passwords::{self, account_and_password_hash, RequestedBy},
    secrets::generate_password,
    state::AppState,
};

pub(super) type Accepted = (StatusCode, Json<PasswordSent>);

pub(super) fn accepted() -> Accepted {
    (StatusCode::ACCEPTED, Json(PasswordSent::new()))
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
        &state.metrics,
        &limits::mail_buckets(email.as_str(), &network.0),
    )
    .await?
    .keep();

    // Hashed even for an unknown address, so both answers take as long.
    let password = generate_password();
    let (existing, hash) = account_and_password_hash(&state, email.as_str(), &password).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    match existing {
        // The current password, and the earlier requests' ones, keep working until one
        // of them is used.
        Some(account) => {
            passwords::record_request(
                &mut tx,
                &state.templates,
                &account,
                &password,
                &hash,
                RequestedBy::Customer,
                now,
            )
            .await?
        }
        None => {
            let mail = state.templates.no_account(&email, requested_language);
            tx.enqueue_mail(&mail, now).await?;
        }
    }
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(accepted())
}
