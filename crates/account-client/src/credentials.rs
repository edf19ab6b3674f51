//! The machine token, kept only in the operating system's credential store: Windows
//! Credential Manager, the macOS Keychain, or the Secret Service (GNOME Keyring, KWallet)
//! on Linux. Without one, saving fails with a clear error: never a file, never a store
//! in memory that would silently forget the link.
//!
//! Calls block (the stores are synchronous); async callers run them on a blocking thread.

use std::sync::{Arc, OnceLock};

use keyring_core::{Entry, Error as KeyringError};

/// The entry a machine's token is filed under: one per service and machine, so one
/// account per service on each machine, and two services never share a token.
pub fn token_key(service_url: &str, machine_fingerprint: &str) -> String {
    format!("{service_url} {}", &machine_fingerprint[..16])
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialError {
    #[error("no credential store is available on this computer ({0})")]
    Unavailable(String),
    #[error("the credential store refused the operation ({0})")]
    Failed(String),
}

/// The credential store, under one service name ("customer-account" in the product).
#[derive(Debug, Clone)]
pub struct CredentialStore {
    service: String,
}

impl CredentialStore {
    pub const SERVICE: &'static str = "customer-account";

    /// The OS store under the product's name.
    pub fn open() -> Result<Self, CredentialError> {
        Self::open_as(Self::SERVICE)
    }

    /// The OS store under another service name: another installation's view of the same
    /// store (tests use it to stand for a second machine's credential store).
    pub fn open_as(service: &str) -> Result<Self, CredentialError> {
        platform_store()?;
        Ok(Self {
            service: service.to_owned(),
        })
    }

    pub fn load(&self, key: &str) -> Result<Option<String>, CredentialError> {
        match self.entry(key)?.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(err) => Err(classify(err)),
        }
    }

    pub fn save(&self, key: &str, token: &str) -> Result<(), CredentialError> {
        self.entry(key)?.set_password(token).map_err(classify)
    }

    /// Removes the entry; an absent one is fine.
    pub fn delete(&self, key: &str) -> Result<(), CredentialError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(err) => Err(classify(err)),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, CredentialError> {
        Entry::new(&self.service, key).map_err(classify)
    }
}

fn classify(err: KeyringError) -> CredentialError {
    match err {
        KeyringError::NoStorageAccess(_) | KeyringError::NoDefaultStore => {
            CredentialError::Unavailable(err.to_string())
        }
        other => CredentialError::Failed(other.to_string()),
    }
}

/// Sets the platform's store as keyring-core's default, once per process.
fn platform_store() -> Result<(), CredentialError> {
    static STORE: OnceLock<Result<(), CredentialError>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let store =
                new_platform_store().map_err(|e| CredentialError::Unavailable(e.to_string()))?;
            tracing::debug!(vendor = %store.vendor(), "credential store");
            keyring_core::set_default_store(store);
            Ok(())
        })
        .clone()
}

#[cfg(target_os = "linux")]
fn new_platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "windows")]
fn new_platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn new_platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn new_platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Err(KeyringError::NotSupportedByStore(
        "no credential store on this operating system".into(),
    ))
}
