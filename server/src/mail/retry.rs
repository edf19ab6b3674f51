//! When undelivered mail is tried again: a setting the configuration reads and the
//! worker follows, apart from both so neither imports the other.

use std::time::Duration;

/// When a mail that could not be delivered is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The wait after the first failure; it doubles with each further one…
    pub base: Duration,
    /// …up to this.
    pub max: Duration,
    /// While mail waits, one of them is tried this often anyway, to notice at once
    /// that the mail server is back.
    pub probe: Duration,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(600),
            probe: Duration::from_secs(20),
        }
    }
}

impl RetrySchedule {
    /// The wait after a mail's `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = attempts.clamp(1, 20) as u32 - 1;
        self.base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max)
    }

    /// Whether to probe the mail server now: mail waits, none is due yet, and the last
    /// failure is at least `probe` old (or there was none since this instance started).
    pub fn probe_due(&self, next_due_at: Option<i64>, last_failure: Option<i64>, now: i64) -> bool {
        let probe = self.probe.as_secs() as i64;
        let waiting = next_due_at.is_some_and(|at| at > now);
        waiting && last_failure.is_none_or(|at| now - at >= probe)
    }
}
