//! What a limit is and how full it is: the data the storage counts attempts with. The
//! rules of who is limited how live in `crate::limits`, which builds on this.

use super::{Storage, StorageError, Tx};
use crate::ids::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

/// One counter: a rule and the key it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub rule: Rule,
    pub key: String,
}

impl Bucket {
    pub fn new(rule: Rule, key: impl std::fmt::Display) -> Self {
        Self {
            key: format!("{}:{key}", rule.name),
            rule,
        }
    }
}

/// Seconds until a full bucket has room again: `at_in_window` are the times of the
/// attempts it holds within its window, oldest first. `None` while it has room.
pub fn wait_for_room(rule: Rule, at_in_window: &[i64], now: i64) -> Option<i64> {
    let count = at_in_window.len() as i64;
    if count < rule.max {
        return None;
    }
    // Room comes back when enough of the oldest attempts have left the window.
    let freeing = at_in_window[(count - rule.max) as usize];
    Some((freeing + rule.window_seconds - now).max(1))
}

/// An attempt refused: how long until every full bucket has room, and their rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub wait: i64,
    pub full: Vec<&'static str>,
}

// The attempts as stored: every instance counts the same rows.

impl Tx {
    /// Which of `buckets` are full, and how long until they all have room; `None` if
    /// none is. Inside a write transaction, so that an attempt added after it in the same
    /// transaction cannot overshoot the limit.
    pub async fn full_buckets(
        &mut self,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<Option<Refusal>, StorageError> {
        let mut refusal: Option<Refusal> = None;
        for bucket in buckets {
            let times: Vec<i64> = sqlx::query_scalar(
                "SELECT at FROM limit_attempts WHERE bucket = $1 AND at > $2 ORDER BY at, id",
            )
            .bind(&bucket.key)
            .bind(now - bucket.rule.window_seconds)
            .fetch_all(&mut *self.tx)
            .await?;
            if let Some(wait) = wait_for_room(bucket.rule, &times, now) {
                let refusal = refusal.get_or_insert(Refusal {
                    wait,
                    full: Vec::new(),
                });
                refusal.wait = refusal.wait.max(wait);
                refusal.full.push(bucket.rule.name);
            }
        }
        Ok(refusal)
    }

    /// Counts one attempt in every bucket; their ids, to give them back.
    pub async fn add_attempts(
        &mut self,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<Vec<i64>, StorageError> {
        let mut ids = Vec::with_capacity(buckets.len());
        for bucket in buckets {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO limit_attempts (bucket, at) VALUES ($1, $2) RETURNING id",
            )
            .bind(&bucket.key)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?;
            ids.push(id);
        }
        Ok(ids)
    }
}

impl Storage {
    /// Takes one attempt in every bucket, all or nothing, in one write transaction (the
    /// write lock serialises concurrent reservations, whichever instance makes them).
    /// `Err` when a bucket is full.
    pub async fn reserve_attempts(
        &self,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<Result<Vec<i64>, Refusal>, StorageError> {
        let mut tx = self.write().await?;
        if let Some(refusal) = tx.full_buckets(buckets, now).await? {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
        let ids = tx.add_attempts(buckets, now).await?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_waits_for_its_oldest_attempt_to_leave_the_window() {
        let rule = Rule {
            name: "t",
            max: 3,
            window_seconds: 100,
        };
        assert_eq!(wait_for_room(rule, &[10, 20], 50), None);
        assert_eq!(wait_for_room(rule, &[10, 20, 30], 50), Some(60));
        // Over the limit (a limit lowered since): wait until enough have left.
        assert_eq!(wait_for_room(rule, &[10, 20, 30, 40], 50), Some(70));
        assert_eq!(wait_for_room(rule, &[0, 0, 0], 100), Some(1));
    }
}
