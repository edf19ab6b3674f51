//! Moving a service's data to another database (`account-server copy`): from the embedded
//! SQLite file up to PostgreSQL, say. Everything that lasts is copied with its ids (the
//! customer ID is derived from the account's), in one transaction on the target that
//! commits only once every count and every account's balance read back the same.

use futures_util::TryStreamExt as _;
use sqlx::{any::AnyRow, Any, Row as _, Transaction};

use super::{Dialect, Storage, StorageError};

/// The tables copied, parents before children; ledger entries by id, so a correction
/// comes after the entry it reverses.
/// The outbox key's check value comes along: the copy's instances must use the old key.
const COPIED_TABLES: [&str; 17] = [
    "accounts",
    "agents",
    "machines",
    "audit_events",
    "password_requests",
    "account_networks",
    "email_changes",
    "ledger_entries",
    "account_notes",
    "support_timers",
    "agent_sessions",
    "agent_api_tokens",
    "outbox",
    "service_settings",
    "enrollment_keys",
    "enrollment_key_uses",
    "enrollment_key_digests",
];

/// Not copied: attempt counters and running instances only matter for minutes, the
/// migrations table belongs to each database, and the target's triggers count the account
/// read's revisions as the rows arrive.
const LEFT_TABLES: [&str; 4] = [
    "limit_attempts",
    "service_instances",
    "_sqlx_migrations",
    "account_read_revisions",
];

/// Rows per INSERT: well under both databases' limit on bound values.
const ROWS_PER_INSERT: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the target database is not empty ({0} holds rows): copy only into a new database")]
    TargetNotEmpty(String),
    #[error("copy does not know the table {0}: update account-server")]
    UnknownTable(String),
    #[error("after copying, {0}")]
    Mismatch(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for CopyError {
    fn from(err: sqlx::Error) -> Self {
        CopyError::Storage(err.into())
    }
}

/// What was copied: rows per table, and how many accounts' balances were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub rows: Vec<(&'static str, i64)>,
    pub balances_checked: usize,
}

impl std::fmt::Display for CopyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows) in &self.rows {
            writeln!(f, "{table}: {rows}")?;
        }
        write!(
            f,
            "every count and the balance of each of {} accounts match",
            self.balances_checked
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Integer,
    Text,
}

impl Storage {
    /// Copies everything from `source` into this (empty, migrated) database.
    pub async fn copy_from(&self, source: &Storage) -> Result<CopyReport, CopyError> {
        let mut target = self.pool.begin().await?;
        check_known_tables(&mut target, self.dialect).await?;
        for table in COPIED_TABLES {
            if count(&mut target, table).await? > 0 {
                return Err(CopyError::TargetNotEmpty(table.to_owned()));
            }
        }
        // One read transaction: a consistent picture even if the source is in use.
        let mut from = source.pool.begin().await?;
        let mut rows = Vec::new();
        for table in COPIED_TABLES {
            let columns = columns(&mut target, self.dialect, table).await?;
            let copied = copy_table(&mut from, &mut target, table, &columns).await?;
            rows.push((table, copied));
        }
        if self.dialect == Dialect::Postgres {
            restart_identities(&mut target).await?;
        }
        for (table, copied) in &rows {
            let there = count(&mut target, table).await?;
            let here = count(&mut from, table).await?;
            if there != here || here != *copied {
                return Err(CopyError::Mismatch(format!(
                    "{table} has {there} rows instead of {here}"
                )));
            }
        }
        let expected = balances(&mut from).await?;
        let found = balances(&mut target).await?;
        if expected != found {
            let differing = expected
                .iter()
                .zip(found.iter())
                .find(|(a, b)| a != b)
                .map(|(a, _)| a.0)
                .unwrap_or_default();
            return Err(CopyError::Mismatch(format!(
                "the balance of account {differing} differs"
            )));
        }
        from.rollback().await?;
        target.commit().await?;
        if self.dialect == Dialect::Postgres {
            // Statistics and visibility now, not when autovacuum comes by: until then the
            // planner guesses how many accounts a word finds, and the first read of
            // each row writes its visibility hints (a name search over a million
            // accounts copied a moment ago took 18 ms instead of 4).
            sqlx::raw_sql("VACUUM (ANALYZE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(CopyReport {
            rows,
            balances_checked: expected.len(),
        })
    }
}

/// Refuses a target with tables this version does not know: their rows would be lost.
async fn check_known_tables(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
) -> Result<(), CopyError> {
    let sql = match dialect {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'accounts_search%'"
        }
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut **tx).await?;
    match tables
        .into_iter()
        .find(|t| !COPIED_TABLES.contains(&t.as_str()) && !LEFT_TABLES.contains(&t.as_str()))
    {
        Some(unknown) => Err(CopyError::UnknownTable(unknown)),
        None => Ok(()),
    }
}

/// The target's columns of `table` that take a value (a generated one is computed).
async fn columns(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    table: &str,
) -> Result<Vec<(String, ColumnKind)>, CopyError> {
    let sql = match dialect {
        Dialect::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
               AND is_generated = 'NEVER' ORDER BY ordinal_position"
        }
    };
    let found: Vec<(String, String)> = sqlx::query_as(sql).bind(table).fetch_all(&mut **tx).await?;
    Ok(found
        .into_iter()
        .map(|(name, kind)| {
            let kind = if kind.to_ascii_lowercase().contains("int") {
                ColumnKind::Integer
            } else {
                ColumnKind::Text
            };
            (name, kind)
        })
        .collect())
}

async fn copy_table(
    from: &mut Transaction<'static, Any>,
    to: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[(String, ColumnKind)],
) -> Result<i64, CopyError> {
    let names = columns
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let order = first_key(table);
    let select = format!("SELECT {names} FROM {table} ORDER BY {order}");
    let mut batch: Vec<AnyRow> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut copied = 0;
    let mut rows = sqlx::query(&select).fetch(&mut **from);
    while let Some(row) = rows.try_next().await? {
        batch.push(row);
        if batch.len() == ROWS_PER_INSERT {
            copied += insert(to, table, &names, columns, &batch).await?;
            batch.clear();
        }
    }
    drop(rows);
    if !batch.is_empty() {
        copied += insert(to, table, &names, columns, &batch).await?;
    }
    Ok(copied)
}

/// The column rows are read in: their key, so parents come before children.
fn first_key(table: &str) -> &'static str {
    match table {
        "account_networks" => "account_id, network",
        "email_changes" => "account_id",
        "support_timers" => "agent_id, account_id",
        "agent_sessions" | "agent_api_tokens" => "token_hash",
        "service_settings" => "name",
        "enrollment_key_digests" => "key_id, day",
        _ => "id",
    }
}

async fn insert(
    to: &mut Transaction<'static, Any>,
    table: &str,
    names: &str,
    columns: &[(String, ColumnKind)],
    rows: &[AnyRow],
) -> Result<i64, CopyError> {
    let width = columns.len();
    let values = (0..rows.len())
        .map(|r| {
            let marks = (1..=width)
                .map(|c| format!("${}", r * width + c))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({marks})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("INSERT INTO {table} ({names}) VALUES {values}");
    let mut query = sqlx::query(&sql);
    for row in rows {
        for (index, (_, kind)) in columns.iter().enumerate() {
            query = match kind {
                ColumnKind::Integer => query.bind(row.try_get::<Option<i64>, _>(index)?),
                ColumnKind::Text => query.bind(row.try_get::<Option<String>, _>(index)?),
            };
        }
    }
    Ok(query.execute(&mut **to).await?.rows_affected() as i64)
}

/// New rows on PostgreSQL take ids after the copied ones.
async fn restart_identities(tx: &mut Transaction<'static, Any>) -> Result<(), CopyError> {
    for table in COPIED_TABLES {
        // Machines are named by their own text ids, not a sequence.
        if first_key(table) != "id" || table == "machines" {
            continue;
        }
        let sql = format!(
            "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE(MAX(id), 0) + 1, false) AS BIGINT) FROM {table}"
        );
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}

async fn count(tx: &mut Transaction<'static, Any>, table: &str) -> Result<i64, CopyError> {
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut **tx)
        .await?)
}

/// Every account's balance, by account.
async fn balances(tx: &mut Transaction<'static, Any>) -> Result<Vec<(i64, i64)>, CopyError> {
    Ok(sqlx::query_as(
        "SELECT account_id, CAST(SUM(minutes) AS BIGINT) FROM ledger_entries \
         GROUP BY account_id ORDER BY account_id",
    )
    .fetch_all(&mut **tx)
    .await?)
}
