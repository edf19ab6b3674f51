//! The account read (`GET /api/v1/account`) in one statement: the machine behind a token,
//! its account, the linked machines, the pending address, the balance and the latest
//! support calls. It is the request a linked app makes most: each statement costs a round
//! trip (PostgreSQL) or a hand-over to the connection's thread (SQLite) whatever it reads,
//! and one statement reads one snapshot, so no transaction is needed either. Nothing is
//! cached: an unlink or an edit, from any instance, shows in the next read.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{database::account_columns_of, AccountRow, Dialect, Storage, StorageError};
use crate::{ids::MachineId, support::LedgerKind};

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
    pub balance_minutes: i64,
    /// Newest first.
    pub recent_support_calls: Vec<RecentSupportCall>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    account: AccountRow,
    machine_id: MachineId,
    machine_last_seen_at: i64,
    balance_minutes: i64,
    pending_email: Option<String>,
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
            balance_minutes: row.balance_minutes,
            recent_support_calls,
        }))
    }
}

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
