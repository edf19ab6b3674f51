//! The account's enrollment keys, for whoever holds the password on a linked machine:
//! create one (password asked), list them, revoke one. Linking with a key is in `links`.

use account_api::wire::{EnrollmentKeyCreated, EnrollmentKeyRequest, EnrollmentKeyView};
use axum::{extract::State, http::StatusCode, Json};

use super::caller::{authenticate, authenticate_in, write_with_password};
use crate::{
    audit::Actor,
    enrollment::{self, KeySpec},
    error::ApiError,
    extract::{ApiJson, ApiPath, BearerToken},
    passwords::typed_password,
    state::AppState,
};

pub async fn create(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiJson(request): ApiJson<EnrollmentKeyRequest>,
) -> Result<(StatusCode, Json<EnrollmentKeyCreated>), ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let spec = KeySpec::parse(&request.label, request.uses, request.valid_days);
    let password = typed_password(&request.password);
    let (spec, password) = match (spec, password) {
        (Ok(spec), Ok(password)) => (spec, password),
        (spec, password) => {
            let mut errors = spec.err().unwrap_or_default();
            if let Err(invalid) = password {
                errors.push(account_api::error::FieldError::new("password", invalid));
            }
            return Err(ApiError::Invalid(errors));
        }
    };
    let mut tx = write_with_password(&state, &machine, &account, &password).await?;
    let now = crate::now();
    let created = enrollment::create(
        &mut tx,
        &state.templates,
        &account,
        &spec,
        &Actor::Machine(machine.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn list(
    State(state): State<AppState>,
    bearer: BearerToken,
) -> Result<Json<Vec<EnrollmentKeyView>>, ApiError> {
    let mut tx = state.storage.read().await?;
    let (_, account) = authenticate_in(&mut tx, bearer).await?;
    let views = enrollment::views(&mut tx, &account, crate::now()).await?;
    tx.commit().await?;
    Ok(Json(views))
}

/// Revoking takes no password: it only takes a way in away.
pub async fn revoke(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiPath(key_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let (machine, account) = authenticate_in(&mut tx, bearer).await?;
    let key_id: i64 = key_id
        .parse()
        .map_err(|_| ApiError::EnrollmentKeyNotFound)?;
    if !enrollment::revoke(&mut tx, &account, key_id, &Actor::Machine(machine.id), now).await? {
        return Err(ApiError::EnrollmentKeyNotFound);
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
