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

    /// Records that `machine_id` was linked with key `key_id`.
    pub async fn record_enrollment_key_use(
        &mut self,
        key_id: i64,
        machine_id: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO enrollment_key_uses (key_id, machine_id, at) VALUES ($1, $2, $3)")
            .bind(key_id)
            .bind(machine_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
