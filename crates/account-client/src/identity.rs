//! Who this machine is, as the service sees it.
//!
//! The OS machine identifier (MachineGuid on Windows, /etc/machine-id on Linux) never
//! leaves the machine: the service gets an HMAC of it under a key of this app, so the
//! value means nothing to anyone else. Cloned system images share the identifier; the
//! service copes (see its link rules), and the credential store — per machine — tells
//! installations apart.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::ClientError;

const FINGERPRINT_KEY: &[u8] = b"customer-account/machine-fingerprint/v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineIdentity {
    /// 64 hex characters.
    pub fingerprint: String,
    /// The computer's name, shown in the account's list of machines.
    pub name: String,
    /// "Windows 11 …", "Debian 12 …": described when first asked (only a link sends it),
    /// since describing it runs `lsb_release` on Linux.
    os: std::sync::OnceLock<String>,
}

/// Values that replace what the machine reports: for imaging tools and for tests that
/// play several machines on one.
#[derive(Debug, Clone, Default)]
pub struct IdentityOverrides {
    pub machine_uid: Option<String>,
    /// The machine's name in the account's list (else the OS's computer name).
    pub machine_name: Option<String>,
}

pub fn fingerprint_of(machine_uid: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(FINGERPRINT_KEY).expect("HMAC takes any key");
    mac.update(machine_uid.trim().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl MachineIdentity {
    pub fn detect(overrides: &IdentityOverrides) -> Result<Self, ClientError> {
        let uid = match &overrides.machine_uid {
            Some(uid) if !uid.trim().is_empty() => uid.clone(),
            _ => machine_uid::get().map_err(|e| {
                ClientError::Unexpected(format!("cannot read this machine's identifier: {e}"))
            })?,
        };
        let name = match &overrides.machine_name {
            Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
            _ => gethostname::gethostname()
                .to_string_lossy()
                .trim()
                .to_owned(),
        };
        let name = if name.is_empty() {
            "?".to_owned()
        } else {
            name
        };
        Ok(Self {
            fingerprint: fingerprint_of(&uid),
            name: name.chars().take(100).collect(),
            os: std::sync::OnceLock::new(),
        })
    }

    /// The operating system, as the account's list of machines shows it.
    pub fn os(&self) -> &str {
        self.os.get_or_init(|| {
            let info = os_info::get();
            format!("{} {}", info.os_type(), info.version())
                .chars()
                .take(100)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_hides_the_identifier_and_is_stable() {
        let uid = "0f3c1a2b-7d4e-4a5b-9c6d-112233445566";
        let fingerprint = fingerprint_of(uid);
        assert_eq!(fingerprint.len(), 64);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!fingerprint.contains("0f3c1a2b"));
        assert_eq!(fingerprint, fingerprint_of(&format!(" {uid}\n")));
        assert_ne!(fingerprint, fingerprint_of("another-machine"));
    }

    #[test]
    fn overrides_replace_what_the_machine_reports() {
        let identity = MachineIdentity::detect(&IdentityOverrides {
            machine_uid: Some("test-uid".into()),
            machine_name: Some("POSTE-COMPTA".into()),
        })
        .unwrap();
        assert_eq!(identity.fingerprint, fingerprint_of("test-uid"));
        assert_eq!(identity.name, "POSTE-COMPTA");
        assert!(!identity.os().trim().is_empty());
    }
}
