//! Real peers for the tests, on loopback: an SMTP server that keeps what it receives.
//!
//! Tests use it in place of a mail provider; it knows nothing of the product.

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
