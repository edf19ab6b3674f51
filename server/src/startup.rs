//! Builds the service from its settings; tests start it on port 0 and read the port.

use std::{
    future::{Future, IntoFuture as _},
    net::SocketAddr,
    sync::Arc,
    time::Duration,
};

use anyhow::Context as _;
use lettre::message::Mailbox;
use tokio::{net::TcpListener, sync::Notify};
use tokio_util::sync::CancellationToken;

use crate::{
    account_reads::AccountReads,
    config::{MailTransportSettings, Settings},
    enrollment,
    mail::{transport, OutboxWorker, Templates},
    metrics::Metrics,
    router,
    secrets::PasswordHasher,
    state::AppState,
    storage::{KeyAgreement, Storage},
};

pub struct Application {
    listener: TcpListener,
    /// Serves /metrics only, when `metrics_listen` is set.
    metrics_listener: Option<TcpListener>,
    state: AppState,
    worker: OutboxWorker,
    request_timeout: Duration,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let outbox_key = Arc::new(settings.mail.outbox_key.load()?);
        let storage = Storage::connect(&settings.database_url)
            .await
            .with_context(|| format!("cannot open the database {}", settings.database_url))?
            .with_outbox_key(outbox_key.clone());
        match storage
            .agree_on_outbox_key(&outbox_key.check_value())
            .await?
        {
            KeyAgreement::Differs { waiting } => anyhow::bail!(
                "this instance's outbox key is not the one the {waiting} mail(s) waiting in the \
                 database were sealed with: give every instance the same key \
                 (ACCOUNT_SERVER_OUTBOX_KEY or outbox_key_file); if that key is lost, \
                 `account-server outbox give-up` gives up the waiting mail"
            ),
            KeyAgreement::Replaced => {
                tracing::info!("a new outbox key: no sealed mail was waiting")
            }
            KeyAgreement::Same | KeyAgreement::Recorded => {}
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let metrics_listener = match settings.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("cannot listen for metrics on {address}"))?,
            ),
            None => None,
        };
        let metrics = Metrics::new();
        let from: Mailbox = settings.mail.from.parse().context("invalid mail_from")?;
        let mail_wake = Arc::new(Notify::new());
        let worker = OutboxWorker {
            storage: storage.clone(),
            transport: transport::from_settings(&settings.mail.transport)?,
            from,
            schedule: settings.mail.retry,
            wake: mail_wake.clone(),
            instance: crate::secrets::new_instance_id(),
            key: outbox_key,
            metrics: metrics.clone(),
        };
        // The page shows passwords in clear: only for someone on this very machine.
        let local_outbox = match &settings.mail.transport {
            MailTransportSettings::File { dir } if settings.listen.ip().is_loopback() => {
                Some(dir.clone())
            }
            MailTransportSettings::File { dir } => {
                tracing::warn!(
                    dir = %dir.display(),
                    "mail is written to files; /outbox is not served on a non-loopback address"
                );
                None
            }
            MailTransportSettings::Smtp(_) => None,
        };
        let state = AppState {
            account_reads: AccountReads::new(storage.clone()),
            storage,
            hasher: PasswordHasher::new().with_queue_wait(metrics.password_hash_wait()),
            templates: Arc::new(Templates {
                public_url: settings.public_url.clone(),
            }),
            mail_wake,
            trust_forwarded_for: settings.trust_forwarded_for,
            local_outbox,
            console_cookies_secure: settings.public_url.starts_with("https://"),
            support: settings.support,
            metrics,
        };
        Ok(Self {
            listener,
            metrics_listener,
            state,
            worker,
            request_timeout: settings.request_timeout,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The port serving /metrics, when `metrics_listen` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
            .map(|address| address.port())
    }

    /// Serves until `shutdown` resolves, then lets the requests in flight finish and
    /// stops the outbox worker between two mails.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let worker = tokio::spawn(self.worker.run(stop.clone()));
        let digests = tokio::spawn(enqueue_digests_until(self.state.clone(), stop.clone()));
        let storage = self.state.storage.clone();
        tracing::info!(address = %self.listener.local_addr()?, "account service listening");
        // The figures stop being served once the service has stopped.
        let metrics = self.metrics_listener.map(|listener| {
            if let Ok(address) = listener.local_addr() {
                tracing::info!(%address, "metrics served at /metrics");
            }
            let router = router::metrics_router(self.state.clone());
            tokio::spawn(
                axum::serve(listener, router)
                    .with_graceful_shutdown(stop.clone().cancelled_owned())
                    .into_future(),
            )
        });
        let router = router::router(self.state, self.request_timeout);
        let serving = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown({
            let stop = stop.clone();
            async move {
                tokio::select! {
                    () = shutdown => {},
                    () = stop.cancelled() => {},
                }
            }
        })
        .await;
        stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(30), worker).await;
        let _ = digests.await;
        if let Some(metrics) = metrics {
            let _ = tokio::time::timeout(Duration::from_secs(5), metrics).await;
        }
        storage.close().await;
        serving.context("serving HTTP")
    }
}

/// How often the enrollment keys' finished days are looked at for their digest mail.
const DIGEST_EVERY: Duration = Duration::from_secs(5);

/// Enqueues the enrollment keys' daily digests as their days end (see `enrollment`).
async fn enqueue_digests_until(state: AppState, stop: CancellationToken) {
    loop {
        match enrollment::enqueue_due_digests(&state.storage, &state.templates, crate::now()).await
        {
            Ok(0) => {}
            Ok(_) => state.mail_wake.notify_one(),
            Err(err) => tracing::warn!(error = %err, "cannot enqueue enrollment key digests"),
        }
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(DIGEST_EVERY) => {},
        }
    }
}
