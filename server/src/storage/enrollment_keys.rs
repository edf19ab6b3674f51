//! Enrollment keys: created for an account, listed, revoked, and used — each use taken
//! atomically, so twenty machines racing for the last use leave exactly one linked.

use super::{StorageError, Tx};
use crate::ids::AccountId;

/// A stored enrollment key (never the key itself: its hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EnrollmentKeyRow {
    pub id: i64,
    pub account_id: AccountId,
    pub label: String,
    pub uses_allowed: i64,
    pub uses_left: i64,
    pub expires_at: i64,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
}

/// A key to create.
#[derive(Debug, Clone)]
pub struct NewEnrollmentKey<'a> {
    pub account_id: AccountId,
    pub key_hash: &'a str,
    pub label: &'a str,
    pub uses: i64,
    pub expires_at: i64,
    pub created_by: &'a str,
}

/// What presenting a key came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUse {
    /// One use taken: the key as it is now.
    Taken(EnrollmentKeyRow),
    /// No key has this hash.
    Unknown,
    Expired,
    Exhausted,
    Revoked,
}

const COLUMNS: &str = "id, account_id, label, uses_allowed, uses_left, expires_at, created_at, \
    created_by, revoked_at";

impl Tx {
    pub async fn insert_enrollment_key(
        &mut self,
        key: &NewEnrollmentKey<'_>,
        now: i64,
    ) -> Result<EnrollmentKeyRow, StorageError> {
        let sql = format!(
            "INSERT INTO enrollment_keys (account_id, key_hash, label, uses_allowed, uses_left, \
                expires_at, created_at, created_by) VALUES ($1, $2, $3, $4, $4, $5, $6, $7) \
             RETURNING {COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(key.account_id)
            .bind(key.key_hash)
            .bind(key.label)
            .bind(key.uses)
            .bind(key.expires_at)
            .bind(now)
            .bind(key.created_by)
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// The account's keys, newest first (revoked and expired ones included: the list
    /// says which).
    pub async fn enrollment_keys(
        &mut self,
        account_id: AccountId,
    ) -> Result<Vec<EnrollmentKeyRow>, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM enrollment_keys WHERE account_id = $1 ORDER BY id DESC");
        Ok(sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// Revokes one of the account's keys; `false` if it has no such key still in force.
    pub async fn revoke_enrollment_key(
        &mut self,
        account_id: AccountId,
        id: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE enrollment_keys SET revoked_at = $1 \
             WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes one use of the key whose hash is `key_hash`, if it has one left, has not
    /// expired and is not revoked: one statement, so concurrent uses cannot both take
    /// the last one. Otherwise says why not.
    pub async fn use_enrollment_key(
        &mut self,
        key_hash: &str,
        now: i64,
    ) -> Result<KeyUse, StorageError> {
        let sql = format!(
            "UPDATE enrollment_keys SET uses_left = uses_left - 1 \
             WHERE key_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses_left > 0 \
             RETURNING {COLUMNS}"
        );
        let taken: Option<EnrollmentKeyRow> = sqlx::query_as(&sql)
            .bind(key_hash)
            .bind(now)
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(key) = taken {
            return Ok(KeyUse::Taken(key));
        }
        let sql = format!("SELECT {COLUMNS} FROM enrollment_keys WHERE key_hash = $1");
        let found: Option<EnrollmentKeyRow> = sqlx::query_as(&sql)
            .bind(key_hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(match found {
            None => KeyUse::Unknown,
            Some(key) if key.revoked_at.is_some() => KeyUse::Revoked,
            Some(key) if key.expires_at <= now => KeyUse::Expired,
            Some(_) => KeyUse::Exhausted,
        })
    }

    /// Records that `machine_id` was linked with key `key_id` on `day` (France's date).
    pub async fn record_enrollment_key_use(
        &mut self,
        key_id: i64,
        machine_id: &str,
        now: i64,
        day: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO enrollment_key_uses (key_id, machine_id, at, day) VALUES ($1, $2, $3, $4)",
        )
        .bind(key_id)
        .bind(machine_id)
        .bind(now)
        .bind(day)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The uses of the account's keys, oldest first, with the machine's name.
    pub async fn enrollment_key_uses(
        &mut self,
        account_id: AccountId,
    ) -> Result<Vec<KeyUseRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT u.key_id, u.machine_id, m.name AS machine_name, u.at, u.day \
             FROM enrollment_key_uses u \
             JOIN enrollment_keys k ON k.id = u.key_id \
             JOIN machines m ON m.id = u.machine_id \
             WHERE k.account_id = $1 ORDER BY u.at, u.id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// (key, day) pairs with uses on a day before `today` and no digest sent yet; days
    /// before `oldest` are forgotten (a service stopped for weeks does not mail them late).
    pub async fn digests_due(
        &mut self,
        today: &str,
        oldest: &str,
    ) -> Result<Vec<(i64, String)>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT u.key_id, u.day FROM enrollment_key_uses u \
             WHERE u.day < $1 AND u.day >= $2 AND NOT EXISTS ( \
                SELECT 1 FROM enrollment_key_digests d \
                WHERE d.key_id = u.key_id AND d.day = u.day) \
             ORDER BY u.key_id, u.day",
        )
        .bind(today)
        .bind(oldest)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// One key's uses on one day, with the machine's name.
    pub async fn enrollment_key_uses_on(
        &mut self,
        key_id: i64,
        day: &str,
    ) -> Result<Vec<KeyUseRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT u.key_id, u.machine_id, m.name AS machine_name, u.at, u.day \
             FROM enrollment_key_uses u JOIN machines m ON m.id = u.machine_id \
             WHERE u.key_id = $1 AND u.day = $2 ORDER BY u.at, u.id",
        )
        .bind(key_id)
        .bind(day)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn enrollment_key_by_id(
        &mut self,
        id: i64,
    ) -> Result<Option<EnrollmentKeyRow>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM enrollment_keys WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// Marks (key, day)'s digest sent; `false` if another instance already did.
    pub async fn mark_digest_sent(
        &mut self,
        key_id: i64,
        day: &str,
        now: i64,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "INSERT INTO enrollment_key_digests (key_id, day, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id, day) DO NOTHING",
        )
        .bind(key_id)
        .bind(day)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A computer linked with a key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyUseRow {
    pub key_id: i64,
    pub machine_id: String,
    pub machine_name: String,
    pub at: i64,
    pub day: String,
}
