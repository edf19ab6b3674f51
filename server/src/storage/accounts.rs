//! Accounts: their details, password requests, known networks and e-mail address changes.

use account_api::details::ValidDetails;

use super::{
    database::ACCOUNT_COLUMNS, AccountRow, EmailChangeRow, PasswordRequestRow, StorageError, Tx,
    PASSWORD_REQUESTS_KEPT,
};
use crate::ids::AccountId;

impl Tx {
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
        let mut insert = sqlx::query_scalar(
            "INSERT INTO accounts (email, company_name, contact_first_name, contact_last_name, \
                phone, siret, address_street, address_postal_code, address_city, address_country, \
                language, password_hash, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING id",
        );
        for value in detail_columns(details) {
            insert = insert.bind(value);
        }
        let id: i64 = insert
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
        let mut update = sqlx::query(
            "UPDATE accounts SET email = $1, company_name = $2, contact_first_name = $3, \
                contact_last_name = $4, phone = $5, siret = $6, address_street = $7, \
                address_postal_code = $8, address_city = $9, address_country = $10, language = $11, \
                version = version + 1, updated_at = $12 \
             WHERE id = $13 AND version = $14",
        );
        for value in detail_columns(details) {
            update = update.bind(value);
        }
        let done = update
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
}

/// The values of the account's detail columns, in the order both the INSERT and the
/// UPDATE list them (email … language); NULL where an optional field is absent.
fn detail_columns(details: &ValidDetails) -> [Option<String>; 11] {
    let address = details.address.as_ref().map(|a| a.to_raw());
    [
        Some(details.email.as_str().to_owned()),
        Some(details.company_name.as_str().to_owned()),
        Some(details.contact_first_name.as_str().to_owned()),
        Some(details.contact_last_name.as_str().to_owned()),
        Some(details.phone.as_str().to_owned()),
        details.siret.as_ref().map(|s| s.as_str().to_owned()),
        address.as_ref().map(|a| a.street.clone()),
        address.as_ref().map(|a| a.postal_code.clone()),
        address.as_ref().map(|a| a.city.clone()),
        address.as_ref().map(|a| a.country.clone()),
        Some(details.language.as_str().to_owned()),
    ]
}

fn unique_email(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::EmailTaken,
        _ => err.into(),
    }
}
