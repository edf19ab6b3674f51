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

/// Waits, if needed, until the current clock-aligned window of `window_seconds` has at
/// least `margin_seconds` left: the service's attempt limits count in such windows, and
/// a test that crosses a boundary sees its count start again.
pub async fn clear_of_window_boundary(window_seconds: u64, margin_seconds: u64) {
    let into_window = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
        % window_seconds;
    let left = window_seconds - into_window;
    if left < margin_seconds {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}
