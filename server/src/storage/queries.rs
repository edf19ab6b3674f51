//! The SQL of accounts, machines, limits and the outbox, written once for SQLite and
//! PostgreSQL (`$1` placeholders, portable SQL); where the two differ, [`Dialect`] says how.

use std::{str::FromStr, sync::Arc, time::Duration};

use account_api::details::ValidDetails;
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    Any, AnyPool, Executor as _, Transaction,
};

use super::{
    AccountRow, AuditRow, EmailChangeRow, MachineRow, OutboxRow, OutgoingMail, PasswordRequestRow,
    StorageError, PASSWORD_REQUESTS_KEPT,
};
use crate::{
    audit::{Action, Actor},
    ids::{AccountId, MachineId},
    secrets::OutboxKey,
    storage::attempts::{wait_for_room, Bucket},
};

mod support;

pub use support::RANKED_MATCHES_MAX;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a URL names; the few statements that differ between them ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// One file, one writer at a time: the embedded default.
    Sqlite,
    /// A database server shared by several service instances.
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Result<Self, StorageError> {
        match url.split(':').next().unwrap_or_default() {
            "sqlite" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            _ => Err(StorageError::Unexpected(anyhow::anyhow!(
                "the database URL must start with sqlite:// or postgres://"
            ))),
        }
    }

    /// Locks the rows a claim takes, passing over those another instance is taking:
    /// PostgreSQL lets several claims run at once; SQLite has one writer anyway.
    fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// The larger of two values (SQLite's two-argument `MAX`).
    fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }

    fn migrations(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// How long a statement waits for a lock (SQLite's busy timeout, PostgreSQL's lock
/// timeout) before the request is answered "service unavailable, try again".
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// The key of the PostgreSQL advisory lock that write transactions take: one writer at a
/// time across every instance, as SQLite has it, so a check and the write it allows
/// cannot interleave with another instance's.
const WRITE_LOCK: i64 = 0x0061_6363_6f75_6e74; // "account"

#[derive(Clone)]
pub struct Storage {
    pub(super) pool: AnyPool,
    pub(super) dialect: Dialect,
    /// Seals mail bodies on their way into the outbox; without it no mail is written.
    outbox_key: Option<Arc<OutboxKey>>,
}

/// One transaction. Dropped without `commit`, it rolls back: nothing half-written.
pub struct Tx {
    tx: Transaction<'static, Any>,
    dialect: Dialect,
    outbox_key: Option<Arc<OutboxKey>>,
}

const ACCOUNT_COLUMNS: &str = "id, email, company_name, contact_first_name, contact_last_name, \
    phone, siret, address_street, address_postal_code, address_city, address_country, language, \
    password_hash, version, created_at, updated_at";

/// The account columns, each prefixed with a table alias (`a.id, a.email…`).
fn account_columns_of(alias: &str) -> String {
    ACCOUNT_COLUMNS
        .split(", ")
        .map(|column| format!("{alias}.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Storage {
    /// Opens the database (creating an SQLite file if needed) and brings its schema up
    /// to date.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let storage = Self::open(url).await?;
        storage.migrate().await?;
        Ok(storage)
    }

    /// Opens the database as it is, without touching its schema.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url)?;
        let url = match dialect {
            // Created if missing, as the embedded default promises.
            Dialect::Sqlite if !url.contains("mode=") => {
                let join = if url.contains('?') { '&' } else { '?' };
                format!("{url}{join}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|err| {
            StorageError::Unexpected(anyhow::anyhow!("invalid database URL: {err}"))
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 8,
                Dialect::Postgres => 16,
            })
            .acquire_timeout(LOCK_WAIT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    let setup = match dialect {
                        // WAL + NORMAL: durable across an application crash, fast (one
                        // fsync per checkpoint). Foreign keys and the busy timeout are on
                        // by default.
                        Dialect::Sqlite => "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                        Dialect::Postgres => "SET lock_timeout = '5s'",
                    };
                    conn.execute(setup).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            dialect,
            outbox_key: None,
        })
    }

    /// Applies the migrations this database lacks (`account-server migrate`, or at start).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        self.dialect.migrations().run(&self.pool).await?;
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Mail written through this storage is sealed with `key`.
    pub fn with_outbox_key(mut self, key: Arc<OutboxKey>) -> Self {
        self.outbox_key = Some(key);
        self
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A transaction for reading (and the odd write that may lose a race harmlessly).
    pub async fn read(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            tx: self.pool.begin().await?,
            dialect: self.dialect,
            outbox_key: self.outbox_key.clone(),
        })
    }

    /// A transaction that writes: takes the write lock at once, so it waits its turn
    /// instead of failing half-way when another writer got there first.
    pub async fn write(&self) -> Result<Tx, StorageError> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(Tx {
            tx,
            dialect: self.dialect,
            outbox_key: self.outbox_key.clone(),
        })
    }

    // --- attempt limits ---------------------------------------------------------------

    /// Takes one attempt in every bucket, all or nothing, in one write transaction (the
    /// write lock serialises concurrent reservations, whichever instance makes them).
    /// `Err(wait)` when a bucket is full.
    pub async fn reserve_attempts(
        &self,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<Result<Vec<i64>, i64>, StorageError> {
        let mut tx = self.write().await?.tx;
        let mut wait: Option<i64> = None;
        for bucket in buckets {
            let times: Vec<i64> = sqlx::query_scalar(
                "SELECT at FROM limit_attempts WHERE bucket = $1 AND at > $2 ORDER BY at, id",
            )
            .bind(&bucket.key)
            .bind(now - bucket.rule.window_seconds)
            .fetch_all(&mut *tx)
            .await?;
            if let Some(w) = wait_for_room(bucket.rule, &times, now) {
                wait = Some(wait.map_or(w, |v| v.max(w)));
            }
        }
        if let Some(wait) = wait {
            tx.rollback().await?;
            return Ok(Err(wait));
        }
        let mut ids = Vec::with_capacity(buckets.len());
        for bucket in buckets {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO limit_attempts (bucket, at) VALUES ($1, $2) RETURNING id",
            )
            .bind(&bucket.key)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Ok(ids))
    }

    /// Gives reserved attempts back (the password was right).
    pub async fn refund_attempts(&self, ids: &[i64]) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query("DELETE FROM limit_attempts WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets attempts made before `before` (older than every window).
    pub async fn prune_attempts(&self, before: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM limit_attempts WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether the account was used from `network` since `since` (a link, a machine seen).
    pub async fn is_known_network(
        &self,
        account_id: AccountId,
        network: &str,
        since: i64,
    ) -> Result<bool, StorageError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM account_networks WHERE account_id = $1 AND network = $2 \
               AND last_seen_at >= $3",
        )
        .bind(account_id)
        .bind(network)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    // --- service instances and the outbox ----------------------------------------------

    /// This instance is alive (its mail claims stay its own).
    pub async fn instance_heartbeat(&self, instance: &str, now: i64) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO service_instances (id, started_at, heartbeat_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(instance)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// This instance stops: its claims are handed back and it is forgotten; instances
    /// silent for long are forgotten too.
    pub async fn instance_stopped(&self, instance: &str) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE outbox SET claimed_by = NULL WHERE claimed_by = $1")
            .bind(instance)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM service_instances WHERE id = $1")
            .bind(instance)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes up to `limit` due mails for `instance`. A mail claimed by another instance
    /// is taken only if that instance stopped beating before `dead_before` (killed); a
    /// live instance's claims are never taken.
    pub async fn claim_due_mail(
        &self,
        instance: &str,
        now: i64,
        dead_before: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StorageError> {
        let sql = format!(
            "UPDATE outbox SET claimed_by = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                   AND (claimed_by IS NULL OR claimed_by NOT IN \
                        (SELECT id FROM service_instances WHERE heartbeat_at >= $3)) \
                 ORDER BY id LIMIT $4 {}) \
             RETURNING id, recipient, subject, body, created_at, attempts",
            self.dialect.skip_locked()
        );
        let rows = sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(instance)
            .bind(now)
            .bind(dead_before)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    /// Takes the oldest waiting mail even though its next attempt is not due: a probe of
    /// the mail server, which, once it answers again, makes everything waiting due.
    pub async fn claim_probe_mail(
        &self,
        instance: &str,
        dead_before: i64,
    ) -> Result<Option<OutboxRow>, StorageError> {
        let sql = format!(
            "UPDATE outbox SET claimed_by = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL \
                   AND (claimed_by IS NULL OR claimed_by NOT IN \
                        (SELECT id FROM service_instances WHERE heartbeat_at >= $2)) \
                 ORDER BY next_attempt_at, id LIMIT 1 {}) \
             RETURNING id, recipient, subject, body, created_at, attempts",
            self.dialect.skip_locked()
        );
        Ok(sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(instance)
            .bind(dead_before)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The mail server answers again: every waiting mail is due now.
    pub async fn make_waiting_mail_due(&self, now: i64) -> Result<u64, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > $2",
        )
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Gives back every mail `instance` holds (after a failure half-way through one).
    pub async fn release_claims_of(&self, instance: &str) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET claimed_by = NULL \
             WHERE claimed_by = $1 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(instance)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives back mails taken but not tried, so they can be taken again at once.
    pub async fn release_mail(&self, ids: &[i64]) -> Result<(), StorageError> {
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET claimed_by = NULL, attempts = attempts - 1 WHERE id = $1",
            )
            .bind(id)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Delivered: the body is erased, the record kept.
    pub async fn mark_mail_sent(&self, id: i64, now: i64) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, body = NULL, claimed_by = NULL, last_error = NULL \
             WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_mail_retry(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1, claimed_by = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Refused for good by the mail server (unknown mailbox…): kept for the record.
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        now: i64,
        error: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET failed_at = $1, body = NULL, claimed_by = NULL, last_error = $2 \
             WHERE id = $3",
        )
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When the next mail falls due, if any is waiting: its next attempt, or for a mail
    /// claimed by another instance, the moment that instance would count as dead.
    pub async fn next_mail_due_at(
        &self,
        instance: &str,
        dead_after_seconds: i64,
    ) -> Result<Option<i64>, StorageError> {
        let sql = format!(
            "SELECT MIN({}(o.next_attempt_at, \
                 CASE WHEN o.claimed_by IS NULL THEN 0 \
                      WHEN o.claimed_by = $1 THEN o.next_attempt_at \
                      ELSE COALESCE(i.heartbeat_at + $2, 0) END)) \
             FROM outbox o LEFT JOIN service_instances i ON i.id = o.claimed_by \
             WHERE o.sent_at IS NULL AND o.failed_at IS NULL",
            self.dialect.greatest()
        );
        let at: Option<i64> = sqlx::query_scalar(&sql)
            .bind(instance)
            .bind(dead_after_seconds)
            .fetch_one(&self.pool)
            .await?;
        Ok(at)
    }

    /// Mails not yet delivered (nor refused for good).
    pub async fn unsent_mail_count(&self) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Mails waiting to leave (neither sent nor failed for good), and when the oldest of
    /// them was written: the outbox figures of `/metrics`. Plain SQL that SQLite and
    /// PostgreSQL both run.
    pub async fn outbox_waiting(&self) -> Result<(i64, Option<i64>), StorageError> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StorageError> {
        self.tx.commit().await?;
        Ok(())
    }

    // --- accounts -----------------------------------------------------------------------

    pub async fn account_by_email(
        &mut self,
        email: &str,
    ) -> Result<Option<AccountRow>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1");
        Ok(sqlx::query_as::<_, AccountRow>(&sql)
            .bind(email)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn account_by_id(
        &mut self,
        id: AccountId,
    ) -> Result<Option<AccountRow>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        Ok(sqlx::query_as::<_, AccountRow>(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// Creates an account; `EmailTaken` if the address already has one.
    pub async fn insert_account(
        &mut self,
        details: &ValidDetails,
        password_hash: &str,
        now: i64,
    ) -> Result<AccountRow, StorageError> {
        let address = details.address.as_ref().map(|a| a.to_raw());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (email, company_name, contact_first_name, contact_last_name, \
                phone, siret, address_street, address_postal_code, address_city, address_country, \
                language, password_hash, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING id",
        )
        .bind(details.email.as_str())
        .bind(details.company_name.as_str())
        .bind(details.contact_first_name.as_str())
        .bind(details.contact_last_name.as_str())
        .bind(details.phone.as_str())
        .bind(details.siret.as_ref().map(|s| s.as_str().to_owned()))
        .bind(address.as_ref().map(|a| a.street.clone()))
        .bind(address.as_ref().map(|a| a.postal_code.clone()))
        .bind(address.as_ref().map(|a| a.city.clone()))
        .bind(address.as_ref().map(|a| a.country.clone()))
        .bind(details.language.as_str())
        .bind(password_hash)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(unique_email)?;
        let id = AccountId::new(id);
        self.account_by_id(id)
            .await?
            .ok_or_else(|| StorageError::Unexpected(anyhow::anyhow!("account {id} vanished")))
    }

    /// Replaces the account's details if it is still at `expected_version`.
    pub async fn update_account_details(
        &mut self,
        id: AccountId,
        expected_version: i64,
        details: &ValidDetails,
        now: i64,
    ) -> Result<(), StorageError> {
        let address = details.address.as_ref().map(|a| a.to_raw());
        let done = sqlx::query(
            "UPDATE accounts SET email = $1, company_name = $2, contact_first_name = $3, \
                contact_last_name = $4, phone = $5, siret = $6, address_street = $7, \
                address_postal_code = $8, address_city = $9, address_country = $10, language = $11, \
                version = version + 1, updated_at = $12 \
             WHERE id = $13 AND version = $14",
        )
        .bind(details.email.as_str())
        .bind(details.company_name.as_str())
        .bind(details.contact_first_name.as_str())
        .bind(details.contact_last_name.as_str())
        .bind(details.phone.as_str())
        .bind(details.siret.as_ref().map(|s| s.as_str().to_owned()))
        .bind(address.as_ref().map(|a| a.street.clone()))
        .bind(address.as_ref().map(|a| a.postal_code.clone()))
        .bind(address.as_ref().map(|a| a.city.clone()))
        .bind(address.as_ref().map(|a| a.country.clone()))
        .bind(details.language.as_str())
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await
        .map_err(unique_email)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::ChangedElsewhere);
        }
        Ok(())
    }

    /// Adds a password request ("e-mail my password"); only the newest
    /// [`PASSWORD_REQUESTS_KEPT`] unexpired ones are kept.
    pub async fn add_password_request(
        &mut self,
        account_id: AccountId,
        hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO password_requests (account_id, password_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(hash)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "DELETE FROM password_requests WHERE account_id = $1 AND (expires_at <= $2 \
               OR id NOT IN (SELECT id FROM password_requests WHERE account_id = $1 \
                             ORDER BY id DESC LIMIT $3))",
        )
        .bind(account_id)
        .bind(now)
        .bind(PASSWORD_REQUESTS_KEPT)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The account's password requests that have not expired, newest first.
    pub async fn password_requests(
        &mut self,
        account_id: AccountId,
        now: i64,
    ) -> Result<Vec<PasswordRequestRow>, StorageError> {
        Ok(sqlx::query_as::<_, PasswordRequestRow>(
            "SELECT id, password_hash, expires_at FROM password_requests \
             WHERE account_id = $1 AND expires_at > $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(account_id)
        .bind(now)
        .bind(PASSWORD_REQUESTS_KEPT)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// A password request's password was used: it becomes the account's password, and the other
    /// requests stop working. `false` if it is gone meanwhile (another one was used).
    pub async fn use_password_request(
        &mut self,
        account_id: AccountId,
        request_id: i64,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = \
                 (SELECT password_hash FROM password_requests WHERE id = $1 AND account_id = $2) \
             WHERE id = $2 AND EXISTS \
                 (SELECT 1 FROM password_requests WHERE id = $1 AND account_id = $2)",
        )
        .bind(request_id)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM password_requests WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The account was used from `network` (a link succeeded, a linked machine was seen).
    pub async fn note_network(
        &mut self,
        account_id: AccountId,
        network: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO account_networks (account_id, network, last_seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, network) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        )
        .bind(account_id)
        .bind(network)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    // --- e-mail address changes -------------------------------------------------------

    /// Records the address waiting for its code, replacing an earlier one.
    pub async fn set_email_change(&mut self, change: &EmailChangeRow) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO email_changes (account_id, new_email, code_hash, wrong_codes, \
                expires_at, requested_by, created_at) VALUES ($1, $2, $3, 0, $4, $5, $6) \
             ON CONFLICT (account_id) DO UPDATE SET new_email = excluded.new_email, \
                code_hash = excluded.code_hash, wrong_codes = 0, \
                expires_at = excluded.expires_at, requested_by = excluded.requested_by, \
                created_at = excluded.created_at",
        )
        .bind(change.account_id)
        .bind(&change.new_email)
        .bind(&change.code_hash)
        .bind(change.expires_at)
        .bind(change.requested_by.to_string())
        .bind(change.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The address waiting for its code, if one is and it has not expired.
    pub async fn email_change(
        &mut self,
        account_id: AccountId,
        now: i64,
    ) -> Result<Option<EmailChangeRow>, StorageError> {
        Ok(sqlx::query_as::<_, EmailChangeRow>(
            "SELECT * FROM email_changes WHERE account_id = $1 AND expires_at > $2",
        )
        .bind(account_id)
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn delete_email_change(&mut self, account_id: AccountId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM email_changes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Counts a wrong code; returns how many the change has had.
    pub async fn email_change_wrong_code(
        &mut self,
        account_id: AccountId,
    ) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "UPDATE email_changes SET wrong_codes = wrong_codes + 1 WHERE account_id = $1 \
             RETURNING wrong_codes",
        )
        .bind(account_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .unwrap_or(0))
    }

    /// The confirmed address becomes the account's. `EmailTaken` if another account
    /// took it meanwhile.
    pub async fn set_account_email(
        &mut self,
        account_id: AccountId,
        email: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE accounts SET email = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(email)
        .bind(now)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await
        .map_err(unique_email)?;
        Ok(())
    }

    // --- machines -----------------------------------------------------------------------

    pub async fn linked_machine_by_token_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<MachineRow>, StorageError> {
        Ok(
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    pub async fn machine_by_id(
        &mut self,
        id: &MachineId,
    ) -> Result<Option<MachineRow>, StorageError> {
        Ok(
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// The most recent unlinked record of this account with this fingerprint.
    pub async fn unlinked_machine_by_fingerprint(
        &mut self,
        account_id: AccountId,
        fingerprint: &str,
    ) -> Result<Option<MachineRow>, StorageError> {
        Ok(sqlx::query_as::<_, MachineRow>(
            "SELECT * FROM machines WHERE account_id = $1 AND fingerprint = $2 \
               AND token_hash IS NULL ORDER BY last_seen_at DESC LIMIT 1",
        )
        .bind(account_id)
        .bind(fingerprint)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn linked_machines(
        &mut self,
        account_id: AccountId,
    ) -> Result<Vec<MachineRow>, StorageError> {
        Ok(sqlx::query_as::<_, MachineRow>(
            "SELECT * FROM machines WHERE account_id = $1 AND token_hash IS NOT NULL \
             ORDER BY linked_at, id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn insert_machine(&mut self, machine: &MachineRow) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO machines (id, account_id, fingerprint, name, os, app_version, token_hash, \
                linked_at, last_seen_at, unlinked_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&machine.id)
        .bind(machine.account_id)
        .bind(&machine.fingerprint)
        .bind(&machine.name)
        .bind(&machine.os)
        .bind(&machine.app_version)
        .bind(&machine.token_hash)
        .bind(machine.linked_at)
        .bind(machine.last_seen_at)
        .bind(machine.unlinked_at)
        .bind(machine.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Links an existing record again with a new token (the old token stops working).
    pub async fn relink_machine(&mut self, machine: &MachineRow) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE machines SET name = $1, os = $2, app_version = $3, fingerprint = $4, \
                token_hash = $5, linked_at = $6, last_seen_at = $7, unlinked_at = NULL WHERE id = $8",
        )
        .bind(&machine.name)
        .bind(&machine.os)
        .bind(&machine.app_version)
        .bind(&machine.fingerprint)
        .bind(&machine.token_hash)
        .bind(machine.linked_at)
        .bind(machine.last_seen_at)
        .bind(&machine.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Revokes the machine's token. `MachineNotFound` unless it is linked to `account_id`.
    pub async fn unlink_machine(
        &mut self,
        account_id: AccountId,
        machine_id: &MachineId,
        now: i64,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE machines SET token_hash = NULL, unlinked_at = $1 \
             WHERE id = $2 AND account_id = $3 AND token_hash IS NOT NULL",
        )
        .bind(now)
        .bind(machine_id)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::MachineNotFound);
        }
        Ok(())
    }

    /// Notes that the machine was seen, at most once a minute (reads stay cheap).
    pub async fn touch_machine(
        &mut self,
        machine_id: &MachineId,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE machines SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
            .bind(now)
            .bind(machine_id)
            .bind(now - 60)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    // --- audit and mail -----------------------------------------------------------------

    pub async fn audit(
        &mut self,
        account_id: AccountId,
        actor: &Actor,
        action: Action,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account_id)
        .bind(now)
        .bind(actor.to_string())
        .bind(action.as_str())
        .bind(detail.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn audit_events(
        &mut self,
        account_id: AccountId,
    ) -> Result<Vec<AuditRow>, StorageError> {
        Ok(sqlx::query_as::<_, AuditRow>(
            "SELECT * FROM audit_events WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Puts a mail in the outbox; it leaves only if this transaction commits.
    pub async fn enqueue_mail(
        &mut self,
        mail: &OutgoingMail,
        now: i64,
    ) -> Result<(), StorageError> {
        let key = self.outbox_key.as_ref().ok_or_else(|| {
            StorageError::Unexpected(anyhow::anyhow!("no outbox key: mail cannot be written"))
        })?;
        let body = key.seal(&mail.to, &mail.body);
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&body)
        .bind(now)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

fn unique_email(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::EmailTaken,
        _ => err.into(),
    }
}
