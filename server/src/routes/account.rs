//! The linked machine's view of its account: read, edit (Validate), free another
//! machine's link.

use account_api::{
    details::ValidDetails,
    domain::Invalid,
    error::FieldError,
    wire::{
        AccountView, EditRequest, UnlinkMachineRequest, UnlinkStaleRequest, UnlinkStaleResponse,
        STALE_DAYS_MAX,
    },
};
use axum::{
    body::Bytes,
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use super::{
    caller::{authenticate, write_with_password},
    email_change,
};
use crate::{
    account_reads::KeptView,
    accounts::{account_view, customer_id, details, read_view},
    audit::{Action, Actor},
    error::ApiError,
    extract::{ApiJson, ApiPath, BearerToken, ClientNetwork},
    ids::MachineId,
    machines::{self, Unlinker},
    passwords::typed_password,
    secrets::token_hash,
    state::AppState,
};

pub async fn read(
    State(state): State<AppState>,
    network: ClientNetwork,
    bearer: BearerToken,
) -> Result<Response, ApiError> {
    let token = bearer.0.ok_or(ApiError::NotLinked)?;
    let token_hash = token_hash(&token);
    let now = crate::now();
    // The view this instance served, if a revision check started since this request
    // arrived finds the account unchanged (see `account_reads`).
    if let Some(body) = state.account_reads.current(&token_hash, now).await {
        return Ok(json(body));
    }
    // One statement, no transaction: the app reads its account far more often than
    // anything else (see `Storage::account_read`).
    let Some(read) = state.storage.account_read(&token_hash, now).await? else {
        state.account_reads.forget(&token_hash);
        return Err(ApiError::NotLinked);
    };
    // "Last seen" (and the network it was seen on) is worth a write at most once a minute.
    let touched = read.machine_last_seen_at < now - 60;
    if touched {
        let mut tx = state.storage.write().await?;
        tx.touch_machine(&read.machine_id, now).await?;
        tx.note_network(read.account.id, &network.0, now).await?;
        tx.commit().await?;
    }
    let (account_id, revision) = (read.account.id, read.read_revision);
    let (machine_last_seen_at, valid_until) =
        (read.machine_last_seen_at, read.pending_email_expires_at);
    let body = Bytes::from(
        serde_json::to_vec(&read_view(read)).map_err(|err| ApiError::Unexpected(err.into()))?,
    );
    // A view answered before "last seen" was written is already out of date.
    if let (false, Some(revision)) = (touched, revision) {
        let kept = KeptView {
            account_id,
            revision,
            body: body.clone(),
            machine_last_seen_at,
            valid_until,
        };
        state.account_reads.keep(&token_hash, kept);
    }
    Ok(json(body))
}

/// A JSON answer already serialized, as `Json` would send it.
fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub async fn edit(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiJson(request): ApiJson<EditRequest>,
) -> Result<Json<AccountView>, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let mut raw = request.details.clone();
    // A client that does not send the language keeps the account's.
    if raw.language.as_deref().is_none_or(|l| l.trim().is_empty()) {
        raw.language = Some(account.language.as_str().to_owned());
    }
    let parsed = ValidDetails::parse(&raw);
    let password = typed_password(&request.password);
    let (new_details, password) = match (parsed, password) {
        (Ok(details), Ok(password)) => (details, password),
        (parsed, password) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(invalid) = password {
                errors.push(FieldError::new("password", invalid));
            }
            return Err(ApiError::Invalid(errors));
        }
    };
    let mut tx = write_with_password(&state, &machine, &account, &password).await?;
    let now = crate::now();
    let current = tx
        .account_by_id(account.id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    if current.version != request.version {
        return Err(ApiError::ChangedElsewhere);
    }
    // The address changes only once confirmed from it (see `email_change`): the details
    // are saved with the current one, and a different one waits for its code.
    let requested_email = new_details.email.clone();
    let mut new_details = new_details;
    new_details.email = current.email.clone();
    let before = details(&current);
    let after = new_details.to_wire();
    let changed = changed_fields(&before, &after);
    if !changed.is_empty() {
        tx.update_account_details(account.id, request.version, &new_details, now)
            .await?;
        tx.audit(
            account.id,
            &Actor::Machine(machine.id.clone()),
            Action::DetailsChanged,
            serde_json::json!({ "fields": changed }),
            now,
        )
        .await?;
        let mail = state.templates.details_changed(
            &current.email,
            new_details.language,
            customer_id(&current),
            &changed,
            &machine.name,
        );
        tx.enqueue_mail(&mail, now).await?;
    }
    if requested_email != current.email {
        email_change::request(&state, &mut tx, &current, &requested_email, &machine, now).await?;
    }
    let fresh = tx
        .account_by_id(account.id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    let view = account_view(&mut tx, &fresh, &machine.id).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(Json(view))
}

fn changed_fields(
    before: &account_api::wire::AccountDetails,
    after: &account_api::wire::AccountDetails,
) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("company_name", before.company_name != after.company_name);
    check(
        "contact_first_name",
        before.contact_first_name != after.contact_first_name,
    );
    check(
        "contact_last_name",
        before.contact_last_name != after.contact_last_name,
    );
    check("phone", before.phone != after.phone);
    check("siret", before.siret != after.siret);
    check("address", before.address != after.address);
    check("language", before.language != after.language);
    changed
}

/// Frees another machine's link (a dead PC, a departed colleague's laptop).
pub async fn unlink_other_machine(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiPath(machine_id): ApiPath<String>,
    ApiJson(request): ApiJson<UnlinkMachineRequest>,
) -> Result<StatusCode, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let password = typed_password(&request.password).map_err(|e| ApiError::field("password", e))?;
    let mut tx = write_with_password(&state, &machine, &account, &password).await?;
    let now = crate::now();
    let target = machines::linked_machine(&mut tx, &account, &machine_id)
        .await?
        .ok_or(ApiError::MachineNotFound)?;
    machines::unlink(
        &mut tx,
        &state.templates,
        &account,
        &target,
        Unlinker::OtherMachine(&machine),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks, in one step, the computers the user was shown as not seen for N days.
pub async fn unlink_stale_machines(
    State(state): State<AppState>,
    bearer: BearerToken,
    ApiJson(request): ApiJson<UnlinkStaleRequest>,
) -> Result<Json<UnlinkStaleResponse>, ApiError> {
    let (machine, account) = authenticate(&state, bearer).await?;
    let mut errors = Vec::new();
    if !(1..=STALE_DAYS_MAX).contains(&request.not_seen_days) {
        errors.push(FieldError::new("not_seen_days", Invalid::OutOfRange));
    }
    let password =
        typed_password(&request.password).map_err(|e| errors.push(FieldError::new("password", e)));
    let Ok(password) = password else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // Ids that cannot be a machine's match none; a list longer than any account's is refused.
    if request.machine_ids.len() > 10_000 {
        return Err(ApiError::field("machine_ids", Invalid::TooLong));
    }
    let ids: Vec<MachineId> = request
        .machine_ids
        .iter()
        .filter_map(|id| MachineId::parse(id.trim()))
        .collect();
    let mut tx = write_with_password(&state, &machine, &account, &password).await?;
    let now = crate::now();
    let unlinked = machines::unlink_stale(
        &mut tx,
        &state.templates,
        &account,
        &ids,
        request.not_seen_days,
        Some(&machine.id),
        &Actor::Machine(machine.id.clone()),
        now,
    )
    .await?;
    let fresh = tx
        .account_by_id(account.id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    let view = account_view(&mut tx, &fresh, &machine.id).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(Json(UnlinkStaleResponse {
        unlinked: unlinked.into_iter().map(|m| m.id.to_string()).collect(),
        account: view,
    }))
}
