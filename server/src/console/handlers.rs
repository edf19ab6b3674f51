//! The console's pages and actions. Reads go through one transaction per page; every
//! change writes its ledger entry or note together with its audit event.

use account_api::domain::CustomerId;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    auth::{Agent, CsrfField, SignedForm},
    extract::{ConsolePath, ConsoleQuery},
    pages::{self, AccountPage, FormState, Found},
    t, ConsoleError,
};
use crate::{
    ledger,
    routes::common::{account_id, customer_id, find_accounts, language},
    secrets::generate_password,
    state::AppState,
    storage::{AccountRow, Tx},
    support::{
        parse_minutes, DurationProblem, SearchQuery, MAX_CREDIT_MINUTES, MAX_SESSION_MINUTES,
    },
};

/// Longest result list: past this, the agent should type more.
const MAX_RESULTS: i64 = 50;
const MAX_NOTE_CHARS: usize = 2000;
const MAX_REFERENCE_CHARS: usize = 100;

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

signed_form!(SessionForm { minutes, note });
signed_form!(CreditForm {
    minutes,
    reference,
    note
});
signed_form!(NoteForm { text });
signed_form!(CorrectionForm { reason });
signed_form!(ConfirmForm {});

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

pub async fn find(
    State(state): State<AppState>,
    agent: Agent,
    ConsoleQuery(query): ConsoleQuery<FindQuery>,
) -> Result<Response, ConsoleError> {
    let typed = query.q.trim().to_owned();
    if typed.is_empty() {
        return Ok(pages::find(&agent, "", None).into_response());
    }
    let query = SearchQuery::parse(&typed);
    let mut tx = state.storage.read().await?;
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
    let not_found = || ConsoleError::AccountNotFound(agent.language);
    let id = CustomerId::parse(raw).map_err(|_| not_found())?;
    let aid = account_id(id).ok_or_else(not_found)?;
    tx.account_by_id(aid).await?.ok_or_else(not_found)
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    /// What was just done, for the confirmation line.
    #[serde(default)]
    done: Option<String>,
    /// Minutes measured by the timer, to prefill the session form.
    #[serde(default)]
    minutes: Option<i64>,
}

pub async fn account(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath(raw): ConsolePath<String>,
    ConsoleQuery(query): ConsoleQuery<AccountQuery>,
) -> Result<Response, ConsoleError> {
    let mut session_form = FormState::default();
    if let Some(minutes) = query.minutes.filter(|m| *m > 0) {
        session_form.set("minutes", minutes.to_string());
    }
    let page = AccountPage {
        done: query.done,
        session_form,
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
    page.balance = page.ledger.iter().map(|e| e.minutes).sum();
    page.reversed = page.ledger.iter().filter_map(|e| e.reverses).collect();
    page.notes = tx.notes(account.id).await?;
    page.history = tx.audit_events(account.id).await?;
    page.timer_started_at = tx.timer(agent.id, account.id).await?;
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

fn text_field(
    agent: &Agent,
    form: &mut FormState,
    field: &'static str,
    value: &str,
    required: bool,
    max_chars: usize,
) -> String {
    let value = value.trim().to_owned();
    form.set(field, value.clone());
    if required && value.is_empty() {
        form.error(
            field,
            t(
                agent.language,
                "Ce champ est obligatoire.",
                "This field is required.",
            ),
        );
    } else if value.chars().count() > max_chars {
        form.error(
            field,
            t(
                agent.language,
                "Ce texte est trop long.",
                "This text is too long.",
            ),
        );
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        form.error(
            field,
            t(
                agent.language,
                "Ce texte contient des caractères invisibles non admis.",
                "This text contains invisible characters that are not allowed.",
            ),
        );
    }
    value
}

pub async fn log_session(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<SessionForm>,
) -> Result<Response, ConsoleError> {
    let mut state_form = FormState::default();
    let worked = duration_field(&agent, &mut state_form, &form.minutes, MAX_SESSION_MINUTES);
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
            session_form: state_form,
            ..AccountPage::default()
        };
        return render_account(&state, &agent, &raw, page, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let rounding = state.support.rounding;
    ledger::log_session(
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
    Ok(back_to(&account, "session"))
}

pub async fn start_timer(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.start_timer(agent.id, account.id, crate::now()).await?;
    tx.commit().await?;
    Ok(back_to(&account, "timer"))
}

pub async fn stop_timer(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let started = tx.stop_timer(agent.id, account.id).await?;
    tx.commit().await?;
    let cid = customer_id(&account);
    Ok(match started {
        Some(started) => {
            // Each started minute counts; the rounding rule applies when it is logged.
            let minutes = ((crate::now() - started) + 59) / 60;
            Redirect::to(&format!(
                "/console/accounts/{cid}?minutes={}#log-session",
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
        "note_added",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&account, "note"))
}

pub async fn confirm_correction(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath((raw, entry_id)): ConsolePath<(String, i64)>,
) -> Result<Response, ConsoleError> {
    let mut tx = state.storage.read().await?;
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
    State(state): State<AppState>,
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
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let entry = tx
        .ledger_entry(account.id, entry_id)
        .await?
        .ok_or(ConsoleError::EntryNotFound(agent.language))?;
    let reversed = tx.is_reversed(entry.id).await?;
    if state_form.has_errors() || reversed || entry.kind == "correction" {
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
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath(raw): ConsolePath<String>,
) -> Result<Response, ConsoleError> {
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    tx.commit().await?;
    Ok(pages::confirm_password_request(&agent, &account).into_response())
}

pub async fn send_password(
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
    tx.add_pending_password(
        account.id,
        &hash,
        now + crate::mail::templates::PENDING_PASSWORD_HOURS * 3600,
        now,
    )
    .await?;
    let mail = state.templates.new_password(
        &account.email,
        language(&account),
        customer_id(&account),
        password.expose(),
    );
    tx.enqueue_mail(&mail, now).await?;
    tx.audit(
        account.id,
        agent.actor(),
        "password_sent_by_support",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(back_to(&account, "password"))
}

pub async fn confirm_unlink(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath((raw, machine_id)): ConsolePath<(String, String)>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let machine = tx
        .machine_by_id(&machine_id)
        .await?
        .filter(|m| m.account_id == account.id && m.is_linked())
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
    let machine = tx
        .machine_by_id(&machine_id)
        .await?
        .filter(|m| m.account_id == account.id)
        .ok_or(ConsoleError::MachineNotFound(agent.language))?;
    match tx.unlink_machine(account.id, &machine.id, now).await {
        Ok(()) => {}
        Err(crate::storage::StorageError::MachineNotFound) => {
            return Err(ConsoleError::MachineNotFound(agent.language))
        }
        Err(other) => return Err(other.into()),
    }
    tx.audit(
        account.id,
        agent.actor(),
        "machine_unlinked_by_support",
        serde_json::json!({ "machine_id": machine.id, "name": machine.name }),
        now,
    )
    .await?;
    let mail = state.templates.machine_unlinked_by_support(
        &account.email,
        language(&account),
        customer_id(&account),
        &machine.name,
    );
    tx.enqueue_mail(&mail, now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(back_to(&account, "unlinked"))
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    customer_id: String,
}

pub async fn export_page(agent: Agent, ConsoleQuery(query): ConsoleQuery<ExportQuery>) -> Response {
    let mut form = FormState::default();
    let (from, to) = pages::last_month(&agent.zone);
    form.set(
        "from",
        if query.from.is_empty() {
            from
        } else {
            query.from
        },
    );
    form.set("to", if query.to.is_empty() { to } else { query.to });
    form.set("customer_id", query.customer_id);
    pages::export(&agent, &form).into_response()
}

/// The ledger as CSV for invoicing: semicolons and a BOM, as French spreadsheets expect.
pub async fn export_csv(
    State(state): State<AppState>,
    agent: Agent,
    ConsoleQuery(query): ConsoleQuery<ExportQuery>,
) -> Result<Response, ConsoleError> {
    let mut form = FormState::default();
    form.set("from", query.from.clone());
    form.set("to", query.to.clone());
    form.set("customer_id", query.customer_id.clone());
    let bad_date = t(
        agent.language,
        "Date non reconnue : AAAA-MM-JJ.",
        "Date not understood: YYYY-MM-DD.",
    );
    let from = pages::day_start(&agent.zone, &query.from);
    let to = pages::day_start(&agent.zone, &query.to);
    if from.is_none() {
        form.error("from", bad_date);
    }
    if to.is_none() {
        form.error("to", bad_date);
    }
    if let (Some(from), Some(to)) = (from, to) {
        if to.0 < from.0 {
            form.error(
                "to",
                t(
                    agent.language,
                    "La fin de la période précède son début.",
                    "The period ends before it starts.",
                ),
            );
        }
    }
    let mut tx = state.storage.read().await?;
    let mut only = None;
    if !query.customer_id.trim().is_empty() {
        let account = match CustomerId::parse(&query.customer_id) {
            Ok(id) => match account_id(id) {
                Some(aid) => tx.account_by_id(aid).await?,
                None => None,
            },
            Err(_) => None,
        };
        match account {
            Some(account) => only = Some(account.id),
            None => form.error(
                "customer_id",
                t(
                    agent.language,
                    "Aucun compte client ne porte ce numéro.",
                    "No customer account has this number.",
                ),
            ),
        }
    }
    let (Some(from), Some(to), false) = (from, to, form.has_errors()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::export(&agent, &form),
        )
            .into_response());
    };
    // `to` is the last day included.
    let rows = tx.ledger_export(from.1, to.2, only).await?;
    tx.commit().await?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    let header = match agent.language {
        account_api::domain::Language::Fr => [
            "écriture",
            "date",
            "n° client",
            "raison sociale",
            "type",
            "minutes",
            "minutes travaillées",
            "référence",
            "note",
            "agent",
            "annule l'écriture",
        ],
        account_api::domain::Language::En => [
            "entry",
            "date",
            "customer ID",
            "company",
            "kind",
            "minutes",
            "minutes worked",
            "reference",
            "note",
            "agent",
            "reverses entry",
        ],
    };
    let write = move || -> Result<Vec<u8>, anyhow::Error> {
        writer.write_record(header)?;
        for row in &rows {
            let cid = crate::routes::common::customer_id_of(row.account_id).to_string();
            writer.write_record([
                row.id.to_string(),
                pages::local_time(&agent.zone, row.at),
                cid,
                spreadsheet_safe(&row.company_name),
                pages::kind_label(agent.language, &row.kind).to_owned(),
                row.minutes.to_string(),
                row.worked_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                spreadsheet_safe(&row.reference),
                spreadsheet_safe(&row.note),
                spreadsheet_safe(&row.agent_name),
                row.reverses.map(|r| r.to_string()).unwrap_or_default(),
            ])?;
        }
        writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    };
    let body = write().map_err(ConsoleError::Unexpected)?;
    let name = format!(
        "support-time_{}_{}{}.csv",
        query.from.trim(),
        query.to.trim(),
        if only.is_some() {
            let digits: String = query
                .customer_id
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            format!("_{digits}")
        } else {
            String::new()
        }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// Text a spreadsheet would run as a formula ("=HYPERLINK(…)" typed in a note) is kept
/// as text by a leading apostrophe, the way spreadsheets mark text themselves.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn exported_text_never_runs_as_a_formula() {
        assert_eq!(spreadsheet_safe("=1+1"), "'=1+1");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-2 h offertes"), "'-2 h offertes");
        assert_eq!(spreadsheet_safe("Clôture annuelle"), "Clôture annuelle");
    }
}
