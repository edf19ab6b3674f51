//! Who calls the API: the linked machine behind the bearer token, and its account.

use crate::{
    error::ApiError,
    extract::BearerToken,
    passwords::{check_password, use_if_requested, PasswordCaller},
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

/// Checks the account password typed on its linked `machine` (within that machine's
/// limit), then opens the write transaction of the change it allows, in which a password
/// request's password that was used becomes the password.
pub async fn write_with_password(
    state: &AppState,
    machine: &MachineRow,
    account: &AccountRow,
    password: &str,
) -> Result<Tx, ApiError> {
    let matched = check_password(
        state,
        PasswordCaller::LinkedMachine(machine),
        account.email.as_str(),
        Some(account),
        password,
    )
    .await?;
    let mut tx = state.storage.write().await?;
    use_if_requested(&mut tx, account.id, &matched).await?;
    Ok(tx)
}
