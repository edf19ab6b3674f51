//! A new e-mail address takes effect only once confirmed from it: an edit that changes
//! the address mails a code to the new one (and tells the old one); the code, entered
//! in the app, makes the switch. The answers are the same whether or not the new
//! address already belongs to another account (then its mail says so, with no code).

use account_api::{
    domain::{Email, Invalid},
    wire::{AccountView, EmailConfirmationRequest},
};
use axum::{extract::State, Json};

use super::caller::authenticate;
use crate::{
    accounts::{account_view, customer_id},
    audit::{Action, Actor},
    error::ApiError,
    extract::{ApiJson, BearerToken},
    limits::{self, Bucket, EMAIL_CODE_ACCOUNT},
    mail::templates::EMAIL_CHANGE_HOURS,
    secrets::{email_code_hash, generate_email_code, same_digest},
    state::AppState,
    storage::{AccountRow, EmailChangeRow, MachineRow, StorageError, Tx},
};

/// Wrong codes after which a pending change is void (a new edit starts another).
const WRONG_CODES_MAX: i64 = 5;

/// Inside an edit's transaction: `requested` waits for its code.
pub async fn request(
    state: &AppState,
    tx: &mut Tx,
    account: &AccountRow,
    requested: &Email,
    machine: &MachineRow,
    now: i64,
) -> Result<(), ApiError> {
    let taken = tx.account_by_email(requested.as_str()).await?.is_some();
    let code = generate_email_code();
    let change = EmailChangeRow {
        account_id: account.id,
        new_email: requested.as_str().to_owned(),
        code_hash: (!taken).then(|| email_code_hash(account.id, code.expose())),
        wrong_codes: 0,
        expires_at: now + EMAIL_CHANGE_HOURS * 3600,
        requested_by: Actor::Machine(machine.id.clone()),
        created_at: now,
    };
    tx.set_email_change(&change).await?;
    tx.audit(
        account.id,
        &Actor::Machine(machine.id.clone()),
        Action::EmailChangeRequested,
        serde_json::json!({ "new_email": requested.as_str() }),
        now,
    )
    .await?;
    let id = customer_id(account);
    let to_new = if taken {
        state
            .templates
            .email_change_taken(requested, account.language, id)
    } else {
        state.templates.email_change_code(
            requested,
            account.language,
            id,
            code.expose(),
            &machine.name,
        )
    };
    tx.enqueue_mail(&to_new, now).await?;
    let to_old = state.templates.email_change_requested_old(
        &account.email,
        account.language,
        id,
        requested.as_str(),
        &machine.name,
    );
    tx.enqueue_mail(&to_old, now).await?;
    Ok(())
}

/// `POST /api/v1/account/email-confirmation`: the code from the new address's mail.
pub async fn confirm(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiJson(request): ApiJson<EmailConfirmationRequest>,
) -> Result<Json<AccountView>, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let typed = request.code.trim();
    if typed.is_empty() {
        return Err(ApiError::field("code", Invalid::Empty));
    }
    if typed.chars().count() > 64 {
        return Err(ApiError::field("code", Invalid::TooLong));
    }
    let reservation = limits::reserve(
        &state.storage,
        &state.metrics,
        &[Bucket::new(EMAIL_CODE_ACCOUNT, account.id)],
    )
    .await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let change = tx.email_change(account.id, now).await?;
    let expected = email_code_hash(account.id, typed);
    let right = change.as_ref().is_some_and(|c| {
        c.code_hash
            .as_deref()
            .is_some_and(|stored| same_digest(stored, &expected))
    });
    let Some(change) = change.filter(|_| right) else {
        // Too many wrong codes: the change is void (the account shows none waiting), and
        // a new edit starts another.
        if tx.email_change_wrong_code(account.id).await? >= WRONG_CODES_MAX {
            tx.delete_email_change(account.id).await?;
            tx.audit(
                account.id,
                &Actor::Machine(machine.id.clone()),
                Action::EmailChangeVoided,
                serde_json::json!({ "wrong_codes": WRONG_CODES_MAX }),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        reservation.keep();
        return Err(ApiError::EmailCodeInvalid);
    };
    tx.set_account_email(account.id, &change.new_email, now)
        .await
        .map_err(|err| match err {
            // Registered by someone else since: the code's owner may know it.
            StorageError::EmailTaken => ApiError::EmailUnavailable,
            other => other.into(),
        })?;
    tx.delete_email_change(account.id).await?;
    tx.audit(
        account.id,
        &Actor::Machine(machine.id.clone()),
        Action::EmailChanged,
        serde_json::json!({ "from": account.email, "to": change.new_email }),
        now,
    )
    .await?;
    let mail = state.templates.email_changed_old(
        &account.email,
        account.language,
        customer_id(&account),
        &change.new_email,
    );
    tx.enqueue_mail(&mail, now).await?;
    let fresh = tx
        .account_by_id(account.id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    let view = account_view(&mut tx, &fresh, &machine.id).await?;
    tx.commit().await?;
    reservation.refund(&state.storage).await?;
    state.mail_wake.notify_one();
    Ok(Json(view))
}

/// `DELETE /api/v1/account/email-change`: the account keeps its address.
pub async fn cancel(
    State(state): State<AppState>,
    bearer: BearerToken,
) -> Result<Json<AccountView>, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    if tx.email_change(account.id, now).await?.is_some() {
        tx.delete_email_change(account.id).await?;
        tx.audit(
            account.id,
            &Actor::Machine(machine.id.clone()),
            Action::EmailChangeCancelled,
            serde_json::json!({}),
            now,
        )
        .await?;
    }
    let view = account_view(&mut tx, &account, &machine.id).await?;
    tx.commit().await?;
    Ok(Json(view))
}
