//! Writing the support-time ledger: each kind of entry with its audit event, in the
//! caller's transaction, so the console and the API write it the same way.

use crate::{
    audit::{Action, Actor},
    ids::AccountId,
    storage::{LedgerRow, NewLedgerEntry, StorageError, Tx},
    support::{LedgerKind, Rounding},
};

/// Who writes: the agent (its name goes into the entry) and the actor of the history
/// (the agent in the console, or an integration acting for it).
pub struct Writer<'a> {
    pub agent_id: i64,
    pub agent_name: &'a str,
    pub actor: &'a Actor,
}

/// What changes from one kind of entry to another.
struct Entry<'a> {
    account_id: AccountId,
    kind: LedgerKind,
    minutes: i64,
    worked_minutes: Option<i64>,
    reference: &'a str,
    note: &'a str,
    reverses: Option<i64>,
}

/// Adds the entry and its audit event (`action`, with `detail` and the entry's id).
async fn write(
    tx: &mut Tx,
    by: &Writer<'_>,
    entry: Entry<'_>,
    action: Action,
    mut detail: serde_json::Value,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let row = tx
        .add_ledger_entry(
            &NewLedgerEntry {
                account_id: entry.account_id,
                kind: entry.kind,
                minutes: entry.minutes,
                worked_minutes: entry.worked_minutes,
                reference: entry.reference,
                note: entry.note,
                agent_id: Some(by.agent_id),
                agent_name: by.agent_name,
                reverses: entry.reverses,
            },
            now,
        )
        .await?;
    detail["entry"] = row.id.into();
    tx.audit(entry.account_id, by.actor, action, detail, now)
        .await?;
    Ok(row)
}

/// A support call of `worked` minutes, charged by `rounding`.
pub async fn log_support_call(
    tx: &mut Tx,
    by: &Writer<'_>,
    account_id: AccountId,
    worked: i64,
    note: &str,
    rounding: Rounding,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let charged = rounding.charge(worked);
    let entry = Entry {
        account_id,
        kind: LedgerKind::SupportCall,
        minutes: -charged,
        worked_minutes: Some(worked),
        reference: "",
        note,
        reverses: None,
    };
    let detail = serde_json::json!({ "worked_minutes": worked, "charged_minutes": charged });
    write(tx, by, entry, Action::SupportCallLogged, detail, now).await
}

/// Purchased credit, with its order or invoice reference.
pub async fn add_credit(
    tx: &mut Tx,
    by: &Writer<'_>,
    account_id: AccountId,
    minutes: i64,
    reference: &str,
    note: &str,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let entry = Entry {
        account_id,
        kind: LedgerKind::Credit,
        minutes,
        worked_minutes: None,
        reference,
        note,
        reverses: None,
    };
    let detail = serde_json::json!({ "minutes": minutes, "reference": reference });
    write(tx, by, entry, Action::CreditAdded, detail, now).await
}

/// Cancels `entry` by the opposite entry; `AlreadyReversed` if one already does.
pub async fn correct(
    tx: &mut Tx,
    by: &Writer<'_>,
    entry: &LedgerRow,
    reason: &str,
    now: i64,
) -> Result<LedgerRow, StorageError> {
    let correction = Entry {
        account_id: entry.account_id,
        kind: LedgerKind::Correction,
        minutes: -entry.minutes,
        worked_minutes: None,
        reference: &entry.reference,
        note: reason,
        reverses: Some(entry.id),
    };
    // The history names the corrected entry; `entry` below is the correction itself.
    let detail = serde_json::json!({ "corrects": entry.id, "minutes": -entry.minutes });
    write(tx, by, correction, Action::EntryCorrected, detail, now).await
}
