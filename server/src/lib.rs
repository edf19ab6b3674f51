//! The customer account service.
//!
//! Owns the HTTP API (`/api/v1`), the storage of accounts, machines and their links, the
//! attempt limits, and the e-mail outbox with its delivery worker. It speaks the wire
//! types of `account-api` and knows nothing of the desktop app or its window.
//! Handlers never see SQL: `storage` is the boundary a second database plugs into.
//! What the API routes and the console both do lives once, in use-case modules
//! (`accounts`, `passwords`, `machines`, `ledger`), which know neither of them.
//! The support side lives here too: the agents' console (`console`, server-rendered
//! pages), its JSON API for integrations, and the support-time ledger they write.

pub mod account_reads;
pub mod accounts;
pub mod audit;
pub mod cli;
pub mod config;
pub mod console;
pub mod enrollment;
pub mod error;
pub mod extract;
pub mod ids;
pub mod ledger;
pub mod limits;
pub mod machines;
pub mod mail;
pub mod metrics;
pub mod passwords;
pub mod router;
pub mod routes;
pub mod secrets;
pub mod startup;
pub mod state;
pub mod storage;
pub mod support;
pub mod telemetry;

pub use startup::Application;

/// Unix time in seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 3339 text of a Unix time, for the API.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
