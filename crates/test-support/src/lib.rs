//! The one harness of every test that needs real parts, all on loopback:
//! - [`service`]: the account service itself (`Application::build` on port 0), its SQLite
//!   file in a temporary folder, and a real SMTP server ([`smtp`]) receiving its mail;
//! - [`machine`]: one computer as the client library or the program sees it — its
//!   identity, data folder and credential store;
//! - [`program`]: the `customer-account` program run to its end, as a user or script would.
//!
//! It knows the service's public API and the client's configuration; it must not know
//! any test's scenario, nor reach into the service's or the client's internals.

pub mod machine;
pub mod program;
pub mod service;
pub mod smtp;

/// A TCP port that was free a moment ago (for a peer that must start later on it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Another code of the same shape as `code` (a mailed confirmation code), certainly wrong.
pub fn wrong_code(code: &str) -> String {
    let mut wrong = code.to_owned();
    let last = wrong.pop().expect("a code is not empty");
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    wrong
}

/// Something unique to this test run (process and instant), to keep names apart.
pub fn unique(label: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
