//! Unlinking a machine from its account, whoever asks: the machine itself, another
//! linked machine of the account, or an administrator in the console. The link ends,
//! the history keeps who did it, and the customer is told by e-mail.

use crate::{
    accounts::customer_id,
    audit::{Action, Actor},
    ids::MachineId,
    mail::Templates,
    storage::{AccountRow, MachineRow, StorageError, Tx},
};

/// The machine a path names (`typed`), if it is linked to `account`.
pub async fn linked_machine(
    tx: &mut Tx,
    account: &AccountRow,
    typed: &str,
) -> Result<Option<MachineRow>, StorageError> {
    let Some(id) = MachineId::parse(typed) else {
        return Ok(None);
    };
    Ok(tx
        .machine_by_id(&id)
        .await?
        .filter(|m| m.account_id == account.id && m.is_linked()))
}

/// Who unlinks the machine.
pub enum Unlinker<'a> {
    /// The machine itself ("unlink this computer").
    Itself,
    /// Another linked machine of the same account.
    OtherMachine(&'a MachineRow),
    /// An administrator in the console.
    Agent(&'a Actor),
}

/// Unlinks `machine` from `account` inside the caller's transaction.
/// `StorageError::MachineNotFound` when it is not (or no longer) linked to it.
pub async fn unlink(
    tx: &mut Tx,
    templates: &Templates,
    account: &AccountRow,
    machine: &MachineRow,
    by: Unlinker<'_>,
    now: i64,
) -> Result<(), StorageError> {
    tx.unlink_machine(account.id, &machine.id, now).await?;
    let (actor, action) = match &by {
        Unlinker::Itself => (Actor::Machine(machine.id.clone()), Action::MachineUnlinked),
        Unlinker::OtherMachine(caller) => {
            (Actor::Machine(caller.id.clone()), Action::MachineUnlinked)
        }
        Unlinker::Agent(agent) => ((*agent).clone(), Action::MachineUnlinkedBySupport),
    };
    tx.audit(
        account.id,
        &actor,
        action,
        serde_json::json!({ "machine_id": machine.id, "name": machine.name }),
        now,
    )
    .await?;
    let (to, language, customer_id) = (&account.email, account.language, customer_id(account));
    let mail = match by {
        Unlinker::Itself => {
            templates.machine_unlinked(to, language, customer_id, &machine.name, None)
        }
        Unlinker::OtherMachine(caller) => {
            templates.machine_unlinked(to, language, customer_id, &machine.name, Some(&caller.name))
        }
        Unlinker::Agent(_) => {
            templates.machine_unlinked_by_support(to, language, customer_id, &machine.name)
        }
    };
    tx.enqueue_mail(&mail, now).await
}

/// The machines linked to `account` and not seen for `not_seen_days` days: what the user
/// is shown before `unlink_stale`.
pub async fn not_seen_for(
    tx: &mut Tx,
    account: &AccountRow,
    not_seen_days: i64,
    now: i64,
) -> Result<Vec<MachineRow>, StorageError> {
    let seen_before = now - not_seen_days * 24 * 3600;
    Ok(tx
        .linked_machines(account.id)
        .await?
        .into_iter()
        .filter(|m| m.last_seen_at < seen_before)
        .collect())
}

/// Unlinks, in one step, those of `ids` that are linked to `account` and were not seen for
/// `not_seen_days` days (one seen since the list was shown is kept, and so is `keep`, the
/// caller's own machine). Each is in the history; the account gets one mail listing them.
/// The machines unlinked.
#[allow(clippy::too_many_arguments)]
pub async fn unlink_stale(
    tx: &mut Tx,
    templates: &Templates,
    account: &AccountRow,
    ids: &[MachineId],
    not_seen_days: i64,
    keep: Option<&MachineId>,
    by: &Actor,
    now: i64,
) -> Result<Vec<MachineRow>, StorageError> {
    let stale: Vec<MachineRow> = not_seen_for(tx, account, not_seen_days, now)
        .await?
        .into_iter()
        .filter(|m| ids.contains(&m.id) && Some(&m.id) != keep)
        .collect();
    if stale.is_empty() {
        return Ok(stale);
    }
    let action = match by {
        Actor::Agent(_) | Actor::Api(_) => Action::MachineUnlinkedBySupport,
        Actor::Machine(_) | Actor::Anonymous => Action::MachineUnlinked,
    };
    for machine in &stale {
        tx.unlink_machine(account.id, &machine.id, now).await?;
        tx.audit(
            account.id,
            by,
            action,
            serde_json::json!({
                "machine_id": machine.id,
                "name": machine.name,
                "not_seen_days": not_seen_days,
            }),
            now,
        )
        .await?;
    }
    let names: Vec<&str> = stale.iter().map(|m| m.name.as_str()).collect();
    let mail = templates.stale_machines_unlinked(
        &account.email,
        account.language,
        customer_id(account),
        &names,
        not_seen_days,
    );
    tx.enqueue_mail(&mail, now).await?;
    Ok(stale)
}
