//! Linking a machine to an account, and unlinking this machine.
//!
//! Which machine record a link re-activates:
//! 1. the record whose token the caller presents (this installation, whatever else
//!    changed): its token is replaced;
//! 2. else the record named by the caller's kept machine ID *and* fingerprint, if it is
//!    not linked (a re-link after an unlink);
//! 3. else this account's unlinked record with the same fingerprint (the app was
//!    reinstalled and lost its machine ID);
//! 4. else a new record. In particular a linked record is never taken over without its
//!    token: two cloned machines sharing a machine identifier both stay linked, listed
//!    with `shares_identity`, instead of one silently evicting the other.

use account_api::{
    domain::{Email, Invalid},
    error::FieldError,
    wire::{normalize_enrollment_key, KeyLinkRequest, LinkRequest, LinkResponse, MachineInfo},
};
use axum::{extract::State, http::StatusCode, Json};

use super::caller::authenticate;
use crate::{
    accounts::{account_view, customer_id},
    audit::{Action, Actor},
    enrollment,
    error::{ApiError, KeyRefusal},
    extract::{ApiJson, BearerToken, ClientNetwork},
    ids::MachineId,
    limits,
    machines::{self, Unlinker},
    passwords::{check_password, typed_password, use_if_requested, PasswordCaller},
    secrets::{self, new_machine_id, token_hash, MachineToken},
    state::AppState,
    storage::{AccountRow, EnrollmentKeyRow, KeyUse, MachineRow, StorageError, Tx},
};

pub async fn link(
    State(state): State<AppState>,
    network: ClientNetwork,
    bearer: BearerToken,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<LinkResponse>, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&request.email)
        .map_err(|e| errors.push(FieldError::new("email", e)))
        .ok();
    let password =
        typed_password(&request.password).map_err(|e| errors.push(FieldError::new("password", e)));
    let (Some(email), Ok(password)) = (email, password) else {
        return Err(ApiError::Invalid(errors));
    };
    let machine = valid_machine(&request.machine)?;

    let mut tx = state.storage.read().await?;
    let account = tx.account_by_email(email.as_str()).await?;
    tx.commit().await?;
    let matched = check_password(
        &state,
        PasswordCaller::Anonymous(&network),
        email.as_str(),
        account.as_ref(),
        &password,
    )
    .await?;
    let account = account.ok_or(ApiError::InvalidCredentials)?;

    let now = crate::now();
    let mut tx = state.storage.write().await?;
    use_if_requested(&mut tx, account.id, &matched).await?;
    let link = Link {
        account: &account,
        machine: &machine,
        bearer: &bearer,
        network: &network,
        move_machine: request.move_machine,
        key: None,
    };
    let (machine_row, token) = attach(&state, &mut tx, &link, now).await?;
    let mail = state.templates.machine_linked(
        &account.email,
        account.language,
        customer_id(&account),
        &machine_row.name,
    );
    tx.enqueue_mail(&mail, now).await?;
    answer(&state, tx, &account, machine_row, token).await
}

/// Links with an enrollment key: the same as [`link`] once the key has given its account
/// (its use taken in the same transaction, so a failed link gives it back), without the
/// mail per computer: the key's day of use is mailed as one digest.
pub async fn link_with_key(
    State(state): State<AppState>,
    network: ClientNetwork,
    bearer: BearerToken,
    ApiJson(request): ApiJson<KeyLinkRequest>,
) -> Result<Json<LinkResponse>, ApiError> {
    let key = normalize_enrollment_key(&request.enrollment_key);
    if key.is_empty() {
        return Err(ApiError::field("enrollment_key", Invalid::Empty));
    }
    let machine = valid_machine(&request.machine)?;
    let now = crate::now();
    let buckets = limits::enrollment_key_buckets(&network.0);
    let mut tx = state.storage.write().await?;
    // The limit is looked at before the key, or a guesser past it would still learn
    // which key is right; only keys matching none are counted.
    if let Some(refusal) = tx.full_buckets(&buckets, now).await? {
        tx.rollback().await?;
        return Err(limits::refused(&state.metrics, refusal));
    }
    let key = match tx
        .use_enrollment_key(&secrets::enrollment_key_hash(&key), now)
        .await?
    {
        KeyUse::Taken(key) => key,
        KeyUse::Unknown => {
            tx.add_attempts(&buckets, now).await?;
            tx.commit().await?;
            return Err(ApiError::EnrollmentKey(KeyRefusal::Invalid));
        }
        KeyUse::Expired => return Err(ApiError::EnrollmentKey(KeyRefusal::Expired)),
        KeyUse::Exhausted => return Err(ApiError::EnrollmentKey(KeyRefusal::UsedUp)),
        KeyUse::Revoked => return Err(ApiError::EnrollmentKey(KeyRefusal::Revoked)),
    };
    let account = tx
        .account_by_id(key.account_id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("enrollment key without account")))?;
    let link = Link {
        account: &account,
        machine: &machine,
        bearer: &bearer,
        network: &network,
        move_machine: request.move_machine,
        key: Some(&key),
    };
    let (machine_row, token) = attach(&state, &mut tx, &link, now).await?;
    tx.record_enrollment_key_use(
        key.id,
        machine_row.id.as_str(),
        now,
        &enrollment::france_day(now),
    )
    .await?;
    answer(&state, tx, &account, machine_row, token).await
}

/// What a link is about, whichever way the caller proved it may link.
struct Link<'a> {
    account: &'a AccountRow,
    machine: &'a ValidMachine,
    bearer: &'a BearerToken,
    network: &'a ClientNetwork,
    move_machine: bool,
    /// The enrollment key used instead of the password.
    key: Option<&'a EnrollmentKeyRow>,
}

/// Links the machine to the account inside `tx`, by the rules in this module's header:
/// the machine record (re-activated or new) and its new token.
async fn attach(
    state: &AppState,
    tx: &mut Tx,
    link: &Link<'_>,
    now: i64,
) -> Result<(MachineRow, MachineToken), ApiError> {
    let (account, machine) = (link.account, link.machine);
    let presented = match &link.bearer.0 {
        Some(token) => tx.linked_machine_by_token_hash(&token_hash(token)).await?,
        None => None,
    };
    let mut record = match (&presented, &machine.machine_id) {
        (Some(record), _) => Some(record.clone()),
        (None, Some(id)) => tx
            .machine_by_id(id)
            .await?
            .filter(|r| r.fingerprint == machine.fingerprint && !r.is_linked()),
        (None, None) => None,
    };

    if let Some(current) = record.clone() {
        if current.account_id != account.id {
            if current.is_linked() {
                if !link.move_machine {
                    return Err(ApiError::MachineLinkedElsewhere);
                }
                move_away(state, tx, &current, account, now).await?;
            }
            record = None;
        }
    }
    if record.is_none() {
        record = tx
            .unlinked_machine_by_fingerprint(account.id, &machine.fingerprint)
            .await?;
    }

    let token = MachineToken::generate();
    let machine_row = MachineRow {
        id: record
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_else(new_machine_id),
        account_id: account.id,
        fingerprint: machine.fingerprint.clone(),
        name: machine.name.clone(),
        os: machine.os.clone(),
        app_version: machine.app_version.clone(),
        token_hash: Some(token_hash(token.expose())),
        linked_at: now,
        last_seen_at: now,
        unlinked_at: None,
        created_at: record.as_ref().map_or(now, |r| r.created_at),
    };
    if record.is_some() {
        tx.relink_machine(&machine_row).await?;
    } else {
        tx.insert_machine(&machine_row).await?;
    }
    // This network is the company's now: strangers' guesses elsewhere cannot lock it out.
    tx.note_network(account.id, &link.network.0, now).await?;
    let mut detail = serde_json::json!({
        "machine_id": machine_row.id,
        "name": machine_row.name,
        "os": machine_row.os,
        "relinked": record.is_some(),
    });
    if let Some(key) = link.key {
        detail["enrollment_key"] = serde_json::json!({ "id": key.id, "label": key.label });
    }
    tx.audit(
        account.id,
        &Actor::Machine(machine_row.id.clone()),
        Action::MachineLinked,
        detail,
        now,
    )
    .await?;
    Ok((machine_row, token))
}

/// Commits the link and answers with the token and the account as the machine sees it.
async fn answer(
    state: &AppState,
    mut tx: Tx,
    account: &AccountRow,
    machine_row: MachineRow,
    token: MachineToken,
) -> Result<Json<LinkResponse>, ApiError> {
    let fresh = tx
        .account_by_id(account.id)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    let view = account_view(&mut tx, &fresh, &machine_row.id).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    tracing::info!(machine_id = %machine_row.id, customer_id = %view.customer_id, "machine linked");
    Ok(Json(LinkResponse {
        token: token.into_inner(),
        machine_id: machine_row.id.to_string(),
        account: view,
    }))
}

/// The machine leaves the account it was linked to, which is told and keeps a trace.
async fn move_away(
    state: &AppState,
    tx: &mut Tx,
    machine: &MachineRow,
    to: &AccountRow,
    now: i64,
) -> Result<(), ApiError> {
    let from = tx
        .account_by_id(machine.account_id)
        .await?
        .ok_or(ApiError::MachineNotFound)?;
    tx.unlink_machine(from.id, &machine.id, now).await?;
    let detail = serde_json::json!({
        "machine_id": machine.id,
        "name": machine.name,
        "from_customer_id": customer_id(&from).to_string(),
        "to_customer_id": customer_id(to).to_string(),
    });
    tx.audit(
        from.id,
        &Actor::Machine(machine.id.clone()),
        Action::MachineMovedAway,
        detail.clone(),
        now,
    )
    .await?;
    tx.audit(
        to.id,
        &Actor::Machine(machine.id.clone()),
        Action::MachineMovedIn,
        detail,
        now,
    )
    .await?;
    let mail = state.templates.machine_moved_away(
        &from.email,
        from.language,
        customer_id(&from),
        &machine.name,
    );
    tx.enqueue_mail(&mail, now).await?;
    Ok(())
}

pub async fn unlink_this_machine(
    State(state): State<AppState>,
    bearer: BearerToken,
) -> Result<StatusCode, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    // Unlinked meanwhile (another request got there first): say so. Any other failure
    // must not read as success, or the client would drop a token that still works.
    machines::unlink(
        &mut tx,
        &state.templates,
        &account,
        &machine,
        Unlinker::Itself,
        now,
    )
    .await
    .map_err(|err| match err {
        StorageError::MachineNotFound => ApiError::NotLinked,
        other => other.into(),
    })?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

/// A machine description that passed its checks.
pub struct ValidMachine {
    pub fingerprint: String,
    pub name: String,
    pub os: String,
    pub app_version: String,
    pub machine_id: Option<MachineId>,
}

fn valid_machine(info: &MachineInfo) -> Result<ValidMachine, ApiError> {
    let bad = |field: &str, why: &str| ApiError::InvalidMachine {
        field: format!("machine.{field}"),
        message: why.to_owned(),
    };
    let fingerprint = info.fingerprint.trim().to_ascii_lowercase();
    if fingerprint.len() != 64 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("fingerprint", "expected 64 hexadecimal characters"));
    }
    let text = |field: &str, value: &str, max: usize| -> Result<String, ApiError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(bad(field, "empty"));
        }
        if value.chars().count() > max {
            return Err(bad(field, "too long"));
        }
        if value.chars().any(char::is_control) {
            return Err(bad(field, "control characters"));
        }
        Ok(value.to_owned())
    };
    let machine_id = match info.machine_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(
            MachineId::parse(id)
                .ok_or_else(|| bad("machine_id", "expected 32 hexadecimal characters"))?,
        ),
    };
    Ok(ValidMachine {
        fingerprint,
        name: text("name", &info.name, 100)?,
        os: text("os", &info.os, 100)?,
        app_version: text("app_version", &info.app_version, 40)?,
        machine_id,
    })
}
