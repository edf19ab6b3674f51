//! Writing the support-time ledger: each kind of entry with its audit event, in the
//! caller's transaction, so the console and the API write it the same way.

use crate::{
    storage::{LedgerRow, NewLedgerEntry, StorageError, Tx},
    support::Rounding,
};

/// Who writes: the agent (its name goes into the entry) and the actor of the history.
pub struct Writer<'a> {
    pub agent_id: i64,
    pub agent_name: &'a str,
    pub actor: &'a str,
}

/// A support session of `worked` minutes, charged by `rounding`.
pub async fn log_session(
    tx: &mut Tx,
    by: &Writer<'_>,
    account_id: i64,
    worked: i64,
    note: &str,
    rounding: Rounding,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let charged = rounding.charge(worked);
    let entry = tx
        .add_ledger_entry(
            &NewLedgerEntry {
                account_id,
                kind: "session",
                minutes: -charged,
                worked_minutes: Some(worked),
                reference: "",
                note,
                agent_id: Some(by.agent_id),
                agent_name: by.agent_name,
                reverses: None,
            },
            now,
        )
        .await?;
    tx.audit(
        account_id,
        by.actor,
        "support_session_logged",
        serde_json::json!({ "entry": entry.id, "worked_minutes": worked, "charged_minutes": charged }),
        now,
    )
    .await?;
    Ok(entry)
}

/// Purchased credit, with its order or invoice reference.
pub async fn add_credit(
    tx: &mut Tx,
    by: &Writer<'_>,
    account_id: i64,
    minutes: i64,
    reference: &str,
    note: &str,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let entry = tx
        .add_ledger_entry(
            &NewLedgerEntry {
                account_id,
                kind: "credit",
                minutes,
                worked_minutes: None,
                reference,
                note,
                agent_id: Some(by.agent_id),
                agent_name: by.agent_name,
                reverses: None,
            },
            now,
        )
        .await?;
    tx.audit(
        account_id,
        by.actor,
        "credit_added",
        serde_json::json!({ "entry": entry.id, "minutes": minutes, "reference": reference }),
        now,
    )
    .await?;
    Ok(entry)
}

/// Cancels `entry` by the opposite entry; `AlreadyReversed` if one already does.
pub async fn correct(
    tx: &mut Tx,
    by: &Writer<'_>,
    entry: &LedgerRow,
    reason: &str,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let correction = tx
        .add_ledger_entry(
            &NewLedgerEntry {
                account_id: entry.account_id,
                kind: "correction",
                minutes: -entry.minutes,
                worked_minutes: None,
                reference: &entry.reference,
                note: reason,
                agent_id: Some(by.agent_id),
                agent_name: by.agent_name,
                reverses: Some(entry.id),
            },
            now,
        )
        .await?;
    tx.audit(
        entry.account_id,
        by.actor,
        "entry_corrected",
        serde_json::json!({ "entry": entry.id, "correction": correction.id, "minutes": -entry.minutes }),
        now,
    )
    .await?;
    Ok(correction)
}
