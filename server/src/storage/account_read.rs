//! The account read (`GET /api/v1/account`) in one statement: the machine behind a token,
//! its account, the linked machines, the pending address, the balance and the latest
//! support calls. It is the request a linked app makes most: each statement costs a round
//! trip (PostgreSQL) or a hand-over to the connection's thread (SQLite) whatever it reads,
//! and one statement reads one snapshot, so no transaction is needed either. It also
//! reads the account's read revision in that snapshot: the database bumps it on every
//! change the view shows (migration `account_read_revision`), so an instance that keeps
//! the view (`crate::account_reads`) serves it again only after checking, in one
//! statement for many reads ([`Storage::read_revisions`]), that it has not moved.

use std::{collections::HashMap, sync::LazyLock};

use serde::Deserialize;

use super::{database::account_columns_of, AccountRow, Dialect, Storage, StorageError};
use crate::{
    ids::{AccountId, MachineId},
    support::LedgerKind,
};

/// How many of the latest support calls the app's account screen shows.
pub const RECENT_SUPPORT_CALLS: i64 = 5;

/// A machine linked to the account, as the account view lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct LinkedMachine {
    pub id: String,
    pub fingerprint: String,
    pub name: String,
    pub os: String,
    pub app_version: String,
    pub linked_at: i64,
    pub last_seen_at: i64,
}

/// A support call no correction cancelled (minutes are negative, as in the ledger).
#[derive(Debug, Clone, Deserialize)]
pub struct RecentSupportCall {
    pub id: i64,
    pub at: i64,
    pub minutes: i64,
    pub agent_name: String,
    pub note: String,
}

/// What one account read found behind a token.
#[derive(Debug)]
pub struct AccountRead {
    pub machine_id: MachineId,
    pub machine_last_seen_at: i64,
    pub account: AccountRow,
    /// Ordered as `Tx::linked_machines` orders them (linked first, then by id).
    pub machines: Vec<LinkedMachine>,
    pub pending_email: Option<String>,
    /// When the pending address stops being shown by itself (no change is written then).
    pub pending_email_expires_at: Option<i64>,
    pub balance_minutes: i64,
    /// Newest first.
    pub recent_support_calls: Vec<RecentSupportCall>,
    /// The account's read revision as of this read (`None`: not counted yet).
    pub read_revision: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    account: AccountRow,
    machine_id: MachineId,
    machine_last_seen_at: i64,
    balance_minutes: i64,
    pending_email: Option<String>,
    pending_email_expires_at: Option<i64>,
    read_revision: Option<i64>,
    /// JSON arrays (`None`: PostgreSQL's aggregate of no row).
    machines: Option<String>,
    support_calls: Option<String>,
}

/// The statement, for `dialect`: the lists come back as JSON arrays, the one part of the
/// SQL the two databases spell differently.
fn statement(dialect: Dialect) -> String {
    let (array, object, text) = match dialect {
        Dialect::Sqlite => ("json_group_array", "json_object", ""),
        Dialect::Postgres => ("json_agg", "json_build_object", "::text"),
    };
    let account = account_columns_of("a");
    format!(
        "SELECT {account}, me.id AS machine_id, me.last_seen_at AS machine_last_seen_at, \
           (SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM ledger_entries \
             WHERE account_id = a.id) AS balance_minutes, \
           (SELECT new_email FROM email_changes \
             WHERE account_id = a.id AND expires_at > $2) AS pending_email, \
           (SELECT expires_at FROM email_changes \
             WHERE account_id = a.id AND expires_at > $2) AS pending_email_expires_at, \
           (SELECT revision FROM account_read_revisions \
             WHERE account_id = a.id) AS read_revision, \
           (SELECT {array}({object}('id', id, 'fingerprint', fingerprint, 'name', name, \
               'os', os, 'app_version', app_version, 'linked_at', linked_at, \
               'last_seen_at', last_seen_at)){text} \
             FROM machines WHERE account_id = a.id AND token_hash IS NOT NULL) AS machines, \
           (SELECT {array}({object}('id', id, 'at', at, 'minutes', minutes, \
               'agent_name', agent_name, 'note', note)){text} \
             FROM (SELECT id, at, minutes, agent_name, note FROM ledger_entries e \
                   WHERE e.account_id = a.id AND e.kind = $3 \
                     AND NOT EXISTS (SELECT 1 FROM ledger_entries c WHERE c.reverses = e.id) \
                   ORDER BY e.id DESC LIMIT $4) AS recent) AS support_calls \
         FROM machines me JOIN accounts a ON a.id = me.account_id \
         WHERE me.token_hash = $1"
    )
}

impl Storage {
    /// The account read behind `token_hash`, as of `now` (a pending address expires);
    /// `None` when no linked machine has this token.
    pub async fn account_read(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AccountRead>, StorageError> {
        let sql = match self.dialect {
            Dialect::Sqlite => &STATEMENTS.0,
            Dialect::Postgres => &STATEMENTS.1,
        };
        let Some(row) = sqlx::query_as::<_, Row>(sql.as_str())
            .bind(token_hash)
            .bind(now)
            .bind(LedgerKind::SupportCall.as_str())
            .bind(RECENT_SUPPORT_CALLS)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        // JSON aggregates promise no order: the order is set here.
        let mut machines: Vec<LinkedMachine> = list(row.machines)?;
        machines.sort_by(|a, b| (a.linked_at, &a.id).cmp(&(b.linked_at, &b.id)));
        let mut recent_support_calls: Vec<RecentSupportCall> = list(row.support_calls)?;
        recent_support_calls.sort_by_key(|call| std::cmp::Reverse(call.id));
        Ok(Some(AccountRead {
            machine_id: row.machine_id,
            machine_last_seen_at: row.machine_last_seen_at,
            account: row.account,
            machines,
            pending_email: row.pending_email,
            pending_email_expires_at: row.pending_email_expires_at,
            balance_minutes: row.balance_minutes,
            recent_support_calls,
            read_revision: row.read_revision,
        }))
    }

    /// The read revisions of `accounts` now, in one statement per [`REVISIONS_PER_CHECK`]
    /// accounts; an account without one is missing from the answer.
    pub async fn read_revisions(
        &self,
        accounts: &[AccountId],
    ) -> Result<HashMap<AccountId, i64>, StorageError> {
        let mut found = HashMap::with_capacity(accounts.len());
        for chunk in accounts.chunks(REVISIONS_PER_CHECK) {
            // Padded to a power of two with the last id: a handful of statement shapes,
            // each prepared once per connection.
            let size = chunk.len().next_power_of_two();
            let ids = chunk.iter().chain(std::iter::repeat_n(
                &chunk[chunk.len() - 1],
                size - chunk.len(),
            ));
            let sql = &REVISION_STATEMENTS[size.trailing_zeros() as usize];
            let mut query = sqlx::query_as::<_, (AccountId, i64)>(sql.as_str());
            for id in ids {
                query = query.bind(*id);
            }
            found.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(found)
    }
}

/// The most accounts one revision statement asks about (a power of two).
pub const REVISIONS_PER_CHECK: usize = 256;

/// The revision statements, for 1, 2, 4… [`REVISIONS_PER_CHECK`] accounts (the same SQL
/// on both databases).
static REVISION_STATEMENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    (0..=REVISIONS_PER_CHECK.trailing_zeros())
        .map(|power| {
            let placeholders = (1..=1usize << power)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT account_id, revision FROM account_read_revisions \
                 WHERE account_id IN ({placeholders})"
            )
        })
        .collect()
});

/// A JSON array the statement aggregated (`None`: PostgreSQL's aggregate of no row).
fn list<T: serde::de::DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, StorageError> {
    match json {
        Some(json) => serde_json::from_str(&json)
            .map_err(|err| StorageError::Unexpected(anyhow::anyhow!("account read: {err}"))),
        None => Ok(Vec::new()),
    }
}

/// The statement for SQLite and for PostgreSQL, built once.
static STATEMENTS: LazyLock<(String, String)> =
    LazyLock::new(|| (statement(Dialect::Sqlite), statement(Dialect::Postgres)));
