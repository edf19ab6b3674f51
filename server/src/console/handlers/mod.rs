//! The console's pages and actions. Reads go through one transaction per page; every
//! change writes its ledger entry or note together with its audit event. The CSV export
//! is in `export`.

mod export;

pub use export::{export_csv, export_page};

use account_api::domain::Invalid;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    extract::{ConsolePath, ConsoleQuery},
    pages::{self, AccountPage, FormState, Found},
    session::{Agent, CsrfField, SignedForm},
    t, ConsoleError,
};
use crate::{
    accounts::{self, customer_id, find_accounts},
    audit::Action,
    enrollment, ledger,
    machines::{self, Unlinker},
    passwords::{self, RequestedBy},
    secrets::generate_password,
    state::AppState,
    storage::{AccountRow, Storage, StorageError, Tx},
    support::{
        ledger_text, parse_minutes, DurationProblem, LedgerKind, SearchQuery, MAX_CREDIT_MINUTES,
        MAX_NOTE_CHARS, MAX_REFERENCE_CHARS, MAX_SUPPORT_CALL_MINUTES,
    },
};

/// Longest result list: past this, the agent should type more.
const MAX_RESULTS: i64 = 50;

macro_rules! signed_form {
    ($name:ident { $($field:ident),* $(,)? }) => {
        #[derive(Deserialize)]
        pub struct $name {
            #[serde(default)]
            csrf: String,
            $(#[serde(default)] $field: String,)*
        }
        impl CsrfField for $name {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    };
}

signed_form!(SupportCallForm { minutes, note });
signed_form!(CreditForm {
    minutes,
    reference,
    note
});
signed_form!(NoteForm { text });
signed_form!(CorrectionForm { reason });
signed_form!(ConfirmForm {});
signed_form!(EnrollmentKeyForm {
    label,
    uses,
    valid_days
});
signed_form!(UnlinkStaleForm {
    not_seen_days,
    machine_ids
});

// After the forms: it uses them.
mod enrollment_keys;

pub use enrollment_keys::{
    confirm_revoke_enrollment_key, confirm_unlink_stale, create_enrollment_key,
    revoke_enrollment_key, unlink_stale,
};

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

pub async fn find(
    State(storage): State<Storage>,
    agent: Agent,
    ConsoleQuery(query): ConsoleQuery<FindQuery>,
) -> Result<Response, ConsoleError> {
    let typed = query.q.trim().to_owned();
    if typed.is_empty() {
        return Ok(pages::find(&agent, "", None).into_response());
    }
    let query = SearchQuery::parse(&typed);
    let mut tx = storage.read().await?;
    let found = find_accounts(&mut tx, &query, MAX_RESULTS).await?;
    let found = match query {
        // The caller's number is right and known: straight to the account.
        SearchQuery::CustomerId(id) if !found.accounts.is_empty() => {
            return Ok(Redirect::to(&format!("/console/accounts/{id}")).into_response());
        }
        SearchQuery::CustomerId(_) => Found::UnknownId,
        SearchQuery::MisheardId { .. } => Found::Misheard(found.accounts),
        SearchQuery::TooShort => Found::TooShort,
        _ if found.more => Found::Many(found.accounts),
        _ => Found::Accounts(found.accounts),
    };
    tx.commit().await?;
    Ok(pages::find(&agent, &typed, Some(found)).into_response())
}

/// The account behind the path's customer ID.
async fn load(tx: &mut Tx, agent: &Agent, raw: &str) -> Result<AccountRow, ConsoleError> {
    accounts::by_customer_id(tx, raw)
        .await
        .map_err(|err| match err {
            accounts::NotFound::Storage(err) => err.into(),
            _ => ConsoleError::AccountNotFound(agent.language),
        })
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    /// What was just done, for the confirmation line.
    #[serde(default)]
    done: Option<String>,
    /// Minutes measured by the timer, to prefill the support call form.
    #[serde(default)]
    minutes: Option<i64>,
}

pub async fn account(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath(raw): ConsolePath<String>,
    ConsoleQuery(query): ConsoleQuery<AccountQuery>,
) -> Result<Response, ConsoleError> {
    let mut support_call_form = FormState::default();
    if let Some(minutes) = query.minutes.filter(|m| *m > 0) {
        support_call_form.set("minutes", minutes.to_string());
    }
    let page = AccountPage {
        done: query.done,
        support_call_form,
        ..AccountPage::default()
    };
    render_account(&state, &agent, &raw, page, StatusCode::OK).await
}

async fn render_account(
    state: &AppState,
    agent: &Agent,
    raw: &str,
    mut page: AccountPage,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, agent, raw).await?;
    page.machines = tx.machines_of_account(account.id).await?;
    page.ledger = tx.ledger(account.id).await?;
    page.balance = tx.balance(account.id).await?;
    page.reversed = page.ledger.iter().filter_map(|e| e.reverses).collect();
    page.notes = tx.notes(account.id).await?;
    page.history = tx.audit_events(account.id).await?;
    page.timer_started_at = tx.timer(agent.id, account.id).await?;
    page.enrollment_keys = enrollment::views(&mut tx, &account, crate::now()).await?;
    tx.commit().await?;
    page.rounding = state.support.rounding;
    page.account = Some(account);
    Ok((status, pages::account(agent, &page)).into_response())
}

fn back_to(account: &AccountRow, done: &str) -> Response {
    Redirect::to(&format!(
        "/console/accounts/{}?done={done}",
        customer_id(account)
    ))
    .into_response()
}

fn duration_message(agent: &Agent, problem: DurationProblem, max: i64) -> String {
    match problem {
        DurationProblem::Missing => {
            t(agent.language, "Indiquez une durée.", "Enter a duration.").to_owned()
        }
        DurationProblem::Invalid => t(
            agent.language,
            "Durée non reconnue : écrivez par exemple 17, 1h30 ou 1:30.",
            "Duration not understood: write for example 17, 1h30 or 1:30.",
        )
        .to_owned(),
        DurationProblem::TooLong => format!(
            "{} {}",
            t(
                agent.language,
                "Durée trop longue : au plus",
                "Duration too long: at most"
            ),
            crate::support::format_minutes(max)
        ),
    }
}

/// The "minutes" field: what was typed kept, read as minutes, or its message.
fn duration_field(agent: &Agent, form: &mut FormState, typed: &str, max: i64) -> Option<i64> {
    form.set("minutes", typed.to_owned());
    parse_minutes(typed, max)
        .map_err(|p| form.error_owned("minutes", duration_message(agent, p, max)))
        .ok()
}

/// A text field of a form, by the ledger's one rule (`ledger_text`): what was typed
/// kept, trimmed, or its message in the agent's language.
fn text_field(
    agent: &Agent,
    form: &mut FormState,
    field: &'static str,
    value: &str,
    required: bool,
    max_chars: usize,
) -> String {
    form.set(field, value.trim().to_owned());
    match ledger_text(value, required, max_chars) {
        Ok(value) => value,
        Err(invalid) => {
            let (fr, en) = match invalid {
                Invalid::Empty => ("Ce champ est obligatoire.", "This field is required."),
                Invalid::TooLong => ("Ce texte est trop long.", "This text is too long."),
                _ => (
                    "Ce texte contient des caractères invisibles non admis.",
                    "This text contains invisible characters that are not allowed.",
                ),
            };
            form.error(field, t(agent.language, fr, en));
            value.trim().to_owned()
        }
    }
}

pub async fn log_support_call(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<SupportCallForm>,
) -> Result<Response, ConsoleError> {
    let mut state_form = FormState::default();
    let worked = duration_field(
        &agent,
        &mut state_form,
        &form.minutes,
        MAX_SUPPORT_CALL_MINUTES,
    );
    let note = text_field(
        &agent,
        &mut state_form,
        "note",
        &form.note,
        false,
        MAX_NOTE_CHARS,
    );
    let (Some(worked), false) = (worked, state_form.has_errors()) else {
        let page = AccountPage {
            support_call_form: state_form,
            ..AccountPage::default()
        };
        return render_account(&state, &agent, &raw, page, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let rounding = state.support.rounding;
    ledger::log_support_call(
        &mut tx,
        &agent.writer(),
        account.id,
        worked,
        &note,
        rounding,
        now,
    )
    .await?;
    // The call is logged: its timer, if one ran, is done.
    tx.stop_timer(agent.id, account.id).await?;
    tx.commit().await?;
    Ok(back_to(&account, "support-call"))
}

pub async fn start_timer(
    State(storage): State<Storage>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    let mut tx = storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.start_timer(agent.id, account.id, crate::now()).await?;
    tx.commit().await?;
    Ok(back_to(&account, "timer"))
}

pub async fn stop_timer(
    State(storage): State<Storage>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    let mut tx = storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let started = tx.stop_timer(agent.id, account.id).await?;
    tx.commit().await?;
    let cid = customer_id(&account);
    Ok(match started {
        Some(started) => {
            // Each started minute counts; the rounding rule applies when it is logged.
            let minutes = ((crate::now() - started) + 59) / 60;
            Redirect::to(&format!(
                "/console/accounts/{cid}?minutes={}#log-support-call",
                minutes.max(1)
            ))
            .into_response()
        }
        None => Redirect::to(&format!("/console/accounts/{cid}")).into_response(),
    })
}

pub async fn add_credit(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<CreditForm>,
) -> Result<Response, ConsoleError> {
    let mut state_form = FormState::default();
    let minutes = duration_field(&agent, &mut state_form, &form.minutes, MAX_CREDIT_MINUTES);
    let reference = text_field(
        &agent,
        &mut state_form,
        "reference",
        &form.reference,
        true,
        MAX_REFERENCE_CHARS,
    );
    let note = text_field(
        &agent,
        &mut state_form,
        "note",
        &form.note,
        false,
        MAX_NOTE_CHARS,
    );
    let (Some(minutes), false) = (minutes, state_form.has_errors()) else {
        let page = AccountPage {
            credit_form: state_form,
            ..AccountPage::default()
        };
        return render_account(&state, &agent, &raw, page, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    ledger::add_credit(
        &mut tx,
        &agent.writer(),
        account.id,
        minutes,
        &reference,
        &note,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&account, "credit"))
}

pub async fn add_note(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<NoteForm>,
) -> Result<Response, ConsoleError> {
    let mut state_form = FormState::default();
    let text = text_field(
        &agent,
        &mut state_form,
        "text",
        &form.text,
        true,
        MAX_NOTE_CHARS,
    );
    if state_form.has_errors() {
        let page = AccountPage {
            note_form: state_form,
            ..AccountPage::default()
        };
        return render_account(&state, &agent, &raw, page, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.add_note(account.id, &agent.name, &text, now).await?;
    tx.audit(
        account.id,
        agent.actor(),
        Action::NoteAdded,
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&account, "note"))
}

pub async fn confirm_correction(
    State(storage): State<Storage>,
    agent: Agent,
    ConsolePath((raw, entry_id)): ConsolePath<(String, i64)>,
) -> Result<Response, ConsoleError> {
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let entry = tx
        .ledger_entry(account.id, entry_id)
        .await?
        .ok_or(ConsoleError::EntryNotFound(agent.language))?;
    let reversed = tx.is_reversed(entry.id).await?;
    tx.commit().await?;
    Ok(
        pages::confirm_correction(&agent, &account, &entry, reversed, &FormState::default())
            .into_response(),
    )
}

pub async fn correct(
    State(storage): State<Storage>,
    ConsolePath((raw, entry_id)): ConsolePath<(String, i64)>,
    SignedForm(agent, form): SignedForm<CorrectionForm>,
) -> Result<Response, ConsoleError> {
    let mut state_form = FormState::default();
    let reason = text_field(
        &agent,
        &mut state_form,
        "reason",
        &form.reason,
        true,
        MAX_NOTE_CHARS,
    );
    let now = crate::now();
    let mut tx = storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let entry = tx
        .ledger_entry(account.id, entry_id)
        .await?
        .ok_or(ConsoleError::EntryNotFound(agent.language))?;
    let reversed = tx.is_reversed(entry.id).await?;
    if state_form.has_errors() || reversed || entry.kind == LedgerKind::Correction {
        drop(tx);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::confirm_correction(&agent, &account, &entry, reversed, &state_form),
        )
            .into_response());
    }
    ledger::correct(&mut tx, &agent.writer(), &entry, &reason, now).await?;
    tx.commit().await?;
    Ok(back_to(&account, "correction"))
}

pub async fn confirm_password_request(
    State(storage): State<Storage>,
    agent: Agent,
    ConsolePath(raw): ConsolePath<String>,
) -> Result<Response, ConsoleError> {
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.commit().await?;
    Ok(pages::confirm_password_request(&agent, &account).into_response())
}

pub async fn send_password_request(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    // The agent never sees it: it goes from here into the account's mailbox only.
    let password = generate_password();
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.commit().await?;
    let hash = state
        .hasher
        .hash_like(&password, &account.password_hash)
        .await?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    passwords::record_request(
        &mut tx,
        &state.templates,
        &account,
        &password,
        &hash,
        RequestedBy::Support(agent.actor()),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(back_to(&account, "password"))
}

pub async fn confirm_unlink(
    State(storage): State<Storage>,
    agent: Agent,
    ConsolePath((raw, machine_id)): ConsolePath<(String, String)>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let mut tx = storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let machine = machines::linked_machine(&mut tx, &account, &machine_id)
        .await?
        .ok_or(ConsoleError::MachineNotFound(agent.language))?;
    tx.commit().await?;
    Ok(pages::confirm_unlink(&agent, &account, &machine).into_response())
}

pub async fn unlink(
    State(state): State<AppState>,
    ConsolePath((raw, machine_id)): ConsolePath<(String, String)>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let machine = machines::linked_machine(&mut tx, &account, &machine_id)
        .await?
        .ok_or(ConsoleError::MachineNotFound(agent.language))?;
    let unlinked = machines::unlink(
        &mut tx,
        &state.templates,
        &account,
        &machine,
        Unlinker::Agent(agent.actor()),
        now,
    )
    .await;
    match unlinked {
        Ok(()) => {}
        Err(StorageError::MachineNotFound) => {
            return Err(ConsoleError::MachineNotFound(agent.language))
        }
        Err(other) => return Err(other.into()),
    }
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(back_to(&account, "unlinked"))
}
