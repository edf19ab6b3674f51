//! Machines: linked, relinked, unlinked, seen.

use super::{MachineRow, StorageError, Tx};
use crate::ids::{AccountId, MachineId};

impl Tx {
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
}
