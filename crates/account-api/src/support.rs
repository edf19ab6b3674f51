//! The support API's JSON shapes (`/api/v1/support/…`), for integrations (telephony,
//! helpdesk) acting for an agent: shared here so a client in Rust uses the service's own
//! types. Its error codes are in [`ErrorCode::SUPPORT_API`](crate::error::ErrorCode).

use serde::{Deserialize, Serialize};

/// An account as a support search or lookup shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub customer_id: String,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub siret: Option<String>,
    pub balance_minutes: i64,
}

/// `GET /api/v1/support/accounts?q=…`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub accounts: Vec<AccountSummary>,
    /// The query looked like a customer ID with a wrong check digit: `accounts` are
    /// the ones a single misheard or swapped digit away.
    pub check_digit_mismatch: bool,
    /// More accounts match than the service ranks: these are the first ones, unranked;
    /// a more precise query finds the right one.
    #[serde(default)]
    pub more: bool,
}

/// One entry of the support-time ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntryView {
    pub id: i64,
    pub at: String,
    /// `credit`, `session` (a support call: the stored name) or `correction`.
    pub kind: String,
    pub minutes: i64,
    pub worked_minutes: Option<i64>,
    pub reference: String,
    pub note: String,
    pub agent: String,
    pub reverses: Option<i64>,
}

/// `POST /api/v1/support/accounts/{customer_id}/support-calls`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSupportCall {
    /// Minutes worked; the service's rounding rule gives the minutes charged.
    pub minutes: i64,
    #[serde(default)]
    pub note: String,
}

/// The answer to [`LogSupportCall`]: the entry written and the new balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedSupportCall {
    pub entry: LedgerEntryView,
    pub balance_minutes: i64,
}

/// `GET /api/v1/support/accounts/{customer_id}/balance`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub customer_id: String,
    pub balance_minutes: i64,
}

/// `POST /api/v1/support/accounts/{customer_id}/enrollment-keys` (agents whose role is
/// admin): a key for the account's administrator, answered once as
/// [`EnrollmentKeyCreated`](crate::wire::EnrollmentKeyCreated). Limits and defaults as
/// for [`EnrollmentKeyRequest`](crate::wire::EnrollmentKeyRequest); no password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEnrollmentKey {
    /// What the key is for ("Salle de formation"), as listed.
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_days: Option<i64>,
}
