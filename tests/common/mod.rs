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

/// The code a mail to a new address gives to confirm it: the first word shaped like
/// `K7RM-2XQD` (four capitals or digits, a dash, four more). `None` if there is none (the
/// mail to an address that belongs to another account carries no code).
pub fn confirmation_code(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|word| {
            word.len() == 9
                && word.char_indices().all(|(i, c)| {
                    if i == 4 {
                        c == '-'
                    } else {
                        c.is_ascii_uppercase() || c.is_ascii_digit()
                    }
                })
        })
        .map(str::to_owned)
}

/// Another code of the same shape, certainly wrong: `code` with its last character changed.
pub fn wrong_code(code: &str) -> String {
    let mut wrong = code.to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    wrong
}

#[test]
fn the_confirmation_code_is_found_in_the_mail() {
    let mail =
        "Hello,\n\nConfirmation code: K7RM-2XQD\n\nPassword ABCDE-FGHJK-MNPQR, e-mail 10 019.";
    assert_eq!(confirmation_code(mail).as_deref(), Some("K7RM-2XQD"));
    assert_eq!(
        confirmation_code("Code de confirmation : 2345-ABCD"),
        Some("2345-ABCD".into())
    );
    assert_eq!(confirmation_code("ABCDE-FGHJK-MNPQR and k7rm-2xqd"), None);
    assert_eq!(wrong_code("K7RM-2XQA"), "K7RM-2XQB");
}
