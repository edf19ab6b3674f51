//! What the app keeps in its data folder, per service: the machine ID the service issued
//! and the last account snapshot (shown read-only when the service cannot be reached).
//! No secret is ever written here: the token lives in the credential store.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use account_api::wire::AccountView;
use serde::{Deserialize, Serialize};

use crate::error::ClientError;

const FILE: &str = "state.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StateFile {
    #[serde(default)]
    services: BTreeMap<String, ServiceState>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub account: AccountView,
    /// When the service sent it (RFC 3339).
    pub fetched_at: String,
}

#[derive(Debug, Clone)]
pub struct LocalState {
    dir: PathBuf,
}

impl LocalState {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The per-user data folder the window uses too (e.g. %LOCALAPPDATA%\com.customer-account.desktop).
    pub fn default_dir() -> Option<PathBuf> {
        directories::BaseDirs::new()
            .map(|d| d.data_local_dir().join("com.customer-account.desktop"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What is kept for `service_url`; a missing or damaged file counts as empty.
    pub fn load(&self, service_url: &str) -> ServiceState {
        self.read().services.remove(service_url).unwrap_or_default()
    }

    pub fn update(
        &self,
        service_url: &str,
        change: impl FnOnce(&mut ServiceState),
    ) -> Result<(), ClientError> {
        // Read-change-write as one step: the window may refresh while a link saves.
        static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _writing = WRITING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut file = self.read();
        let state = file.services.entry(service_url.to_owned()).or_default();
        change(state);
        if *state == ServiceState::default() {
            file.services.remove(service_url);
        }
        self.write(&file)
    }

    fn read(&self) -> StateFile {
        let path = self.dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                tracing::warn!(path = %path.display(), error = %err, "damaged state file ignored");
                StateFile::default()
            }),
            Err(_) => StateFile::default(),
        }
    }

    /// Whole file written aside, then renamed: a crash never leaves half a file.
    fn write(&self, file: &StateFile) -> Result<(), ClientError> {
        let fail = |e: std::io::Error| {
            ClientError::Unexpected(format!("cannot write into {}: {e}", self.dir.display()))
        };
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        // Unique per process and write: another process may be writing beside us.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let partial = self.dir.join(format!(".{FILE}.{}.{n}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(file).expect("the state serializes");
        std::fs::write(&partial, bytes).map_err(fail)?;
        std::fs::rename(&partial, self.dir.join(FILE)).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_kept_per_service_and_survives_damage() {
        let dir = tempfile::tempdir().unwrap();
        let local = LocalState::new(dir.path());
        assert_eq!(local.load("http://a"), ServiceState::default());
        local
            .update("http://a", |s| s.machine_id = Some("m1".into()))
            .unwrap();
        local
            .update("http://b", |s| s.machine_id = Some("m2".into()))
            .unwrap();
        assert_eq!(local.load("http://a").machine_id.as_deref(), Some("m1"));
        assert_eq!(local.load("http://b").machine_id.as_deref(), Some("m2"));

        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        assert_eq!(local.load("http://a"), ServiceState::default());
        local
            .update("http://a", |s| s.machine_id = Some("m3".into()))
            .unwrap();
        assert_eq!(local.load("http://a").machine_id.as_deref(), Some("m3"));
    }
}
