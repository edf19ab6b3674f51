//! Admins' actions for a customer's administrator: create an enrollment key (shown once),
//! revoke one, and unlink in one step the computers not seen for N days. Every agent
//! sees the keys on the account page; these handlers refuse agents who are not admins.

use account_api::{
    domain::Invalid,
    error::FieldError,
    wire::{ENROLLMENT_KEY_MAX_DAYS, ENROLLMENT_KEY_MAX_USES, STALE_DAYS_MAX},
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{back_to, load, render_account, ConfirmForm, EnrollmentKeyForm, UnlinkStaleForm};
use crate::{
    console::{
        extract::{ConsolePath, ConsoleQuery},
        pages::{self, AccountPage, FormState},
        session::{Agent, SignedForm},
        t, ConsoleError,
    },
    enrollment::{self, KeySpec},
    ids::MachineId,
    machines,
    state::AppState,
    storage::{AccountRow, Tx},
};

/// A whole number typed in a form: `None` when left empty (the default applies), the
/// field's message when it is not a number.
fn typed_number(
    agent: &Agent,
    form: &mut FormState,
    field: &'static str,
    typed: &str,
) -> Result<Option<i64>, ()> {
    let typed = typed.trim();
    form.set(field, typed.to_owned());
    if typed.is_empty() {
        return Ok(None);
    }
    typed.parse::<i64>().map(Some).map_err(|_| {
        form.error(
            field,
            t(
                agent.language,
                "Indiquez un nombre entier.",
                "Enter a whole number.",
            ),
        )
    })
}

/// The message of a field `KeySpec::parse` refused, in the agent's language.
fn key_field_message(agent: &Agent, error: &FieldError) -> String {
    let l = agent.language;
    match error.field.as_str() {
        "uses" => format!(
            "{} {ENROLLMENT_KEY_MAX_USES}.",
            t(l, "Entre 1 et", "Between 1 and")
        ),
        "valid_days" => format!(
            "{} {ENROLLMENT_KEY_MAX_DAYS} {}.",
            t(l, "Entre 1 et", "Between 1 and"),
            t(l, "jours", "days")
        ),
        _ => match Invalid::ALL.iter().find(|i| i.code() == error.code) {
            Some(Invalid::Empty) => t(
                l,
                "Indiquez à quoi sert la clé (par exemple : Salle de formation).",
                "Say what the key is for (for example: Training room).",
            )
            .to_owned(),
            Some(invalid) => t(l, invalid.message_fr(), invalid.message_en()).to_owned(),
            None => error.message.clone(),
        },
    }
}

pub async fn create_enrollment_key(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<EnrollmentKeyForm>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let mut state_form = FormState::default();
    state_form.set("label", form.label.trim().to_owned());
    let uses = typed_number(&agent, &mut state_form, "uses", &form.uses);
    let valid_days = typed_number(&agent, &mut state_form, "valid_days", &form.valid_days);
    let spec = KeySpec::parse(
        &form.label,
        uses.unwrap_or_default(),
        valid_days.unwrap_or_default(),
    );
    let spec = match spec {
        Ok(spec) if !state_form.has_errors() => spec,
        refused => {
            for error in refused.err().unwrap_or_default() {
                let field = match error.field.as_str() {
                    "label" => "label",
                    "uses" => "uses",
                    _ => "valid_days",
                };
                // A number not understood keeps its own message.
                if !state_form.has_error(field) {
                    state_form.error_owned(field, key_field_message(&agent, &error));
                }
            }
            let page = AccountPage {
                enrollment_key_form: state_form,
                ..AccountPage::default()
            };
            return render_account(&state, &agent, &raw, page, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let created = enrollment::create(
        &mut tx,
        &state.templates,
        &account,
        &spec,
        agent.actor(),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    // Shown in this answer only: a reload of the account page never shows it again.
    Ok(
        pages::enrollment_key_created(&agent, &account, &created.key, &created.enrollment_key)
            .into_response(),
    )
}

/// The account's key still in force with this id (as the path has it).
async fn active_key(
    tx: &mut Tx,
    agent: &Agent,
    account: &AccountRow,
    typed: &str,
) -> Result<account_api::wire::EnrollmentKeyView, ConsoleError> {
    let id: i64 = typed
        .parse()
        .map_err(|_| ConsoleError::EnrollmentKeyNotFound(agent.language))?;
    enrollment::views(tx, account, crate::now())
        .await?
        .into_iter()
        .find(|k| k.id == id && k.status == "active")
        .ok_or(ConsoleError::EnrollmentKeyNotFound(agent.language))
}

pub async fn confirm_revoke_enrollment_key(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath((raw, key_id)): ConsolePath<(String, String)>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let key = active_key(&mut tx, &agent, &account, &key_id).await?;
    tx.commit().await?;
    Ok(pages::confirm_revoke_enrollment_key(&agent, &account, &key).into_response())
}

pub async fn revoke_enrollment_key(
    State(state): State<AppState>,
    ConsolePath((raw, key_id)): ConsolePath<(String, String)>,
    SignedForm(agent, _form): SignedForm<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let key_id: i64 = key_id
        .parse()
        .map_err(|_| ConsoleError::EnrollmentKeyNotFound(agent.language))?;
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    if !enrollment::revoke(&mut tx, &account, key_id, agent.actor(), crate::now()).await? {
        return Err(ConsoleError::EnrollmentKeyNotFound(agent.language));
    }
    tx.commit().await?;
    Ok(back_to(&account, "enrollment-key-revoked"))
}

#[derive(Deserialize, Default)]
pub struct UnlinkStaleQuery {
    #[serde(default)]
    not_seen_days: String,
}

/// The number of days typed, or the account page with the field's message.
fn stale_days(agent: &Agent, typed: &str) -> Result<i64, FormState> {
    let mut form = FormState::default();
    let days = typed_number(agent, &mut form, "not_seen_days", typed);
    match days {
        Ok(Some(days)) if (1..=STALE_DAYS_MAX).contains(&days) => Ok(days),
        Err(()) => Err(form),
        Ok(_) => {
            form.error_owned(
                "not_seen_days",
                format!(
                    "{} {STALE_DAYS_MAX} {}.",
                    t(agent.language, "Entre 1 et", "Between 1 and"),
                    t(agent.language, "jours", "days")
                ),
            );
            Err(form)
        }
    }
}

/// The account page again, the refused number of days marked on its form.
async fn refused_days(
    state: &AppState,
    agent: &Agent,
    raw: &str,
    form: FormState,
) -> Result<Response, ConsoleError> {
    let page = AccountPage {
        unlink_stale_form: form,
        ..AccountPage::default()
    };
    render_account(state, agent, raw, page, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn confirm_unlink_stale(
    State(state): State<AppState>,
    agent: Agent,
    ConsolePath(raw): ConsolePath<String>,
    ConsoleQuery(query): ConsoleQuery<UnlinkStaleQuery>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let days = match stale_days(&agent, &query.not_seen_days) {
        Ok(days) => days,
        Err(form) => return refused_days(&state, &agent, &raw, form).await,
    };
    let mut tx = state.storage.read().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let machines = machines::not_seen_for(&mut tx, &account, days, crate::now()).await?;
    tx.commit().await?;
    Ok(pages::confirm_unlink_stale(&agent, &account, days, &machines).into_response())
}

pub async fn unlink_stale(
    State(state): State<AppState>,
    ConsolePath(raw): ConsolePath<String>,
    SignedForm(agent, form): SignedForm<UnlinkStaleForm>,
) -> Result<Response, ConsoleError> {
    agent.require_admin()?;
    let days = match stale_days(&agent, &form.not_seen_days) {
        Ok(days) => days,
        Err(form) => return refused_days(&state, &agent, &raw, form).await,
    };
    // Exactly the computers listed on the confirmation page; ids that are not one match none.
    let ids: Vec<MachineId> = form
        .machine_ids
        .split(',')
        .take(10_000)
        .filter_map(|id| MachineId::parse(id.trim()))
        .collect();
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let account = load(&mut tx, &agent, &raw).await?;
    let unlinked = machines::unlink_stale(
        &mut tx,
        &state.templates,
        &account,
        &ids,
        days,
        None,
        agent.actor(),
        now,
    )
    .await?;
    tx.commit().await?;
    if unlinked.is_empty() {
        return Ok(back_to(&account, "stale-none"));
    }
    state.mail_wake.notify_one();
    Ok(back_to(&account, "stale-unlinked"))
}
