//! This instance's copy of the account views it served (`GET /api/v1/account`), so that a
//! read costs no full statement while nothing changed — and is still never stale.
//!
//! Each view is kept with the account's read revision it was read at, which the database
//! bumps on every change the view shows, whoever makes it (another instance, the
//! `account-server` command line). A read that finds a kept view waits for the next
//! revision check that starts after it arrived: one task per instance asks, in one
//! statement, the revisions of every account that reads are waiting for, answers them
//! all, then takes the reads that came meanwhile. So a change committed before a read
//! began is always seen, and under load one round trip serves many reads. A view also
//! stops by itself when the pending address it shows expires.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::body::Bytes;
use tokio::sync::oneshot;

use crate::{ids::AccountId, storage::Storage};

/// The most views kept: a bound on memory whatever the number of tokens.
pub const KEPT_VIEWS_MAX: usize = 10_000;

/// A view as served, and what tells whether it still holds.
#[derive(Clone)]
pub struct KeptView {
    pub account_id: AccountId,
    pub revision: i64,
    /// The JSON answer, as served.
    pub body: Bytes,
    /// When the reading machine was last seen: "last seen" is written once a minute,
    /// by a full read.
    pub machine_last_seen_at: i64,
    /// When the view stops being true by itself (a pending address expires).
    pub valid_until: Option<i64>,
}

/// The views and the revision checks of one instance. Cloning shares them.
#[derive(Clone)]
pub struct AccountReads {
    storage: Storage,
    /// Keyed by the token's hash, never the token.
    views: Arc<Mutex<HashMap<String, KeptView>>>,
    checks: Arc<Mutex<Checks>>,
}

type Answer = oneshot::Sender<Option<i64>>;

#[derive(Default)]
struct Checks {
    /// A task is checking: reads that arrive wait for its next round.
    running: bool,
    waiting: Vec<(AccountId, Answer)>,
}

/// Poisoning only means a holder panicked; the maps stay usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AccountReads {
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            views: Arc::default(),
            checks: Arc::default(),
        }
    }

    /// The view kept for `token_hash`, if it still holds at `now`: unchanged since, by
    /// a revision check started after this call; `None` sends the caller to a full read.
    pub async fn current(&self, token_hash: &str, now: i64) -> Option<Bytes> {
        let kept = lock(&self.views).get(token_hash).cloned()?;
        // "Last seen" is due (the full read writes it) or the pending address expired.
        if kept.machine_last_seen_at < now - 60 || kept.valid_until.is_some_and(|t| t <= now) {
            return None;
        }
        let revision = self.revision(kept.account_id).await?;
        (revision == kept.revision).then_some(kept.body)
    }

    /// Keeps the view a full read found for `token_hash`.
    pub fn keep(&self, token_hash: &str, view: KeptView) {
        let mut views = lock(&self.views);
        if views.len() >= KEPT_VIEWS_MAX && !views.contains_key(token_hash) {
            // Any one goes: a view dropped costs its next read a full statement.
            if let Some(evicted) = views.keys().next().cloned() {
                views.remove(&evicted);
            }
        }
        views.insert(token_hash.to_owned(), view);
    }

    /// Drops the view of a token that no longer reads anything.
    pub fn forget(&self, token_hash: &str) {
        lock(&self.views).remove(token_hash);
    }

    /// The account's revision, by the next check that starts after this call (`None`:
    /// not counted, or the check failed).
    async fn revision(&self, account: AccountId) -> Option<i64> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut checks = lock(&self.checks);
            checks.waiting.push((account, answer));
            !std::mem::replace(&mut checks.running, true)
        };
        if start {
            // A task of its own: a read whose client hangs up must not stop the checks.
            tokio::spawn(self.clone().run_checks());
        }
        answered.await.ok().flatten()
    }

    /// Checks round after round while reads wait, then ends.
    async fn run_checks(self) {
        let running = Running(&self.checks);
        loop {
            let batch = {
                let mut checks = lock(&self.checks);
                if checks.waiting.is_empty() {
                    checks.running = false;
                    break;
                }
                std::mem::take(&mut checks.waiting)
            };
            let mut accounts: Vec<AccountId> = batch.iter().map(|(account, _)| *account).collect();
            accounts.sort_unstable();
            accounts.dedup();
            let revisions = match self.storage.read_revisions(&accounts).await {
                Ok(revisions) => revisions,
                Err(err) => {
                    tracing::warn!(error = %err, "account read revisions could not be checked");
                    HashMap::new()
                }
            };
            for (account, answer) in batch {
                // The read may be gone (its client hung up).
                let _ = answer.send(revisions.get(&account).copied());
            }
        }
        std::mem::forget(running);
    }
}

/// Dropped only if the checking task panics: the next read starts a new one, and the
/// reads waiting now go to a full read.
struct Running<'a>(&'a Mutex<Checks>);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut checks = lock(self.0);
        checks.running = false;
        checks.waiting.clear();
    }
}
