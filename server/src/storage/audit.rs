//! The audit trail: who did what to an account; only ever added to.

use super::{AuditRow, StorageError, Tx};
use crate::{
    audit::{Action, Actor},
    ids::AccountId,
};

impl Tx {
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
}
