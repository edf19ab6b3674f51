//! The SQLite implementation: one file, WAL, migrations embedded in the binary.

use std::{str::FromStr, sync::Arc, time::Duration};

use account_api::details::ValidDetails;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Sqlite, SqlitePool, Transaction,
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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Storage {
    pool: SqlitePool,
    /// Seals mail bodies on their way into the outbox; without it no mail is written.
    outbox_key: Option<Arc<OutboxKey>>,
}

/// One transaction. Dropped without `commit`, it rolls back: nothing half-written.
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
    outbox_key: Option<Arc<OutboxKey>>,
}

const ACCOUNT_COLUMNS: &str = "id, email, company_name, contact_first_name, contact_last_name, \
    phone, siret, address_street, address_postal_code, address_city, address_country, language, \
    password_hash, version, created_at, updated_at";

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
        Ok(Self {
            pool,
            outbox_key: None,
        })
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
            outbox_key: self.outbox_key.clone(),
        })
    }

    /// A transaction that writes: takes the write lock at once, so it waits its turn
    /// instead of failing half-way when another writer got there first.
    pub async fn write(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            outbox_key: self.outbox_key.clone(),
        })
    }

    // --- attempt limits ---------------------------------------------------------------

    /// Takes one attempt in every bucket, all or nothing, in one write transaction (the
    /// write lock serialises concurrent reservations). `Err(wait)` when a bucket is full.
    pub async fn reserve_attempts(
        &self,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<Result<Vec<i64>, i64>, StorageError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut wait: Option<i64> = None;
        for bucket in buckets {
            let times: Vec<i64> = sqlx::query_scalar(
                "SELECT at FROM limit_attempts WHERE bucket = ? AND at > ? ORDER BY at, id",
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
                "INSERT INTO limit_attempts (bucket, at) VALUES (?, ?) RETURNING id",
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
            sqlx::query("DELETE FROM limit_attempts WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets attempts made before `before` (older than every window).
    pub async fn prune_attempts(&self, before: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM limit_attempts WHERE at < ?")
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
            "SELECT 1 FROM account_networks WHERE account_id = ? AND network = ? \
               AND last_seen_at >= ?",
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
            "INSERT INTO service_instances (id, started_at, heartbeat_at) VALUES (?, ?, ?) \
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
        sqlx::query("UPDATE outbox SET claimed_by = NULL WHERE claimed_by = ?")
            .bind(instance)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM service_instances WHERE id = ?")
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
        let rows = sqlx::query_as::<_, OutboxRow>(
            "UPDATE outbox SET claimed_by = ?1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2 \
                   AND (claimed_by IS NULL OR claimed_by NOT IN \
                        (SELECT id FROM service_instances WHERE heartbeat_at >= ?3)) \
                 ORDER BY id LIMIT ?4) \
             RETURNING id, recipient, subject, body, created_at, attempts",
        )
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
        Ok(sqlx::query_as::<_, OutboxRow>(
            "UPDATE outbox SET claimed_by = ?1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL \
                   AND (claimed_by IS NULL OR claimed_by NOT IN \
                        (SELECT id FROM service_instances WHERE heartbeat_at >= ?2)) \
                 ORDER BY next_attempt_at, id LIMIT 1) \
             RETURNING id, recipient, subject, body, created_at, attempts",
        )
        .bind(instance)
        .bind(dead_before)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The mail server answers again: every waiting mail is due now.
    pub async fn make_waiting_mail_due(&self, now: i64) -> Result<u64, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = ? \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > ?",
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
             WHERE claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL",
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
                "UPDATE outbox SET claimed_by = NULL, attempts = attempts - 1 WHERE id = ?",
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
            "UPDATE outbox SET sent_at = ?, body = NULL, claimed_by = NULL, last_error = NULL \
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
            "UPDATE outbox SET next_attempt_at = ?, claimed_by = NULL, last_error = ? WHERE id = ?",
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
            "UPDATE outbox SET failed_at = ?, body = NULL, claimed_by = NULL, last_error = ? \
             WHERE id = ?",
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
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(o.next_attempt_at, \
                 CASE WHEN o.claimed_by IS NULL THEN 0 \
                      WHEN o.claimed_by = ?1 THEN o.next_attempt_at \
                      ELSE COALESCE(i.heartbeat_at + ?2, 0) END)) \
             FROM outbox o LEFT JOIN service_instances i ON i.id = o.claimed_by \
             WHERE o.sent_at IS NULL AND o.failed_at IS NULL",
        )
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
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?");
        Ok(sqlx::query_as::<_, AccountRow>(&sql)
            .bind(email)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn account_by_id(
        &mut self,
        id: AccountId,
    ) -> Result<Option<AccountRow>, StorageError> {
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
             VALUES (?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(hash)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "DELETE FROM password_requests WHERE account_id = ?1 AND (expires_at <= ?2 \
               OR id NOT IN (SELECT id FROM password_requests WHERE account_id = ?1 \
                             ORDER BY id DESC LIMIT ?3))",
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
             WHERE account_id = ? AND expires_at > ? ORDER BY id DESC LIMIT ?",
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
                 (SELECT password_hash FROM password_requests WHERE id = ?1 AND account_id = ?2) \
             WHERE id = ?2 AND EXISTS \
                 (SELECT 1 FROM password_requests WHERE id = ?1 AND account_id = ?2)",
        )
        .bind(request_id)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM password_requests WHERE account_id = ?")
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
            "INSERT INTO account_networks (account_id, network, last_seen_at) VALUES (?, ?, ?) \
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
                expires_at, requested_by, created_at) VALUES (?, ?, ?, 0, ?, ?, ?) \
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
            "SELECT * FROM email_changes WHERE account_id = ? AND expires_at > ?",
        )
        .bind(account_id)
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn delete_email_change(&mut self, account_id: AccountId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM email_changes WHERE account_id = ?")
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
            "UPDATE email_changes SET wrong_codes = wrong_codes + 1 WHERE account_id = ? \
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
            "UPDATE accounts SET email = ?, version = version + 1, updated_at = ? WHERE id = ?",
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
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE token_hash = ?")
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
            sqlx::query_as::<_, MachineRow>("SELECT * FROM machines WHERE id = ?")
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
        account_id: AccountId,
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
        account_id: AccountId,
        machine_id: &MachineId,
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
    pub async fn touch_machine(
        &mut self,
        machine_id: &MachineId,
        now: i64,
    ) -> Result<(), StorageError> {
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
        account_id: AccountId,
        actor: &Actor,
        action: Action,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
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
        let key = self.outbox_key.as_ref().ok_or_else(|| {
            StorageError::Unexpected(anyhow::anyhow!("no outbox key: mail cannot be written"))
        })?;
        let body = key.seal(&mail.to, &mail.body);
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) \
             VALUES (?, ?, ?, ?, ?)",
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
