//! `/metrics`: served on its own listener only, in the text format Prometheus reads, with
//! requests by route template, limit refusals, the outbox read from the database, the
//! password hasher's queue, and mail that failed to leave.

use std::{
    net::SocketAddr,
    path::Path,
    time::{Duration, Instant},
};

use account_server::config::{MailTransportSettings, Settings, SmtpSettings};
use reqwest::StatusCode;
use test_support::free_port;
use tokio::{
    io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader},
    net::TcpListener,
};

use crate::helpers::{error_of, machine, registration, spawn_app_with, TestApp};

/// The metrics listener on a free loopback port.
fn with_metrics(settings: &mut Settings, _data: &Path) {
    settings.metrics_listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
}

async fn scrape(app: &TestApp) -> String {
    let address = app.metrics_address.as_ref().expect("metrics are served");
    let response = app
        .client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    response.text().await.unwrap()
}

/// The value of one series, named with its labels as the text prints them.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .split(' ')
            .next()?
            .parse()
            .ok()
    })
}

/// Scrapes until `done` accepts the text (the outbox worker works on its own time);
/// panics with the last text after 20 s.
async fn scrape_until(app: &TestApp, done: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = scrape(app).await;
        if done(&text) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never reached:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_limit_refusals_the_outbox_and_the_hashers_queue() {
    let app = spawn_app_with(with_metrics).await;
    let email = "figures@example.fr";
    // Registered (202), its mail delivered over SMTP.
    let (password, _) = app.register_and_read_password(email).await;
    // Five wrong passwords, then the sixth attempt is refused by the limit.
    for _ in 0..5 {
        let response = app
            .link(email, "AAAAA-AAAAA-AAAAA", &machine(1), None, false)
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.link(email, &password, &machine(1), None, false).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // A route with an ID in its path, and a path no route serves.
    let response = app
        .client
        .get(app.url("/api/v1/support/accounts/10019"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Once the worker has marked the mail sent, nothing waits in the outbox.
    let text = scrape_until(&app, |text| {
        value(text, "account_server_outbox_waiting_mails") == Some(0.0)
    })
    .await;
    let series = [
        (
            "account_server_http_requests_total{route=\"/api/v1/accounts\",method=\"POST\",status=\"202\"}",
            1.0,
        ),
        (
            "account_server_http_requests_total{route=\"/api/v1/links\",method=\"POST\",status=\"401\"}",
            5.0,
        ),
        (
            "account_server_http_requests_total{route=\"/api/v1/links\",method=\"POST\",status=\"429\"}",
            1.0,
        ),
        (
            "account_server_http_requests_total{route=\"/api/v1/support/accounts/{customer_id}\",method=\"GET\",status=\"401\"}",
            1.0,
        ),
        (
            "account_server_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}",
            1.0,
        ),
        (
            "account_server_http_request_duration_seconds_count{route=\"/api/v1/links\",method=\"POST\"}",
            6.0,
        ),
        // The sixth wrong password from one network: the per-account-and-network rule
        // is full (5), the others are not.
        (
            "account_server_limit_refusals_total{rule=\"pw-an\"}",
            1.0,
        ),
        ("account_server_outbox_oldest_waiting_age_seconds", 0.0),
    ];
    for (name, expected) in series {
        assert_eq!(value(&text, name), Some(expected), "{name} in\n{text}");
    }
    let hash_waits = value(&text, "account_server_password_hash_wait_seconds_count").unwrap();
    assert!(hash_waits >= 6.0, "{hash_waits}");
    // Labels hold templates and rule names: never an address, a customer ID or a key.
    assert!(!text.contains('@') && !text.contains("10019"), "{text}");
    assert!(text.ends_with("# EOF\n"));

    // The public port has no /metrics: the usual JSON "not found".
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    // And the metrics port serves nothing else.
    let address = app.metrics_address.as_ref().unwrap();
    let response = app
        .client
        .get(format!("{address}/api/v1/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mail_that_fails_to_leave_is_counted_and_waits_in_the_outbox() {
    // No mail server listens on this port: every attempt fails and will be retried.
    let app = spawn_app_with(|settings, data| {
        with_metrics(settings, data);
        settings.mail.transport =
            MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", free_port()));
    })
    .await;
    let response = app.register(&registration("unsent@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    let text = scrape_until(&app, |text| {
        value(text, "account_server_mail_failures_total{kind=\"retry\"}").unwrap_or(0.0) >= 1.0
    })
    .await;
    assert_eq!(
        value(&text, "account_server_outbox_waiting_mails"),
        Some(1.0),
        "{text}"
    );
    assert!(value(&text, "account_server_outbox_oldest_waiting_age_seconds").unwrap() >= 0.0);
    assert_eq!(
        value(&text, "account_server_mail_failures_total{kind=\"failed\"}"),
        None
    );
}

#[tokio::test]
async fn metrics_are_not_served_unless_asked_for() {
    let app = spawn_app_with(|_, _| {}).await;
    assert!(app.metrics_address.is_none());
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// An SMTP server that refuses every recipient for good (550), as a mail server does for
/// a mailbox that does not exist; its port.
async fn refusing_smtp_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 refusing.test ESMTP\r\n").await?;
                while let Some(line) = lines.next_line().await? {
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "RCPT" => b"550 5.1.1 no such mailbox\r\n",
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(answer).await?;
                    if verb == "QUIT" {
                        break;
                    }
                }
                std::io::Result::Ok(())
            });
        }
    });
    port
}

#[tokio::test]
async fn mail_refused_for_good_is_counted_as_failed_and_leaves_the_outbox() {
    let smtp_port = refusing_smtp_server().await;
    let app = spawn_app_with(|settings, data| {
        with_metrics(settings, data);
        settings.mail.transport =
            MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", smtp_port));
    })
    .await;
    let response = app.register(&registration("nobody@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // Given up, the mail no longer waits.
    let text = scrape_until(&app, |text| {
        value(text, "account_server_outbox_waiting_mails") == Some(0.0)
    })
    .await;
    assert_eq!(
        value(&text, "account_server_mail_failures_total{kind=\"failed\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "account_server_mail_failures_total{kind=\"retry\"}"),
        None,
        "{text}"
    );
}
