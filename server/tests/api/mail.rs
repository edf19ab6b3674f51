//! The outbox: no mail lost to an SMTP outage or a restart, none sent twice, and no
//! password left in the database once delivered.

use std::{sync::Arc, time::Duration};

use reqwest::StatusCode;
use test_support::{free_port, smtp::SmtpServer};

use crate::helpers::{database_path, machine, registration, spawn_app, spawn_app_without_smtp};

#[tokio::test]
async fn mail_waits_out_an_smtp_outage_and_is_delivered_once() {
    let smtp_port = free_port();
    let app = spawn_app_without_smtp(smtp_port, Arc::new(tempfile::tempdir().unwrap())).await;
    let response = app.register(&registration("outage@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // A few failed attempts later, the mail is still waiting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (attempts, last_error): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    assert!(attempts >= 2, "{attempts} attempts");
    assert!(last_error.is_some());

    let smtp = SmtpServer::start_on(smtp_port);
    let mail = smtp.wait_for_nth("outage@example.fr", 1).await;
    assert!(mail.password().is_some());
    // Later retries do not send it again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.mails_to("outage@example.fr").len(), 1);
}

#[tokio::test]
async fn a_restart_keeps_the_accounts_and_the_unsent_mail() {
    let smtp_port = free_port();
    let data = Arc::new(tempfile::tempdir().unwrap());
    let app = spawn_app_without_smtp(smtp_port, data.clone()).await;
    app.register(&registration("restart@example.fr")).await;
    let data = app.stop().await;

    let smtp = SmtpServer::start_on(smtp_port);
    let app = spawn_app_without_smtp(smtp_port, data).await;
    let mail = smtp.wait_for_nth("restart@example.fr", 1).await;
    let password = mail.password().unwrap();
    let response = app
        .link("restart@example.fr", &password, &machine(1), None, false)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    smtp.wait_for_nth("restart@example.fr", 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        smtp.mails_to("restart@example.fr").len(),
        2,
        "each mail once"
    );
}

#[tokio::test]
async fn delivered_mail_leaves_no_password_in_the_database() {
    let app = spawn_app().await;
    let (password, mail) = app.register_and_read_password("secret@example.fr").await;
    let link = app
        .link_ok("secret@example.fr", &password, &machine(1), None)
        .await;
    app.smtp.wait_for_nth("secret@example.fr", 2).await;
    assert!(
        mail.message_id.starts_with("outbox-"),
        "{}",
        mail.message_id
    );
    assert!(mail.from.contains("no-reply@accounts.test"));

    // Wait for the outbox to mark both mails sent, then stop so the WAL is folded in.
    let db = app.db().await;
    for _ in 0..50 {
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE body IS NOT NULL")
            .fetch_one(&db)
            .await
            .unwrap();
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM accounts")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    db.close().await;
    let data = app.stop().await;

    let mut bytes = std::fs::read(database_path(&data)).unwrap();
    if let Ok(wal) = std::fs::read(database_path(&data).with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(
        !haystack.contains(&password),
        "the password is stored in clear"
    );
    assert!(
        !haystack.contains(&link.token),
        "the token is stored in clear"
    );
}
