//! The SQLite implementation: one file, WAL, migrations embedded in the binary.

use std::{str::FromStr, time::Duration};

use account_api::details::ValidDetails;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Sqlite, SqlitePool, Transaction,
};

use super::{AccountRow, AuditRow, MachineRow, OutboxRow, OutgoingMail, StorageError};

mod support;

pub use support::RANKED_MATCHES_MAX;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Storage {
    pool: SqlitePool,
}

/// One transaction. Dropped without `commit`, it rolls back: nothing half-written.
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
}

const ACCOUNT_COLUMNS: &str = "id, email, company_name, contact_first_name, contact_last_name, \
    phone, siret, address_street, address_postal_code, address_city, address_country, language, \
    password_hash, pending_password_hash, pending_expires_at, version, created_at, updated_at";

impl Storage {
    /// Opens (creating it if needed) the database and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|err| {
                StorageError::Unexpected(anyhow::anyhow!("invalid database URL: {err}"))
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: durable across an application crash, fast (one fsync per checkpoint).
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
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
        })
    }

    /// A transaction that writes: takes the write lock at once, so it waits its turn
    /// instead of failing half-way when another writer got there first.
    pub async fn write(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
        })
    }

    // --- attempt counters -------------------------------------------------------------

    pub async fn limit_count(&self, bucket: &str, window_start: i64) -> Result<i64, StorageError> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT count FROM limit_counters WHERE bucket = ? AND window_start = ?",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_optional(&self.pool)
        .await?;
        Ok(count.unwrap_or(0))
    }

    pub async fn limit_increment(
        &self,
        bucket: &str,
        window_start: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO limit_counters (bucket, window_start, count) VALUES (?, ?, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = count + 1",
        )
        .bind(bucket)
        .bind(window_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets counters of windows that ended before `before`.
    pub async fn prune_limits(&self, before: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM limit_counters WHERE window_start < ?")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    // --- outbox -----------------------------------------------------------------------

    /// Takes up to `limit` due mails for `lease_seconds`: another worker (or this one
    /// after a crash) can take them again only once the lease has run out.
    pub async fn claim_due_mail(
        &self,
        now: i64,
        lease_seconds: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StorageError> {
        let rows = sqlx::query_as::<_, OutboxRow>(
            "UPDATE outbox SET locked_until = ?1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2 \
                   AND (locked_until IS NULL OR locked_until <= ?2) \
                 ORDER BY id LIMIT ?3) \
             RETURNING id, recipient, subject, body, created_at, attempts",
        )
        .bind(now + lease_seconds)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Gives back mails taken but not tried, so they can be taken again at once.
    pub async fn release_mail(&self, ids: &[i64]) -> Result<(), StorageError> {
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET locked_until = NULL, attempts = attempts - 1 WHERE id = ?",
            )
            .bind(id)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Delivered: the body (it may hold a password) is erased, the record kept.
    pub async fn mark_mail_sent(&self, id: i64, now: i64) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET sent_at = ?, body = NULL, locked_until = NULL, last_error = NULL \
             WHERE id = ?",
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
            "UPDATE outbox SET next_attempt_at = ?, locked_until = NULL, last_error = ? WHERE id = ?",
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
            "UPDATE outbox SET failed_at = ?, body = NULL, locked_until = NULL, last_error = ? \
             WHERE id = ?",
        )
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When the next mail falls due (or its lease runs out), if any is waiting.
    pub async fn next_mail_due_at(&self) -> Result<Option<i64>, StorageError> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL",
        )
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
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?");
        Ok(sqlx::query_as::<_, AccountRow>(&sql)
            .bind(email)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn account_by_id(&mut self, id: i64) -> Result<Option<AccountRow>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?");
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
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
        self.account_by_id(id)
            .await?
            .ok_or_else(|| StorageError::Unexpected(anyhow::anyhow!("account {id} vanished")))
    }

    /// Replaces the account's details if it is still at `expected_version`.
    pub async fn update_account_details(
        &mut self,
        id: i64,
        expected_version: i64,
        details: &ValidDetails,
        now: i64,
    ) -> Result<(), StorageError> {
        let address = details.address.as_ref().map(|a| a.to_raw());
        let done = sqlx::query(
            "UPDATE accounts SET email = ?, company_name = ?, contact_first_name = ?, \
                contact_last_name = ?, phone = ?, siret = ?, address_street = ?, \
                address_postal_code = ?, address_city = ?, address_country = ?, language = ?, \
                version = version + 1, updated_at = ? \
             WHERE id = ? AND version = ?",
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

    /// Issues a pending password, replacing an earlier pending one.
    pub async fn set_pending_password(
        &mut self,
        id: i64,
        hash: &str,
        expires_at: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE accounts SET pending_password_hash = ?, pending_expires_at = ? WHERE id = ?",
        )
        .bind(hash)
        .bind(expires_at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The pending password was used: it becomes the account's password.
    pub async fn promote_pending_password(
        &mut self,
        id: i64,
        hash: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE accounts SET password_hash = ?, pending_password_hash = NULL, \
                pending_expires_at = NULL WHERE id = ? AND pending_password_hash = ?",
        )
        .bind(hash)
        .bind(id)
        .bind(hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    // --- machines -----------------------------------------------------------------------

    pub async fn linked_machine_by_token_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<MachineRow>, StorageError> {
        Ok(
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    pub async fn machine_by_id(&mut self, id: &str) -> Result<Option<MachineRow>, StorageError> {
        Ok(
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// The most recent unlinked record of this account with this fingerprint.
    pub async fn unlinked_machine_by_fingerprint(
        &mut self,
        account_id: i64,
        fingerprint: &str,
    ) -> Result<Option<MachineRow>, StorageError> {
        Ok(sqlx::query_as::<_, MachineRow>(
            "SELECT * FROM machines WHERE account_id = ? AND fingerprint = ? \
               AND token_hash IS NULL ORDER BY last_seen_at DESC LIMIT 1",
        )
        .bind(account_id)
        .bind(fingerprint)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn linked_machines(
        &mut self,
        account_id: i64,
    ) -> Result<Vec<MachineRow>, StorageError> {
        Ok(sqlx::query_as::<_, MachineRow>(
            "SELECT * FROM machines WHERE account_id = ? AND token_hash IS NOT NULL \
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            "UPDATE machines SET name = ?, os = ?, app_version = ?, fingerprint = ?, \
                token_hash = ?, linked_at = ?, last_seen_at = ?, unlinked_at = NULL WHERE id = ?",
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
        account_id: i64,
        machine_id: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE machines SET token_hash = NULL, unlinked_at = ? \
             WHERE id = ? AND account_id = ? AND token_hash IS NOT NULL",
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
    pub async fn touch_machine(&mut self, machine_id: &str, now: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE machines SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")
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
        account_id: i64,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(now)
        .bind(actor)
        .bind(action)
        .bind(detail.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn audit_events(&mut self, account_id: i64) -> Result<Vec<AuditRow>, StorageError> {
        Ok(sqlx::query_as::<_, AuditRow>(
            "SELECT * FROM audit_events WHERE account_id = ? ORDER BY id",
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
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.body)
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
