//! Who calls the API: the linked machine behind the bearer token, and its account.

use crate::{
    error::ApiError,
    extract::BearerToken,
    secrets::token_hash,
    state::AppState,
    storage::{AccountRow, MachineRow, Tx},
};

/// The linked machine behind the bearer token, and its account.
pub async fn authenticate(
    state: &AppState,
    token: BearerToken,
) -> Result<(MachineRow, AccountRow), ApiError> {
    let mut tx = state.storage.read().await?;
    let found = authenticate_in(&mut tx, token).await?;
    tx.commit().await?;
    Ok(found)
}

/// The same, inside the caller's transaction.
pub async fn authenticate_in(
    tx: &mut Tx,
    token: BearerToken,
) -> Result<(MachineRow, AccountRow), ApiError> {
    let token = token.0.ok_or(ApiError::NotLinked)?;
    let machine = tx
        .linked_machine_by_token_hash(&token_hash(&token))
        .await?
        .ok_or(ApiError::NotLinked)?;
    let account = tx
        .account_by_id(machine.account_id)
        .await?
        .ok_or(ApiError::NotLinked)?;
    Ok((machine, account))
}
