//! Drains the outbox: each mail is claimed by this service instance, sent, then marked
//! sent (its body erased). Nothing is lost to an SMTP outage or a crash, since the
//! outbox is in the database.
//!
//! - **Claims belong to a live instance.** Every instance beats every
//!   [`HEARTBEAT`]; its claims are never taken while it beats. Once it has been silent
//!   for [`DEAD_AFTER_SECONDS`] (killed, its host gone), any instance takes its mail over,
//!   so a user waiting for a password after a crash waits seconds, not minutes.
//! - **Retries** follow [`RetrySchedule`]: a failed mail waits longer each time, and while
//!   mail waits the mail server is probed with one of them every `probe` seconds; the first
//!   success makes every waiting mail due at once. So once the server answers again,
//!   everything leaves within about `probe` seconds, whatever the backoff had reached.
//!
//! A crash between the SMTP server's "OK" and the "sent" mark would send that mail
//! again; the Message-ID stays the same so mail systems can drop the copy.

use std::{sync::Arc, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    Message,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use super::retry::RetrySchedule;
use super::transport::MailTransport;
use crate::{
    metrics::{MailFailure, Metrics},
    secrets::OutboxKey,
    storage::{OutboxRow, Storage, StorageError},
};

/// Mails taken at a time, sent side by side (see `deliver_due`).
const BATCH: i64 = 10;
/// How often a running instance says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// Silent this long, an instance counts as gone and its claimed mail is taken over.
pub const DEAD_AFTER_SECONDS: i64 = 6;
/// Longest sleep between two looks at the outbox when nothing wakes the worker.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// Attempts older than this are forgotten (longer than every limit's window).
const ATTEMPTS_KEPT_SECONDS: i64 = 2 * 60 * 60;

pub struct OutboxWorker {
    pub storage: Storage,
    pub transport: Box<dyn MailTransport>,
    pub from: Mailbox,
    pub schedule: RetrySchedule,
    /// Notified after a transaction that enqueued mail commits.
    pub wake: Arc<Notify>,
    /// This service instance, as its claims name it.
    pub instance: String,
    pub key: Arc<OutboxKey>,
    /// Counts the failed delivery attempts.
    pub metrics: Metrics,
}

impl OutboxWorker {
    /// Beats and delivers until `shutdown`; then hands its claims back.
    pub async fn run(self, shutdown: CancellationToken) {
        if let Err(err) = self.beat().await {
            tracing::warn!(error = %err, "outbox: cannot record this instance");
        }
        // One task: if delivering ever stopped, the beat would stop with it, and other
        // instances would take this one's mail over.
        tokio::select! {
            () = self.deliver_until(&shutdown) => {},
            () = self.beat_forever() => {},
        }
        if let Err(err) = self.storage.instance_stopped(&self.instance).await {
            tracing::warn!(error = %err, "outbox: cannot hand back claimed mail");
        }
        tracing::info!("outbox worker stopped");
    }

    async fn beat(&self) -> Result<(), StorageError> {
        self.storage
            .instance_heartbeat(&self.instance, crate::now())
            .await
    }

    async fn beat_forever(&self) {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            if let Err(err) = self.beat().await {
                tracing::warn!(error = %err, "outbox: heartbeat failed");
            }
        }
    }

    async fn deliver_until(&self, shutdown: &CancellationToken) {
        let mut last_prune = 0;
        let mut last_failure: Option<i64> = None;
        loop {
            if let Err(err) = self.deliver_due(shutdown, &mut last_failure).await {
                tracing::warn!(error = %err, "outbox: cannot read the outbox");
                // A mail taken but not marked stays claimed by this live instance: give
                // it back, or no one would try it again (nothing of ours is in flight).
                if let Err(err) = self.storage.release_claims_of(&self.instance).await {
                    tracing::warn!(error = %err, "outbox: cannot hand back claimed mail");
                }
            }
            let now = crate::now();
            if now - last_prune > 600 {
                last_prune = now;
                if let Err(err) = self
                    .storage
                    .prune_attempts(now - ATTEMPTS_KEPT_SECONDS)
                    .await
                {
                    tracing::warn!(error = %err, "cannot prune attempt counters");
                }
            }
            let next_due = self
                .storage
                .next_mail_due_at(&self.instance, DEAD_AFTER_SECONDS)
                .await
                .ok()
                .flatten();
            if !shutdown.is_cancelled() && self.schedule.probe_due(next_due, last_failure, now) {
                if let Err(err) = self.probe(&mut last_failure).await {
                    tracing::warn!(error = %err, "outbox: cannot read the outbox");
                }
                continue;
            }
            let probe = self.schedule.probe.as_secs() as i64;
            let wait = match next_due {
                Some(at) => {
                    let until_probe = last_failure.map_or(0, |f| f + probe - now);
                    Duration::from_secs((at - now).min(until_probe.max(0)).clamp(0, 30) as u64)
                }
                None => IDLE_WAIT,
            }
            .max(Duration::from_millis(200));
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.wake.notified() => {},
                () = tokio::time::sleep(wait) => {},
            }
        }
    }

    /// Sends every mail that is due; between two mails, stops if asked to.
    pub async fn deliver_due(
        &self,
        shutdown: &CancellationToken,
        last_failure: &mut Option<i64>,
    ) -> Result<usize, StorageError> {
        let mut delivered = 0;
        loop {
            if shutdown.is_cancelled() {
                return Ok(delivered);
            }
            let now = crate::now();
            let batch = self
                .storage
                .claim_due_mail(&self.instance, now, now - DEAD_AFTER_SECONDS, BATCH)
                .await?;
            if batch.is_empty() {
                return Ok(delivered);
            }
            // Mails to different addresses leave side by side: each SMTP exchange mostly
            // waits, and one at a time held the outbox to a few mails a second (at 20
            // registrations a second, password mails waited most of a second). Mails to
            // one address leave in the order they were written.
            let mut groups: Vec<Vec<OutboxRow>> = Vec::new();
            for row in batch {
                match groups.iter_mut().find(|g| g[0].recipient == row.recipient) {
                    Some(group) => group.push(row),
                    None => groups.push(vec![row]),
                }
            }
            let before = *last_failure;
            let outcomes =
                futures_util::future::join_all(groups.into_iter().map(|group| async move {
                    let mut failure = before;
                    let mut sent = Vec::new();
                    let mut rows = group.into_iter();
                    for row in rows.by_ref() {
                        if let Err(err) = self.deliver(row, &mut failure, Some(&mut sent)).await {
                            return (sent, failure, Vec::new(), Err(err));
                        }
                        if shutdown.is_cancelled() {
                            break;
                        }
                    }
                    let untried: Vec<i64> = rows.map(|row| row.id).collect();
                    (sent, failure, untried, Ok(()))
                }))
                .await;
            let mut untried = Vec::new();
            let mut failures = Vec::new();
            let mut sent = Vec::new();
            let mut failed = Ok(());
            for (ids, failure, left, outcome) in outcomes {
                sent.extend(ids);
                failures.push(failure);
                untried.extend(left);
                if outcome.is_err() && failed.is_ok() {
                    failed = outcome;
                }
            }
            // Marked sent together: a crash before this sends them again, with the
            // same Message-ID (see the module's comment).
            self.storage.mark_mails_sent(&sent, crate::now()).await?;
            delivered += sent.len();
            failed?;
            // A failure now, or else the server answered again if any mail left.
            *last_failure = match failures
                .iter()
                .flatten()
                .filter(|f| Some(**f) != before)
                .max()
            {
                Some(latest) => Some(*latest),
                None if failures.iter().any(Option::is_none) => None,
                None => before,
            };
            // Stopping: hand back what was taken but not tried, for the next start.
            if !untried.is_empty() {
                self.storage.release_mail(&untried).await?;
                return Ok(delivered);
            }
        }
    }

    /// Tries the mail that has waited longest, due or not; if it leaves, the server is
    /// back and everything waiting becomes due.
    async fn probe(&self, last_failure: &mut Option<i64>) -> Result<(), StorageError> {
        let now = crate::now();
        match self
            .storage
            .claim_probe_mail(&self.instance, now - DEAD_AFTER_SECONDS)
            .await?
        {
            Some(row) => {
                tracing::info!(mail_id = row.id, "outbox: probing the mail server");
                if self.deliver(row, last_failure, None).await? {
                    self.storage.make_waiting_mail_due(crate::now()).await?;
                }
            }
            // Another instance holds them all: nothing to probe with for now.
            None => *last_failure = Some(now),
        }
        Ok(())
    }

    async fn deliver(
        &self,
        row: OutboxRow,
        last_failure: &mut Option<i64>,
        // Where a sent mail's id goes to be marked later with others; `None`: now.
        mark_later: Option<&mut Vec<i64>>,
    ) -> Result<bool, StorageError> {
        let now = crate::now();
        let message = match self.build(&row) {
            Ok(message) => message,
            Err(Unbuildable::Opening) => {
                // A wrong outbox key: keep the mail; the operator can set the right one.
                let wait = self.schedule.backoff(row.attempts);
                tracing::error!(
                    mail_id = row.id,
                    "outbox: the body cannot be opened with this outbox key"
                );
                self.metrics.mail_failure(MailFailure::Retry);
                self.storage
                    .mark_mail_retry(row.id, now + wait.as_secs() as i64, "outbox key")
                    .await?;
                return Ok(false);
            }
            Err(Unbuildable::Invalid(err)) => {
                tracing::error!(mail_id = row.id, error = %err, "outbox: mail cannot be built");
                self.metrics.mail_failure(MailFailure::Failed);
                self.storage.mark_mail_failed(row.id, now, &err).await?;
                return Ok(false);
            }
        };
        let stem = format!("{}-{:06}", row.created_at, row.id);
        match self.transport.send(&message, &stem).await {
            Ok(()) => {
                let now = crate::now();
                match mark_later {
                    Some(ids) => ids.push(row.id),
                    None => self.storage.mark_mail_sent(row.id, now).await?,
                }
                tracing::info!(
                    mail_id = row.id,
                    attempts = row.attempts,
                    "outbox: mail delivered"
                );
                if last_failure.take().is_some() {
                    let due = self.storage.make_waiting_mail_due(now).await?;
                    if due > 0 {
                        tracing::info!(mails = due, "outbox: the mail server answers again");
                    }
                }
                Ok(true)
            }
            Err(err) if err.permanent => {
                tracing::warn!(mail_id = row.id, error = %err, "outbox: mail refused for good");
                self.metrics.mail_failure(MailFailure::Failed);
                self.storage
                    .mark_mail_failed(row.id, now, &err.message)
                    .await?;
                Ok(false)
            }
            Err(err) => {
                let wait = self.schedule.backoff(row.attempts);
                *last_failure = Some(crate::now());
                tracing::warn!(
                    mail_id = row.id,
                    attempts = row.attempts,
                    retry_in_s = wait.as_secs(),
                    error = %err,
                    "outbox: delivery failed, will retry"
                );
                self.metrics.mail_failure(MailFailure::Retry);
                self.storage
                    .mark_mail_retry(row.id, now + wait.as_secs() as i64, &err.message)
                    .await?;
                Ok(false)
            }
        }
    }

    fn build(&self, row: &OutboxRow) -> Result<Message, Unbuildable> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|err| Unbuildable::Invalid(format!("invalid recipient: {err}")))?;
        let stored = row
            .body
            .as_deref()
            .ok_or_else(|| Unbuildable::Invalid("the mail's body is gone".to_owned()))?;
        let body = self
            .key
            .open(&row.recipient, stored)
            .map_err(|_| Unbuildable::Opening)?;
        let domain = self.from.email.domain();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            // The same Message-ID on every attempt: a copy sent twice is recognisable.
            .message_id(Some(format!(
                "<outbox-{}-{}@{domain}>",
                row.id, row.created_at
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|err| Unbuildable::Invalid(err.to_string()))
    }
}

enum Unbuildable {
    Opening,
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> RetrySchedule {
        RetrySchedule {
            base: Duration::from_secs(2),
            max: Duration::from_secs(600),
            probe: Duration::from_secs(20),
        }
    }

    #[test]
    fn failed_mail_waits_twice_as_long_each_time_up_to_the_cap() {
        let s = schedule();
        let waits: Vec<u64> = (1..=12).map(|n| s.backoff(n).as_secs()).collect();
        assert_eq!(
            waits,
            [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600],
            "seconds after each failed attempt"
        );
        assert_eq!(s.backoff(0).as_secs(), 2);
        assert_eq!(s.backoff(i64::MAX).as_secs(), 600);
    }

    #[test]
    fn the_mail_server_is_probed_while_mail_waits_long() {
        let s = schedule();
        let now = 1_000;
        // Nothing waiting, or something due already: no probe, the normal try comes.
        assert!(!s.probe_due(None, None, now));
        assert!(!s.probe_due(Some(now), Some(now - 100), now));
        // Waiting for ten minutes: probe at once after a start, then every 20 s.
        assert!(s.probe_due(Some(now + 600), None, now));
        assert!(!s.probe_due(Some(now + 600), Some(now - 19), now));
        assert!(s.probe_due(Some(now + 600), Some(now - 20), now));
    }

    #[test]
    fn the_worst_wait_once_the_server_is_back_is_one_probe_period() {
        // Whatever the backoff reached, a waiting mail is at most `probe` seconds from
        // its next try (a probe), after which everything waiting is due.
        let s = schedule();
        for attempts in 1..30 {
            let next_due = 1_000 + s.backoff(attempts).as_secs() as i64;
            let mut t = 1_000;
            while !(t >= next_due || s.probe_due(Some(next_due), Some(1_000), t)) {
                t += 1;
            }
            assert!(t - 1_000 <= 20, "attempt {attempts}: {} s", t - 1_000);
        }
    }
}
