//! What the whole-system tests share: the real account service on loopback with a real
//! SMTP server, and machines that each have their own identity and data folder.

#![allow(dead_code)] // each test file uses part of it

pub mod run;
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
    /// Registers `email` through the API (as another program would) and returns the
    /// password from the `nth` mail that address received.
    pub async fn register(
        &self,
        email: &str,
        company_name: &str,
        language: &str,
        nth: usize,
    ) -> String {
        let form = serde_json::json!({
            "email": email, "company_name": company_name, "contact_first_name": "Ada",
            "contact_last_name": "Martin", "phone": "01 23 45 67 89", "language": language
        });
        reqwest::Client::new()
            .post(format!("{}/api/v1/accounts", self.url))
            .json(&form)
            .send()
            .await
            .unwrap();
        self.smtp
            .wait_for_nth(email, nth)
            .await
            .password()
            .expect("the mail gives the password")
    }

    pub async fn stop(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.stopped.take().unwrap().await.unwrap().unwrap();
    }
}
