//! JSON shapes of the `/api/v1` endpoints.
//!
//! Requests carry the values as typed (plain strings): the service parses them into the
//! `domain` types and reports every bad field at once, so a form can mark them all.
//! Responses carry plain strings too, so an older client still reads a newer service.

use serde::{Deserialize, Serialize};

use crate::domain::RawPostalAddress;

/// The account's details as the user sees and edits them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub email: String,
    /// Raison sociale of the company that pays for support (invoices use it).
    pub company_name: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub siret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub address: Option<RawPostalAddress>,
    /// "fr" or "en": the language of the account's e-mails. French when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<crate::domain::Language>", optional = nullable)
    )]
    pub language: Option<String>,
}

/// `POST /api/v1/accounts`: create the company's account and e-mail its password.
pub type RegisterRequest = AccountDetails;

/// `POST /api/v1/password-requests`: "e-mail my password".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRequest {
    pub email: String,
    /// Language of the e-mail when the address has no account (else the account's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The answer to register and password request. It is the same whether or not the
/// address has an account, so nobody learns that from the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordSent {
    pub status: String,
}

impl PasswordSent {
    pub const STATUS: &'static str = "password_sent";

    pub fn new() -> Self {
        Self {
            status: Self::STATUS.to_owned(),
        }
    }
}

impl Default for PasswordSent {
    fn default() -> Self {
        Self::new()
    }
}

/// What a machine tells about itself when it links. The fingerprint is a keyed hash of
/// the OS machine identifier, never the identifier itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineInfo {
    /// 64 hexadecimal characters.
    pub fingerprint: String,
    /// Computer name, as shown in the account's list of machines.
    pub name: String,
    pub os: String,
    pub app_version: String,
    /// The machine ID the service issued at a previous link, if this machine kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
}

/// `POST /api/v1/links`. A machine that already holds a token sends it as its bearer
/// token: that proves it is the same installation, whose record is then re-linked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRequest {
    pub email: String,
    pub password: String,
    pub machine: MachineInfo,
    /// Move this machine from the account it is linked to (audited on both accounts).
    #[serde(default)]
    pub move_machine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkResponse {
    /// The machine token: keep it only in the OS credential store.
    pub token: String,
    pub machine_id: String,
    pub account: AccountView,
}

/// `GET /api/v1/account` (and the answer to a successful edit).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The number to give to support, digits only (check digit included).
    pub customer_id: String,
    pub details: AccountDetails,
    pub support_time: SupportTime,
    pub machines: Vec<MachineView>,
    /// The machine that made this request.
    pub this_machine_id: String,
    /// Send it back with an edit: a stale version means the account changed elsewhere.
    pub version: i64,
    /// A new e-mail address asked for in an edit, waiting for the code mailed to it
    /// (`details.email` stays the account's address until the code is entered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub pending_email: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportTime {
    /// Prepaid support time left, in minutes; negative when overdrawn.
    pub balance_minutes: i64,
    /// The latest support calls. (The JSON name predates the glossary's
    /// "support call"; renaming it would break clients already installed.)
    pub recent_sessions: Vec<SupportCall>,
}

/// Time an agent charged for one support call.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportCall {
    pub at: String,
    pub minutes: i64,
    pub agent: String,
    pub note: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineView {
    pub machine_id: String,
    pub name: String,
    pub os: String,
    pub app_version: String,
    pub linked_at: String,
    pub last_seen_at: String,
    /// Another linked machine reports the same machine identifier (a cloned system
    /// image, typically): both stay linked, and the user can tell them apart here.
    pub shares_identity: bool,
}

/// `PUT /api/v1/account`: Validate. Requires the account password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditRequest {
    pub password: String,
    /// The `version` of the account the user started editing from.
    pub version: i64,
    pub details: AccountDetails,
}

/// `POST /api/v1/account/email-confirmation`: the code mailed to the new address, as
/// typed (spaces, dashes and case do not matter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailConfirmationRequest {
    pub code: String,
}

/// `POST /api/v1/account/machines/{machine_id}/unlink`: free another machine's link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkMachineRequest {
    pub password: String,
}

/// `POST /api/v1/account/enrollment-keys` (password required): a key with which an
/// administrator links several computers without typing the password on each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentKeyRequest {
    pub password: String,
    /// What the key is for ("Salle de formation"), as listed.
    pub label: String,
    /// How many computers it may link: 1 to [`ENROLLMENT_KEY_MAX_USES`]; default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<i64>,
    /// Days until it expires: 1 to [`ENROLLMENT_KEY_MAX_DAYS`]; default 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_days: Option<i64>,
}

pub const ENROLLMENT_KEY_DEFAULT_USES: i64 = 10;
pub const ENROLLMENT_KEY_MAX_USES: i64 = 500;
pub const ENROLLMENT_KEY_DEFAULT_DAYS: i64 = 7;
pub const ENROLLMENT_KEY_MAX_DAYS: i64 = 90;
pub const ENROLLMENT_KEY_LABEL_MAX: usize = 60;

/// The answer to a key's creation: the key itself, shown this once (only its hash is
/// kept), and its entry in the list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentKeyCreated {
    pub key: String,
    pub enrollment_key: EnrollmentKeyView,
}

/// An enrollment key as listed (never the key itself).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentKeyView {
    pub id: i64,
    pub label: String,
    pub uses_allowed: i64,
    pub uses_left: i64,
    pub created_at: String,
    pub expires_at: String,
    /// Who created it: a computer of the account (its name) or support.
    pub created_by: String,
    /// `active`, `expired`, `used_up` or `revoked`.
    pub status: String,
    /// The computers linked with it, oldest first.
    pub uses: Vec<EnrollmentKeyUse>,
}

/// One computer linked with a key.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentKeyUse {
    pub at: String,
    pub machine_id: String,
    pub machine_name: String,
}

/// `POST /api/v1/enrollment-links`: links this machine with an enrollment key instead of
/// the e-mail address and password; otherwise the same as [`LinkRequest`] (bearer token
/// included), and the same answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLinkRequest {
    pub enrollment_key: String,
    pub machine: MachineInfo,
    #[serde(default)]
    pub move_machine: bool,
}

/// `POST /api/v1/account/machines/unlink-stale` (password required): unlinks, in one
/// step, the computers the user was shown as not seen for `not_seen_days` days. One that
/// was seen since, or is the caller, is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkStaleRequest {
    pub password: String,
    pub not_seen_days: i64,
    pub machine_ids: Vec<String>,
}

pub const STALE_DAYS_MAX: i64 = 3650;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkStaleResponse {
    /// The machine IDs unlinked.
    pub unlinked: Vec<String>,
    pub account: AccountView,
}

/// An enrollment key as typed or pasted: case, spaces and dashes do not matter.
pub fn normalize_enrollment_key(typed: &str) -> String {
    crate::password::normalize_typed_password(typed).replace('-', "")
}

/// `GET /health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}
