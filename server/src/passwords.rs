//! The account password: checking a typed one (against the current password and every
//! password request still valid, within the attempt limits), and sending a password
//! request, whether the customer asked from the app or an agent from the console.

use account_api::{domain::Invalid, password::normalize_typed_password};

use crate::{
    accounts,
    audit::{Action, Actor},
    error::ApiError,
    extract::ClientNetwork,
    ids::AccountId,
    limits::{self, PasswordSource},
    mail::Templates,
    secrets::ClearPassword,
    state::AppState,
    storage::{AccountRow, MachineRow, StorageError, Tx},
};

/// How long a password request's password stays valid, unused.
pub const PASSWORD_REQUEST_HOURS: i64 = crate::mail::templates::PASSWORD_REQUEST_HOURS;

/// A typed password, in the canonical form of the generated ones (the field is
/// `password` wherever one is typed).
pub fn typed_password(typed: &str) -> Result<String, Invalid> {
    let password = normalize_typed_password(typed);
    if password.is_empty() {
        return Err(Invalid::Empty);
    }
    if password.chars().count() > 128 {
        return Err(Invalid::TooLong);
    }
    Ok(password)
}

/// Which of the account's passwords matched.
pub enum PasswordMatch {
    Current,
    /// The password of a password request (its id): the caller makes it the password.
    Requested(i64),
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
/// argon2 run compares it with the account's password and every password request's. A
/// right password gives the attempt back. `account` is `None` for an unknown address,
/// which does the same work and answers the same as a wrong password.
pub async fn check_password(
    state: &AppState,
    caller: PasswordCaller<'_>,
    account_key: &str,
    account: Option<&AccountRow>,
    password: &str,
) -> Result<PasswordMatch, ApiError> {
    let now = crate::now();
    // The same reads whether or not the account exists (id 0 is nobody's).
    let account_id = account.map_or(AccountId::new(0), |a| a.id);
    let mut tx = state.storage.read().await?;
    let requests = tx.password_requests(account_id, now).await?;
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
            machine_id: machine.id.as_str(),
        },
    };
    let buckets = limits::wrong_password_buckets(account_key, source);
    let reservation = limits::reserve(&state.storage, &state.metrics, &buckets).await?;
    let candidates: Vec<String> = match account {
        Some(account) => std::iter::once(account.password_hash.clone())
            .chain(requests.iter().map(|p| p.password_hash.clone()))
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
            Ok(PasswordMatch::Requested(requests[index - 1].id))
        }
        None => {
            reservation.keep();
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Makes a used password request's password the account's password (inside the
/// caller's change); the other requests stop working.
pub async fn use_if_requested(
    tx: &mut Tx,
    account_id: AccountId,
    matched: &PasswordMatch,
) -> Result<(), ApiError> {
    if let PasswordMatch::Requested(id) = matched {
        // Another request's password was used meanwhile: this one no longer works.
        if !tx.use_password_request(account_id, *id).await? {
            return Err(ApiError::InvalidCredentials);
        }
    }
    Ok(())
}

/// Why a password request is sent: it decides the history's words and the mail.
pub enum RequestedBy<'a> {
    /// The customer, from the app ("e-mail my password").
    Customer,
    /// Someone registered again with the account's address: the mail says the account
    /// exists and gives the password that links to it.
    RegistrationAgain,
    /// An agent, from the console.
    Support(&'a Actor),
}

/// Stores a password request for `account` (`hash`: `password` hashed with the account's
/// salt) beside the current password, and mails `password` to the account's address. The
/// current password keeps working until this one is used.
pub async fn record_request(
    tx: &mut Tx,
    templates: &Templates,
    account: &AccountRow,
    password: &ClearPassword,
    hash: &str,
    by: RequestedBy<'_>,
    now: i64,
) -> Result<(), StorageError> {
    tx.add_password_request(account.id, hash, now + PASSWORD_REQUEST_HOURS * 3600, now)
        .await?;
    let (actor, action) = match by {
        RequestedBy::Customer => (&Actor::Anonymous, Action::PasswordRequested),
        RequestedBy::RegistrationAgain => {
            (&Actor::Anonymous, Action::RegistrationForExistingAccount)
        }
        RequestedBy::Support(agent) => (agent, Action::PasswordSentBySupport),
    };
    tx.audit(account.id, actor, action, serde_json::json!({}), now)
        .await?;
    let (to, language, id) = (
        &account.email,
        account.language,
        accounts::customer_id(account),
    );
    let mail = match by {
        RequestedBy::RegistrationAgain => {
            templates.already_registered(to, language, id, password.expose())
        }
        RequestedBy::Customer | RequestedBy::Support(_) => {
            templates.password_request(to, language, id, password.expose())
        }
    };
    tx.enqueue_mail(&mail, now).await
}

/// The account of `email`, if any, and `password` hashed for it: with the account's salt
/// (a password request's, checked in the same run as the current one), or with a fresh salt
/// (a new account's). One hash either way.
pub async fn account_and_password_hash(
    state: &AppState,
    email: &str,
    password: &ClearPassword,
) -> Result<(Option<AccountRow>, String), ApiError> {
    let existing = state.storage.read().await?.account_by_email(email).await?;
    let hash = match &existing {
        Some(account) => {
            state
                .hasher
                .hash_like(password, &account.password_hash)
                .await?
        }
        None => state.hasher.hash(password).await?,
    };
    Ok((existing, hash))
}
