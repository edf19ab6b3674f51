//! Finding and viewing customer accounts, for the API routes and the console alike:
//! the customer ID behind a stored account, the account view a linked machine reads,
//! and the support search.

use std::collections::HashMap;

use account_api::{
    domain::{CustomerId, Invalid, RawPostalAddress},
    wire::{AccountDetails, AccountView, MachineView, SupportCall, SupportTime},
};

use crate::{
    ids::{AccountId, MachineId},
    storage::{
        AccountRead, AccountRow, LinkedMachine, RecentSupportCall, StorageError, Tx,
        RECENT_SUPPORT_CALLS,
    },
    support::SearchQuery,
};

/// Customer IDs start above 1000 so that none is a tiny, easily misheard number.
const CUSTOMER_ID_OFFSET: u64 = 1000;

pub fn customer_id(account: &AccountRow) -> CustomerId {
    customer_id_of(account.id)
}

/// The customer ID of the account stored under `account_id`.
pub fn customer_id_of(account_id: AccountId) -> CustomerId {
    CustomerId::from_sequence(account_id.get() as u64 + CUSTOMER_ID_OFFSET)
}

/// The storage id behind a customer ID, if it can be one of ours.
pub fn account_id(id: CustomerId) -> Option<AccountId> {
    id.sequence()
        .checked_sub(CUSTOMER_ID_OFFSET)
        .filter(|n| *n > 0)
        .and_then(|n| i64::try_from(n).ok())
        .map(AccountId::new)
}

/// Why no account was found for a typed customer ID.
#[derive(Debug, thiserror::Error)]
pub enum NotFound {
    /// Not a customer ID at all (or its check digit is wrong).
    #[error("not a customer ID: {0}")]
    Malformed(Invalid),
    #[error("no customer account has this ID")]
    Unknown,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The account a typed customer ID names (a path segment, a form field).
pub async fn by_customer_id(tx: &mut Tx, typed: &str) -> Result<AccountRow, NotFound> {
    let id = CustomerId::parse(typed).map_err(NotFound::Malformed)?;
    let stored = account_id(id).ok_or(NotFound::Unknown)?;
    tx.account_by_id(stored).await?.ok_or(NotFound::Unknown)
}

pub fn details(account: &AccountRow) -> AccountDetails {
    let address = match (
        &account.address_street,
        &account.address_postal_code,
        &account.address_city,
    ) {
        (Some(street), Some(postal_code), Some(city)) => Some(RawPostalAddress {
            street: street.clone(),
            postal_code: postal_code.clone(),
            city: city.clone(),
            country: account.address_country.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    AccountDetails {
        email: account.email.as_str().to_owned(),
        company_name: account.company_name.clone(),
        contact_first_name: account.contact_first_name.clone(),
        contact_last_name: account.contact_last_name.clone(),
        phone: account.phone.as_str().to_owned(),
        siret: account.siret.clone(),
        address,
        language: Some(account.language.as_str().to_owned()),
    }
}

/// What a linked machine (`this_machine_id`) sees of its account, read inside `tx`
/// (after a change, before it commits).
pub async fn account_view(
    tx: &mut Tx,
    account: &AccountRow,
    this_machine_id: &MachineId,
) -> Result<AccountView, StorageError> {
    let machines: Vec<LinkedMachine> = tx
        .linked_machines(account.id)
        .await?
        .into_iter()
        .map(|m| LinkedMachine {
            id: m.id.to_string(),
            fingerprint: m.fingerprint,
            name: m.name,
            os: m.os,
            app_version: m.app_version,
            linked_at: m.linked_at,
            last_seen_at: m.last_seen_at,
        })
        .collect();
    let pending_email = tx
        .email_change(account.id, crate::now())
        .await?
        .map(|change| change.new_email);
    let balance_minutes = tx.balance(account.id).await?;
    let recent_support_calls: Vec<RecentSupportCall> = tx
        .recent_support_calls(account.id, RECENT_SUPPORT_CALLS)
        .await?
        .into_iter()
        .map(|entry| RecentSupportCall {
            id: entry.id,
            at: entry.at,
            minutes: entry.minutes,
            agent_name: entry.agent_name,
            note: entry.note,
        })
        .collect();
    Ok(view_of(
        account,
        this_machine_id,
        &machines,
        pending_email,
        balance_minutes,
        recent_support_calls,
    ))
}

/// The same view, from what the one-statement account read found.
pub fn read_view(read: AccountRead) -> AccountView {
    view_of(
        &read.account,
        &read.machine_id,
        &read.machines,
        read.pending_email,
        read.balance_minutes,
        read.recent_support_calls,
    )
}

fn view_of(
    account: &AccountRow,
    this_machine_id: &MachineId,
    machines: &[LinkedMachine],
    pending_email: Option<String>,
    balance_minutes: i64,
    recent_support_calls: Vec<RecentSupportCall>,
) -> AccountView {
    let mut per_fingerprint: HashMap<&str, usize> = HashMap::new();
    for machine in machines {
        *per_fingerprint.entry(&machine.fingerprint).or_default() += 1;
    }
    let views = machines
        .iter()
        .map(|m| MachineView {
            machine_id: m.id.clone(),
            name: m.name.clone(),
            os: m.os.clone(),
            app_version: m.app_version.clone(),
            linked_at: crate::rfc3339(m.linked_at),
            last_seen_at: crate::rfc3339(m.last_seen_at),
            shares_identity: per_fingerprint[m.fingerprint.as_str()] > 1,
        })
        .collect();
    AccountView {
        pending_email,
        customer_id: customer_id(account).to_string(),
        details: details(account),
        support_time: SupportTime {
            balance_minutes,
            recent_sessions: recent_support_calls
                .into_iter()
                .map(|call| SupportCall {
                    at: crate::rfc3339(call.at),
                    minutes: -call.minutes,
                    agent: call.agent_name,
                    note: call.note,
                })
                .collect(),
        },
        machines: views,
        this_machine_id: this_machine_id.to_string(),
        version: account.version,
        created_at: crate::rfc3339(account.created_at),
        updated_at: crate::rfc3339(account.updated_at),
    }
}

/// Accounts a support search found, each with its balance.
pub struct FoundAccounts {
    pub accounts: Vec<(AccountRow, i64)>,
    /// A name search matched more accounts than are ranked: these are the first ones.
    pub more: bool,
}

/// What a support search (console or API) finds for `query`, at most `limit` accounts.
pub async fn find_accounts(
    tx: &mut Tx,
    query: &SearchQuery,
    limit: i64,
) -> Result<FoundAccounts, StorageError> {
    let mut more = false;
    let accounts = match query {
        SearchQuery::CustomerId(id) => {
            tx.accounts_by_ids(&account_id(*id).into_iter().collect::<Vec<_>>())
                .await?
        }
        SearchQuery::MisheardId { near, .. } => {
            let ids: Vec<AccountId> = near.iter().filter_map(|id| account_id(*id)).collect();
            tx.accounts_by_ids(&ids).await?
        }
        SearchQuery::PhoneOrSiret(value) => tx.accounts_by_phone_or_siret(value, limit).await?,
        SearchQuery::Email(prefix) => tx.accounts_by_email_prefix(prefix, limit).await?,
        SearchQuery::Text(words) => {
            let (accounts, many) = tx.accounts_by_text(words, limit).await?;
            more = many;
            accounts
        }
        SearchQuery::TooShort => Vec::new(),
    };
    let ids: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
    let balances = tx.balances(&ids).await?;
    let accounts = accounts
        .into_iter()
        .map(|a| {
            let balance = balances.get(&a.id).copied().unwrap_or(0);
            (a, balance)
        })
        .collect();
    Ok(FoundAccounts { accounts, more })
}
