//! The mail outbox, shared by every instance: each mail claimed by one instance at a time,
//! a killed instance's claims taken over once it stops beating.

use super::{Dialect, OutboxRow, OutgoingMail, Storage, StorageError, Tx};

impl Dialect {
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
}

/// How this instance's outbox key compares with the one the others use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAgreement {
    /// The key the database already knew.
    Same,
    /// The first key this database sees: now the one.
    Recorded,
    /// Another key, taken as the new one: no sealed mail was waiting (a rotation).
    Replaced,
    /// Another key while `waiting` mails sealed with the known one wait: refused.
    Differs { waiting: i64 },
}

impl Storage {
    /// Compares `check` (the key's [check value](crate::secrets::OutboxKey::check_value))
    /// with the one recorded: every instance must seal and open mail with the same key.
    pub async fn agree_on_outbox_key(&self, check: &str) -> Result<KeyAgreement, StorageError> {
        let mut tx = self.write().await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT value FROM service_settings WHERE name = 'outbox_key'")
                .fetch_optional(&mut *tx.tx)
                .await?;
        let agreement = match known {
            Some(known) if known == check => return Ok(KeyAgreement::Same),
            None => KeyAgreement::Recorded,
            Some(_) => {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM outbox \
                     WHERE sent_at IS NULL AND failed_at IS NULL AND body IS NOT NULL",
                )
                .fetch_one(&mut *tx.tx)
                .await?;
                if waiting > 0 {
                    return Ok(KeyAgreement::Differs { waiting });
                }
                KeyAgreement::Replaced
            }
        };
        sqlx::query(
            "INSERT INTO service_settings (name, value) VALUES ('outbox_key', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(check)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(agreement)
    }

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

    /// Delivered, several at once: one write for a whole batch (SQLite has one writer,
    /// which registrations need too).
    pub async fn mark_mails_sent(&self, ids: &[i64], now: i64) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        let marks = (2..ids.len() + 2)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE outbox SET sent_at = $1, body = NULL, claimed_by = NULL, last_error = NULL \
             WHERE id IN ({marks})"
        );
        let mut query = sqlx::query(&sql).bind(now);
        for id in ids {
            query = query.bind(id);
        }
        query.execute(&self.pool).await?;
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

    /// Every mail still waiting is given up, as if refused for good (its body erased):
    /// the operator's way out when the key that sealed them is lost. How many.
    pub async fn give_up_waiting_mail(&self, now: i64) -> Result<u64, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET failed_at = $1, body = NULL, claimed_by = NULL, \
                last_error = 'given up by the operator' \
             WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
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
