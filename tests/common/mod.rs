//! What the whole-system tests share: the real account service on loopback with a real
//! SMTP server, and machines that each have their own identity and data folder.

#![allow(dead_code)] // each test file uses part of it

pub mod window;

use account_server::{
    config::{MailTransportSettings, Settings, SmtpSettings},
    Application,
};
use test_support::smtp::SmtpServer;
use tokio::sync::oneshot;

/// The account service with its own database and SMTP server.
pub struct Service {
    pub url: String,
    pub smtp: SmtpServer,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<tokio::task::JoinHandle<Result<(), String>>>,
    _data: tempfile::TempDir,
}

pub async fn start_service() -> Service {
    let smtp = SmtpServer::start();
    let data = tempfile::tempdir().unwrap();
    let settings = Settings::loopback(
        format!("sqlite://{}", data.path().join("accounts.db").display()),
        MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", smtp.port())),
    );
    let app = Application::build(settings).await.unwrap();
    let url = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopping) = oneshot::channel::<()>();
    let stopped = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopping.await;
        })
        .await
        .map_err(|e| e.to_string())
    });
    Service {
        url,
        smtp,
        stop: Some(stop),
        stopped: Some(stopped),
        _data: data,
    }
}

impl Service {
    pub async fn stop(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.stopped.take().unwrap().await.unwrap().unwrap();
    }
}
