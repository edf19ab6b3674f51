//! Drains the outbox: each mail is taken under a lease, sent, then marked sent (its
//! body erased). A failure waits longer each time (up to `retry_max`); nothing is lost
//! to an SMTP outage or a crash, since the outbox is in the database.
//!
//! A crash between the SMTP server's "OK" and the "sent" mark would send that mail
//! again at restart; the Message-ID stays the same so mail systems can drop the copy.

use std::{sync::Arc, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    Message,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::transport::MailTransport;
use crate::storage::{OutboxRow, Storage, StorageError};

const BATCH: i64 = 5;
/// Long enough for a batch even when each message hits the SMTP timeout (20 s). After a
/// crash, the mails it held wait this long before another attempt.
const LEASE_SECONDS: i64 = 120;
/// Longest sleep between two looks at the outbox when nothing wakes the worker.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// Attempt counters older than this are forgotten.
const LIMIT_COUNTERS_KEPT_SECONDS: i64 = 2 * 60 * 60;

pub struct OutboxWorker {
    pub storage: Storage,
    pub transport: Box<dyn MailTransport>,
    pub from: Mailbox,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Notified after a transaction that enqueued mail commits.
    pub wake: Arc<Notify>,
}

impl OutboxWorker {
    pub async fn run(self, shutdown: CancellationToken) {
        let mut last_prune = 0;
        loop {
            if let Err(err) = self.deliver_due(&shutdown).await {
                tracing::warn!(error = %err, "outbox: cannot read the outbox");
            }
            let now = crate::now();
            if now - last_prune > 600 {
                last_prune = now;
                if let Err(err) = self
                    .storage
                    .prune_limits(now - LIMIT_COUNTERS_KEPT_SECONDS)
                    .await
                {
                    tracing::warn!(error = %err, "cannot prune attempt counters");
                }
            }
            let wait = match self.storage.next_mail_due_at().await {
                Ok(Some(at)) => Duration::from_secs((at - crate::now()).clamp(0, 30) as u64),
                _ => IDLE_WAIT,
            }
            .max(Duration::from_millis(200));
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.wake.notified() => {},
                () = tokio::time::sleep(wait) => {},
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// Sends every mail that is due; between two mails, stops if asked to.
    pub async fn deliver_due(&self, shutdown: &CancellationToken) -> Result<usize, StorageError> {
        let mut delivered = 0;
        loop {
            if shutdown.is_cancelled() {
                return Ok(delivered);
            }
            let batch = self
                .storage
                .claim_due_mail(crate::now(), LEASE_SECONDS, BATCH)
                .await?;
            if batch.is_empty() {
                return Ok(delivered);
            }
            let mut rows = batch.into_iter();
            for row in rows.by_ref() {
                delivered += usize::from(self.deliver(row).await?);
                if shutdown.is_cancelled() {
                    break;
                }
            }
            // Stopping: hand back what was taken but not tried, for the next start.
            let untried: Vec<i64> = rows.map(|row| row.id).collect();
            if !untried.is_empty() {
                self.storage.release_mail(&untried).await?;
                return Ok(delivered);
            }
        }
    }

    async fn deliver(&self, row: OutboxRow) -> Result<bool, StorageError> {
        let now = crate::now();
        let message = match self.build(&row) {
            Ok(message) => message,
            Err(err) => {
                tracing::error!(mail_id = row.id, error = %err, "outbox: mail cannot be built");
                self.storage.mark_mail_failed(row.id, now, &err).await?;
                return Ok(false);
            }
        };
        let stem = format!("{}-{:06}", row.created_at, row.id);
        match self.transport.send(&message, &stem).await {
            Ok(()) => {
                self.storage.mark_mail_sent(row.id, crate::now()).await?;
                tracing::info!(
                    mail_id = row.id,
                    attempts = row.attempts,
                    "outbox: mail delivered"
                );
                Ok(true)
            }
            Err(err) if err.permanent => {
                tracing::warn!(mail_id = row.id, error = %err, "outbox: mail refused for good");
                self.storage
                    .mark_mail_failed(row.id, now, &err.message)
                    .await?;
                Ok(false)
            }
            Err(err) => {
                let wait = self.backoff(row.attempts);
                tracing::warn!(
                    mail_id = row.id,
                    attempts = row.attempts,
                    retry_in_s = wait.as_secs(),
                    error = %err,
                    "outbox: delivery failed, will retry"
                );
                self.storage
                    .mark_mail_retry(row.id, now + wait.as_secs() as i64, &err.message)
                    .await?;
                Ok(false)
            }
        }
    }

    /// `retry_base` doubled per attempt, capped at `retry_max`.
    fn backoff(&self, attempts: i64) -> Duration {
        let exponent = attempts.clamp(1, 20) as u32 - 1;
        self.retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.retry_max)
    }

    fn build(&self, row: &OutboxRow) -> Result<Message, String> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|err| format!("invalid recipient: {err}"))?;
        let body = row
            .body
            .clone()
            .ok_or_else(|| "the mail's body is gone".to_owned())?;
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
            .map_err(|err| err.to_string())
    }
}
