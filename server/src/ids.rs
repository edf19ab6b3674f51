//! The storage identities of accounts and machines, as types: an account's row id is
//! never mistaken for an agent's or an entry's, nor a machine ID for any other text.
//! Users never see these; they see the customer ID (`accounts::customer_id`).

use std::fmt;

/// An account's row id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Serialize,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct AccountId(i64);

impl AccountId {
    /// For a row id read by other means (tests, the customer ID arithmetic).
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A machine's ID: 32 hexadecimal characters, made by the service at the first link
/// (`secrets::new_machine_id`) and kept by the app.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct MachineId(String);

impl MachineId {
    /// An ID the app sent back, if it is one the service could have made.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MachineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
