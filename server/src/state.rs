//! What every handler can reach: storage, the password hasher, the mail templates and
//! the outbox's wake-up, the metrics, and the settings they read. Built by `startup`,
//! used by the routes and the console; it knows neither.

use std::{path::PathBuf, sync::Arc};

use axum::extract::FromRef;
use tokio::sync::Notify;

use crate::{
    account_reads::AccountReads, config::SupportSettings, mail::Templates, metrics::Metrics,
    secrets::PasswordHasher, storage::Storage,
};

/// What every handler can reach. A handler that needs one part takes just that part
/// (`State<Storage>`…), through the `FromRef` sub-states derived here.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub storage: Storage,
    /// The account views this instance served, checked before serving them again.
    pub account_reads: AccountReads,
    pub hasher: PasswordHasher,
    pub templates: Arc<Templates>,
    /// Wakes the outbox worker after a transaction that enqueued mail commits.
    pub mail_wake: Arc<Notify>,
    #[from_ref(skip)]
    pub trust_forwarded_for: bool,
    /// The file transport's folder, listed at /outbox (local use only).
    #[from_ref(skip)]
    pub local_outbox: Option<PathBuf>,
    pub support: SupportSettings,
    /// This service's figures, served on the metrics listener.
    pub metrics: Metrics,
    /// Console cookies carry `Secure` when the service is reached over HTTPS.
    #[from_ref(skip)]
    pub console_cookies_secure: bool,
}
