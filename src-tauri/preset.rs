//! The installer's enrollment key preset: an administrator deploys the program with
//! `/ENROLLMENTKEYFILE=…`, the installer copies the key beside the program's machine-wide
//! settings, and the first start (window or command) links this computer with it, then
//! deletes it. A key already used up, revoked, expired or wrong is deleted too; one that
//! could not be tried (service unreachable) stays for the next start.

use std::path::PathBuf;

use account_api::wire::AccountView;
use account_client::{AccountClient, ClientError, Status};

/// Overrides where the preset is looked for (tests; administrators of other systems).
pub const PRESET_ENV: &str = "CUSTOMER_ACCOUNT_ENROLLMENT_KEY_PRESET";

/// Where the installer leaves the key: `%ProgramData%\customer-account\enrollment-key.txt`
/// on Windows; nowhere by default elsewhere.
pub fn preset_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(PRESET_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if cfg!(windows) {
        let data = std::env::var_os("ProgramData")?;
        return Some(
            PathBuf::from(data)
                .join("customer-account")
                .join("enrollment-key.txt"),
        );
    }
    None
}

/// Links with the preset key if there is one and this computer is not linked yet: the
/// account then, or why not. `None`: nothing to do (no preset, or already linked, in
/// which case the preset is deleted as spent).
pub async fn link_with_preset(
    client: &AccountClient,
    status: &Status,
) -> Option<Result<AccountView, ClientError>> {
    let path = preset_path()?;
    let key = std::fs::read_to_string(&path).ok()?;
    if !matches!(status, Status::NotLinked) || key.trim().is_empty() {
        remove(&path);
        return None;
    }
    let result = client.link_with_key(&key, false).await;
    match &result {
        Ok(_) | Err(ClientError::EnrollmentKey(_) | ClientError::LinkedElsewhere) => remove(&path),
        Err(_) => {}
    }
    Some(result)
}

fn remove(path: &std::path::Path) {
    if let Err(err) = std::fs::remove_file(path) {
        log::warn!(
            "cannot delete the enrollment key preset {}: {err}",
            path.display()
        );
    }
}
