//! What several handlers share: who is calling, checking the password, the account view.

use std::collections::HashMap;

use account_api::{
    domain::{CustomerId, Invalid, Language, RawPostalAddress},
    password::normalize_typed_password,
    wire::{AccountDetails, AccountView, MachineView, SupportSession, SupportTime},
};

use crate::{
    error::ApiError,
    extract::{BearerToken, ClientNetwork},
    limits::{self, PasswordSource},
    secrets::token_hash,
    state::AppState,
    storage::{AccountRow, MachineRow, StorageError, Tx},
    support::SearchQuery,
};

/// Customer IDs start above 1000 so that none is a tiny, easily misheard number.
const CUSTOMER_ID_OFFSET: u64 = 1000;

pub fn customer_id(account: &AccountRow) -> CustomerId {
    customer_id_of(account.id)
}

/// The customer ID of the account stored under `account_id`.
pub fn customer_id_of(account_id: i64) -> CustomerId {
    CustomerId::from_sequence(account_id as u64 + CUSTOMER_ID_OFFSET)
}

/// The storage id behind a customer ID, if it can be one of ours.
pub fn account_id(id: CustomerId) -> Option<i64> {
    id.sequence()
        .checked_sub(CUSTOMER_ID_OFFSET)
        .filter(|n| *n > 0)
        .and_then(|n| i64::try_from(n).ok())
}

pub fn language(account: &AccountRow) -> Language {
    Language::parse(&account.language).unwrap_or_default()
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
        email: account.email.clone(),
        company_name: account.company_name.clone(),
        contact_first_name: account.contact_first_name.clone(),
        contact_last_name: account.contact_last_name.clone(),
        phone: account.phone.clone(),
        siret: account.siret.clone(),
        address,
        language: Some(account.language.clone()),
    }
}

pub async fn account_view(
    tx: &mut Tx,
    account: &AccountRow,
    this_machine_id: &str,
) -> Result<AccountView, ApiError> {
    let machines = tx.linked_machines(account.id).await?;
    let mut per_fingerprint: HashMap<&str, usize> = HashMap::new();
    for machine in &machines {
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
    let pending_email = tx
        .email_change(account.id, crate::now())
        .await?
        .map(|change| change.new_email);
    Ok(AccountView {
        pending_email,
        customer_id: customer_id(account).to_string(),
        details: details(account),
        support_time: support_time(tx, account.id).await?,
        machines: views,
        this_machine_id: this_machine_id.to_owned(),
        version: account.version,
        created_at: crate::rfc3339(account.created_at),
        updated_at: crate::rfc3339(account.updated_at),
    })
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
            let ids: Vec<i64> = near.iter().filter_map(|id| account_id(*id)).collect();
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
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
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

/// How many of the latest support sessions the account screen shows.
const RECENT_SESSIONS: i64 = 5;

/// The balance (the ledger's sum) and the latest sessions no correction cancelled.
pub async fn support_time(tx: &mut Tx, account_id: i64) -> Result<SupportTime, ApiError> {
    let balance_minutes = tx.balance(account_id).await?;
    let recent_sessions = tx
        .recent_sessions(account_id, RECENT_SESSIONS)
        .await?
        .into_iter()
        .map(|entry| SupportSession {
            at: crate::rfc3339(entry.at),
            minutes: -entry.minutes,
            agent: entry.agent_name,
            note: entry.note,
        })
        .collect();
    Ok(SupportTime {
        balance_minutes,
        recent_sessions,
    })
}

/// The linked machine behind the bearer token, and its account.
pub async fn authenticate(
    state: &AppState,
    token: BearerToken,
) -> Result<(MachineRow, AccountRow), ApiError> {
    let mut tx = state.storage.read().await?;
    let found = authenticate_in(&mut tx, token).await?;
    tx.commit().await?;
    Ok(found)
}

/// The same, inside the caller's transaction.
pub async fn authenticate_in(
    tx: &mut Tx,
    token: BearerToken,
) -> Result<(MachineRow, AccountRow), ApiError> {
    let token = token.0.ok_or(ApiError::NotLinked)?;
    let machine = tx
        .linked_machine_by_token_hash(&token_hash(&token))
        .await?
        .ok_or(ApiError::NotLinked)?;
    let account = tx
        .account_by_id(machine.account_id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    Ok((machine, account))
}

/// A typed password, in the canonical form of the generated ones.
pub fn typed_password(typed: &str) -> Result<String, ApiError> {
    let password = normalize_typed_password(typed);
    if password.is_empty() {
        return Err(ApiError::field("password", Invalid::Empty));
    }
    if password.chars().count() > 128 {
        return Err(ApiError::field("password", Invalid::TooLong));
    }
    Ok(password)
}

/// Which of the account's passwords matched.
pub enum PasswordMatch {
    Current,
    /// An e-mailed pending password (its id): the caller makes it the password.
    Pending(i64),
}

/// Who typed the password, as the attempt limits see it.
#[derive(Clone, Copy)]
pub enum PasswordCaller<'a> {
    /// Anyone, from this network (a link by e-mail address).
    Anonymous(&'a ClientNetwork),
    /// A linked machine of the account (its token was checked).
    LinkedMachine(&'a MachineRow),
}

/// Checks a typed password: an attempt is reserved against the limits first, then one
/// argon2 run compares it with the account's password and every pending one. A right
/// password gives the attempt back. `account` is `None` for an unknown address, which
/// does the same work and answers the same as a wrong password.
pub async fn check_password(
    state: &AppState,
    caller: PasswordCaller<'_>,
    account_key: &str,
    account: Option<&AccountRow>,
    password: &str,
) -> Result<PasswordMatch, ApiError> {
    let now = crate::now();
    // The same reads whether or not the account exists (id 0 is nobody's).
    let account_id = account.map_or(0, |a| a.id);
    let mut tx = state.storage.read().await?;
    let pending = tx.pending_passwords(account_id, now).await?;
    tx.commit().await?;
    let source = match caller {
        PasswordCaller::Anonymous(network) => {
            let since = now - limits::KNOWN_NETWORK_DAYS * 24 * 3600;
            let known = state
                .storage
                .is_known_network(account_id, &network.0, since)
                .await?;
            PasswordSource::Network {
                network: &network.0,
                known: known && account.is_some(),
            }
        }
        PasswordCaller::LinkedMachine(machine) => PasswordSource::LinkedMachine {
            machine_id: &machine.id,
        },
    };
    let buckets = limits::wrong_password_buckets(account_key, source);
    let reservation = limits::reserve(&state.storage, &buckets).await?;
    let candidates: Vec<String> = match account {
        Some(account) => std::iter::once(account.password_hash.clone())
            .chain(pending.iter().map(|p| p.password_hash.clone()))
            .collect(),
        None => Vec::new(),
    };
    match state.hasher.verify_among(password, candidates).await? {
        Some(0) => {
            reservation.refund(&state.storage).await?;
            Ok(PasswordMatch::Current)
        }
        Some(index) => {
            reservation.refund(&state.storage).await?;
            Ok(PasswordMatch::Pending(pending[index - 1].id))
        }
        None => {
            reservation.keep();
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Makes a used pending password the account's password (inside the caller's change);
/// the other pending ones stop working.
pub async fn promote_if_pending(
    tx: &mut Tx,
    account_id: i64,
    matched: &PasswordMatch,
) -> Result<(), ApiError> {
    if let PasswordMatch::Pending(id) = matched {
        // Another pending password was used meanwhile: this one no longer works.
        if !tx.use_pending_password(account_id, *id).await? {
            return Err(ApiError::InvalidCredentials);
        }
    }
    Ok(())
}

pub fn machine_actor(machine_id: &str) -> String {
    format!("machine:{machine_id}")
}
