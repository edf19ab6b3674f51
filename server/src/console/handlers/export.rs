//! The ledger export for invoicing: a form for the period (and, optionally, one
//! account), then the CSV itself.

use account_api::domain::Language;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    accounts,
    console::{
        extract::ConsoleQuery,
        pages::{self, FormState},
        session::Agent,
        t, ConsoleError,
    },
    ids::AccountId,
    storage::{ExportRow, Storage, Tx},
};

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
    State(storage): State<Storage>,
    agent: Agent,
    ConsoleQuery(query): ConsoleQuery<ExportQuery>,
) -> Result<Response, ConsoleError> {
    let mut form = FormState::default();
    form.set("from", query.from.clone());
    form.set("to", query.to.clone());
    form.set("customer_id", query.customer_id.clone());
    let period = export_period(&agent, &mut form, &query);
    let mut tx = storage.read().await?;
    let only = export_account(&mut tx, &agent, &mut form, &query.customer_id).await?;
    let (Some((from, to)), false) = (period, form.has_errors()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::export(&agent, &form),
        )
            .into_response());
    };
    let rows = tx.ledger_export(from, to, only).await?;
    tx.commit().await?;
    let body = export_body(&agent, &rows).map_err(ConsoleError::Unexpected)?;
    let name = export_file_name(&query, only.is_some());
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

/// The export's period as Unix times, from its first day's start to the start of the day
/// after its last (`to` is included); `None` with the fields' messages in `form`.
fn export_period(agent: &Agent, form: &mut FormState, query: &ExportQuery) -> Option<(i64, i64)> {
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
    let (from, to) = (from?, to?);
    if to.0 < from.0 {
        form.error(
            "to",
            t(
                agent.language,
                "La fin de la période précède son début.",
                "The period ends before it starts.",
            ),
        );
        return None;
    }
    Some((from.1, to.2))
}

/// The one account the export is limited to, if a customer ID was typed.
async fn export_account(
    tx: &mut Tx,
    agent: &Agent,
    form: &mut FormState,
    typed: &str,
) -> Result<Option<AccountId>, ConsoleError> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    match accounts::by_customer_id(tx, typed).await {
        Ok(account) => Ok(Some(account.id)),
        Err(accounts::NotFound::Storage(err)) => Err(err.into()),
        Err(_) => {
            form.error(
                "customer_id",
                t(
                    agent.language,
                    "Aucun compte client ne porte ce numéro.",
                    "No customer account has this number.",
                ),
            );
            Ok(None)
        }
    }
}

/// The CSV's column titles, in the agent's language.
fn export_header(language: Language) -> [&'static str; 11] {
    match language {
        Language::Fr => [
            "écriture",
            "date",
            "numéro client",
            "raison sociale",
            "type",
            "minutes",
            "minutes travaillées",
            "référence",
            "note",
            "agent",
            "annule l'écriture",
        ],
        Language::En => [
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
    }
}

/// The CSV file: a BOM, the header, one line per entry.
fn export_body(agent: &Agent, rows: &[ExportRow]) -> Result<Vec<u8>, anyhow::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    writer.write_record(export_header(agent.language))?;
    for row in rows {
        writer.write_record([
            row.id.to_string(),
            pages::local_time(&agent.zone, row.at),
            accounts::customer_id_of(row.account_id).to_string(),
            spreadsheet_safe(&row.company_name),
            pages::kind_label(agent.language, row.kind).to_owned(),
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
}

/// "support-time_2026-10-01_2026-10-31[_<customer ID>].csv"
fn export_file_name(query: &ExportQuery, one_account: bool) -> String {
    let account = if one_account {
        let digits: String = query
            .customer_id
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        format!("_{digits}")
    } else {
        String::new()
    };
    format!(
        "support-time_{}_{}{account}.csv",
        query.from.trim(),
        query.to.trim()
    )
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
