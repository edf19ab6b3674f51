//! The client side of the customer account: what the desktop window and the command line
//! share.
//!
//! Owns the HTTP client of the account service (`api`), the machine token in the OS
//! credential store (`credentials`), the machine's identity (`identity`), what is kept in
//! the app's data folder — the service-issued machine ID and the last account snapshot,
//! never a secret (`local`) — and the host software's context (`host`). `AccountClient`
//! ties them into the operations a user performs. It knows nothing of windows, web views
//! or terminals.

pub mod account;
pub mod api;
pub mod credentials;
pub mod error;
pub mod host;
pub mod identity;
pub mod local;
pub mod messages;

pub use account::{AccountClient, ClientConfig, Status};
pub use error::ClientError;
