//! Storage of accounts, machines, audit events, the mail outbox and attempt counters,
//! and of the support side: agents, their sessions and tokens, the support-time ledger,
//! notes and timers.
//!
//! Handlers work through a [`Tx`]: a transaction with named operations, so a change and
//! the mail it causes commit together. SQL stays in this module, written once for the
//! embedded SQLite file and for PostgreSQL (several instances on one database).

mod account_read;
mod accounts;
pub mod attempts;
mod audit;
pub mod copy;
mod database;
mod enrollment_keys;
mod machines;
mod outbox;
mod support;

pub use account_read::{AccountRead, LinkedMachine, RecentSupportCall, RECENT_SUPPORT_CALLS};
pub use database::{Dialect, Storage, Tx};
pub use enrollment_keys::{EnrollmentKeyRow, KeyUse, KeyUseRow, NewEnrollmentKey};
pub use outbox::KeyAgreement;
pub use support::RANKED_MATCHES_MAX;

use account_api::domain::{Email, Invalid, Language, Phone};

use crate::{
    audit::{Action, Actor},
    ids::{AccountId, MachineId},
    support::{LedgerKind, Role},
};

/// A stored account, as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: AccountId,
    #[sqlx(try_from = "StoredText")]
    pub email: Email,
    pub company_name: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    #[sqlx(try_from = "StoredText")]
    pub phone: Phone,
    pub siret: Option<String>,
    pub address_street: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_city: Option<String>,
    pub address_country: Option<String>,
    #[sqlx(try_from = "StoredLanguage")]
    pub language: Language,
    pub password_hash: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A value stored as text by the service after parsing it (an e-mail address, a phone
/// number): read back through the same parser, so a row never carries an unchecked one.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct StoredText(String);

impl TryFrom<StoredText> for Email {
    type Error = Invalid;

    fn try_from(stored: StoredText) -> Result<Self, Self::Error> {
        Email::parse(&stored.0)
    }
}

impl TryFrom<StoredText> for Phone {
    type Error = Invalid;

    fn try_from(stored: StoredText) -> Result<Self, Self::Error> {
        Phone::parse(&stored.0)
    }
}

/// A language as stored ("fr", "en"): read back strictly, never as a default.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct StoredLanguage(String);

/// Stored text that is not one of the service's languages.
#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?} in storage")]
pub struct UnknownLanguage(String);

impl TryFrom<StoredLanguage> for Language {
    type Error = UnknownLanguage;

    fn try_from(stored: StoredLanguage) -> Result<Self, Self::Error> {
        match stored.0.as_str() {
            "fr" => Ok(Language::Fr),
            "en" => Ok(Language::En),
            _ => Err(UnknownLanguage(stored.0)),
        }
    }
}

/// How many password requests an account keeps (the newest).
pub const PASSWORD_REQUESTS_KEPT: i64 = 3;

/// A password request: an e-mailed password not used yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasswordRequestRow {
    pub id: i64,
    pub password_hash: String,
    pub expires_at: i64,
}

/// A new e-mail address waiting for the code mailed to it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailChangeRow {
    pub account_id: AccountId,
    pub new_email: String,
    /// `None` when the address belongs to another account: no code can confirm it.
    pub code_hash: Option<String>,
    pub wrong_codes: i64,
    pub expires_at: i64,
    #[sqlx(try_from = "String")]
    pub requested_by: Actor,
    pub created_at: i64,
}

/// A machine record; `token_hash` is `None` while it is not linked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MachineRow {
    pub id: MachineId,
    pub account_id: AccountId,
    pub fingerprint: String,
    pub name: String,
    pub os: String,
    pub app_version: String,
    pub token_hash: Option<String>,
    pub linked_at: i64,
    pub last_seen_at: i64,
    pub unlinked_at: Option<i64>,
    pub created_at: i64,
}

impl MachineRow {
    pub fn is_linked(&self) -> bool {
        self.token_hash.is_some()
    }
}

/// An audit event: who did what to an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub account_id: AccountId,
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub actor: Actor,
    #[sqlx(try_from = "String")]
    pub action: Action,
    pub detail: String,
}

/// A mail waiting in the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: Option<String>,
    pub created_at: i64,
    pub attempts: i64,
}

/// A mail to write into the outbox.
#[derive(Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

// Bodies can carry a password: keep them out of `{:?}`.
impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the account was changed elsewhere")]
    ChangedElsewhere,
    #[error("the e-mail address belongs to another account")]
    EmailTaken,
    #[error("the machine is linked to another account")]
    MachineLinkedElsewhere,
    #[error("no such linked machine")]
    MachineNotFound,
    #[error("an agent already has this e-mail address")]
    AgentExists,
    #[error("this ledger entry is already corrected")]
    AlreadyReversed,
    /// The database cannot be reached or is busy: worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        let unavailable = match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| is_transient(&code)),
            _ => false,
        };
        if unavailable {
            StorageError::Unavailable(err)
        } else {
            StorageError::Unexpected(err.into())
        }
    }
}

/// Database error codes that mean "busy or away, try again later".
fn is_transient(code: &str) -> bool {
    // SQLite: SQLITE_BUSY.
    code == "5"
        // PostgreSQL: connection lost (08…), lock wait too long (55P03), serialization
        // failure or deadlock (40001, 40P01), too many connections (53300), shutting
        // down or starting (57P01–57P03), the database refusing connections for now
        // (55000, e.g. ALLOW_CONNECTIONS false during maintenance).
        || code.starts_with("08")
        || matches!(
            code,
            "55P03" | "55000" | "40001" | "40P01" | "53300" | "57P01" | "57P02" | "57P03"
        )
}

impl From<sqlx::migrate::MigrateError> for StorageError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StorageError::Unexpected(err.into())
    }
}

/// A support agent (or administrator) of the console.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub password_hash: String,
    #[sqlx(try_from = "StoredLanguage")]
    pub language: Language,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

/// A console log-in, found by the hash of its cookie.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsoleSessionRow {
    pub agent_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// One entry of an account's support-time ledger.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub account_id: AccountId,
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub kind: LedgerKind,
    pub minutes: i64,
    pub worked_minutes: Option<i64>,
    pub reference: String,
    pub note: String,
    pub agent_id: Option<i64>,
    pub agent_name: String,
    pub reverses: Option<i64>,
}

/// A ledger entry to add.
#[derive(Debug, Clone)]
pub struct NewLedgerEntry<'a> {
    pub account_id: AccountId,
    pub kind: LedgerKind,
    pub minutes: i64,
    pub worked_minutes: Option<i64>,
    pub reference: &'a str,
    pub note: &'a str,
    pub agent_id: Option<i64>,
    pub agent_name: &'a str,
    pub reverses: Option<i64>,
}

/// An internal observation on an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub at: i64,
    pub agent_name: String,
    pub text: String,
}

/// A ledger entry with its account, for the export.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub account_id: AccountId,
    pub company_name: String,
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub kind: LedgerKind,
    pub minutes: i64,
    pub worked_minutes: Option<i64>,
    pub reference: String,
    pub note: String,
    pub agent_name: String,
    pub reverses: Option<i64>,
}
