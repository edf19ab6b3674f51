//! The outbox: no mail lost to an SMTP outage or a restart, none sent twice, none
//! waiting long once the mail server or the service is back, and no password or code
//! on disk in clear, neither waiting nor delivered.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use account_server::{
    config::{MailTransportSettings, SmtpSettings},
    mail::worker::RetrySchedule,
};
use reqwest::StatusCode;
use serde_json::json;
use test_support::{free_port, smtp::SmtpServer};

use crate::helpers::{
    create_database, database_contents, database_url, machine, registration, service_env,
    spawn_app, spawn_app_with, spawn_app_without_smtp, TestApp,
};

/// Waits until `query` (one integer) gives a value accepted by `done`; panics after
/// `timeout`, naming the last value.
async fn wait_for_db(
    db: &sqlx::AnyPool,
    query: &str,
    done: impl Fn(i64) -> bool,
    timeout: Duration,
) -> i64 {
    let started = Instant::now();
    loop {
        let value: i64 = sqlx::query_scalar(query).fetch_one(db).await.unwrap();
        if done(value) {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "{query} is still {value} after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const WAITING: &str = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL";

#[tokio::test]
async fn mail_waits_out_an_smtp_outage_and_is_delivered_once() {
    let smtp_port = free_port();
    let app = spawn_app_without_smtp(smtp_port, Arc::new(tempfile::tempdir().unwrap())).await;
    let response = app.register(&registration("outage@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // A few failed attempts later, the mail is still waiting.
    let db = app.db().await;
    wait_for_db(
        &db,
        "SELECT COALESCE(MAX(attempts), 0) FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL",
        |attempts| attempts >= 2,
        Duration::from_secs(20),
    )
    .await;

    let smtp = SmtpServer::start_on(smtp_port);
    let mail = smtp.wait_for_nth("outage@example.fr", 1).await;
    assert!(mail.password().is_some());
    // Marked sent, so no later retry sends it again.
    wait_for_db(&db, WAITING, |n| n == 0, Duration::from_secs(20)).await;
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
    wait_for_db(
        &app.db().await,
        WAITING,
        |n| n == 0,
        Duration::from_secs(20),
    )
    .await;
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

    let bytes = database_contents(&data);
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

/// A mail server that accepts connections and never answers: a delivery to it hangs
/// (until the SMTP timeout), holding its mail's claim.
async fn silent_mail_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

/// The service binary (so that it can be killed for real) on `data`'s database.
fn service_process(data: &tempfile::TempDir, port: u16, smtp_port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_account-server"))
        .envs(service_env(data))
        .env("ACCOUNT_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("ACCOUNT_SERVER_MAIL_TRANSPORT", "smtp")
        .env("ACCOUNT_SERVER_SMTP_HOST", "127.0.0.1")
        .env("ACCOUNT_SERVER_SMTP_PORT", smtp_port.to_string())
        .env("ACCOUNT_SERVER_SMTP_SECURITY", "none")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn a_killed_instances_mail_leaves_within_seconds_and_a_live_ones_is_never_taken() {
    let data = Arc::new(tempfile::tempdir().unwrap());
    create_database(&database_url(&data)).await;
    let port = free_port();
    let mut first = service_process(&data, port, silent_mail_server().await);
    let client = reqwest::Client::new();
    let register = || {
        client
            .post(format!("http://127.0.0.1:{port}/api/v1/accounts"))
            .json(&registration("crash@example.fr"))
            .send()
    };
    let started = Instant::now();
    let response = loop {
        match register().await {
            Ok(response) => break response,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(err) => panic!("the service did not start: {err}"),
        }
    };
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // The first instance has taken the mail and is stuck handing it over.
    let db = sqlx::AnyPool::connect(&database_url(&data)).await.unwrap();
    wait_for_db(
        &db,
        "SELECT COUNT(*) FROM outbox WHERE claimed_by IS NOT NULL",
        |n| n == 1,
        Duration::from_secs(20),
    )
    .await;

    // Two more instances on the same database (three, as behind a load balancer), whose
    // mail server works, leave the live instance's claim alone (longer than an instance
    // takes to count as gone).
    let smtp = SmtpServer::start();
    let second = spawn_app_without_smtp(smtp.port(), data.clone()).await;
    let third = spawn_app_without_smtp(smtp.port(), data.clone()).await;
    tokio::time::sleep(Duration::from_secs(
        account_server::mail::worker::DEAD_AFTER_SECONDS as u64 + 2,
    ))
    .await;
    assert!(
        smtp.mails_to("crash@example.fr").is_empty(),
        "a live instance's mail was taken"
    );

    // kill -9: the first instance's mail leaves through another within seconds.
    let killed_at = Instant::now();
    Command::new("kill")
        .args(["-KILL", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
    let mail = smtp
        .wait_for("crash@example.fr", 1, Duration::from_secs(10))
        .await;
    println!(
        "mail delivered {:.1} s after kill -9",
        killed_at.elapsed().as_secs_f64()
    );
    assert!(mail[0].password().is_some());
    wait_for_db(&db, WAITING, |n| n == 0, Duration::from_secs(10)).await;
    assert_eq!(smtp.mails_to("crash@example.fr").len(), 1, "sent once");
    // Both survivors still answer.
    for app in [&second, &third] {
        let (status, _) = crate::helpers::error_of(app.account("no-such-token").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn once_the_mail_server_answers_again_everything_waiting_leaves_at_once() {
    let smtp_port = free_port();
    // The real schedule's shape, faster: waits double from 1 s up to 10 min, and the
    // server is probed every 3 s while mail waits.
    let app = spawn_app_with(|settings, _| {
        settings.mail.transport =
            MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", smtp_port));
        settings.mail.retry = RetrySchedule {
            base: Duration::from_secs(1),
            max: Duration::from_secs(600),
            probe: Duration::from_secs(3),
        };
    })
    .await;
    let base = &app.address;
    let client = reqwest::Client::new();
    for n in 0..3 {
        let response = client
            .post(format!("{base}/api/v1/accounts"))
            .json(&registration(&format!("waiting{n}@example.fr")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    // The outage lasts until every mail's next attempt is at least 20 s away.
    let db = app.db().await;
    let started = Instant::now();
    loop {
        let soonest: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MIN(next_attempt_at), 0) FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if soonest - account_server::now() >= 20 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "backoff never grew"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let smtp = SmtpServer::start_on(smtp_port);
    let back = Instant::now();
    for n in 0..3 {
        smtp.wait_for(
            &format!("waiting{n}@example.fr"),
            1,
            Duration::from_secs(15),
        )
        .await;
    }
    println!(
        "all waiting mail delivered {:.1} s after the mail server came back",
        back.elapsed().as_secs_f64()
    );
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn no_password_or_code_is_on_disk_in_clear_while_mail_cannot_leave() {
    // A linked machine first, while mail flows.
    let app = spawn_app().await;
    let email = "atrest@example.fr";
    let (password, link) = app.linked(email, &machine(1)).await;
    let data = app.stop().await;

    // The mail server goes down; passwords and a code are asked for meanwhile.
    let dead_port = free_port();
    let app = spawn_app_without_smtp(dead_port, data.clone()).await;
    for _ in 0..2 {
        assert_eq!(
            app.request_password(email).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let mut details = serde_json::to_value(&link.account.details).unwrap();
    details["email"] = json!("moved@example.fr");
    let response = app
        .edit(
            &link.token,
            &json!({ "password": password, "version": link.account.version, "details": details }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The mail waits, tried and failed; the files as a thief would copy them now:
    let db = app.db().await;
    wait_for_db(
        &db,
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL",
        |n| n >= 4,
        Duration::from_secs(20),
    )
    .await;
    let during_outage = database_contents(&data);
    db.close().await;
    let data = app.stop().await;
    let after_stop = database_contents(&data);

    // The mail server is back: the mails reveal what was waiting.
    let smtp = SmtpServer::start_on(dead_port);
    let _app: TestApp = spawn_app_without_smtp(dead_port, data.clone()).await;
    // Two passwords and the notice of the requested change.
    let mails = smtp.wait_for(email, 3, Duration::from_secs(20)).await;
    let mut secrets: Vec<String> = mails.iter().filter_map(|m| m.password()).collect();
    assert_eq!(secrets.len(), 2, "two mailed passwords");
    let code = smtp
        .wait_for_nth("moved@example.fr", 1)
        .await
        .confirmation_code()
        .unwrap();
    secrets.push(code);
    for secret in &secrets {
        for form in [secret.clone(), secret.replace('-', "")] {
            assert!(
                !contains(&during_outage, &form),
                "{form} on disk during the outage"
            );
            assert!(
                !contains(&after_stop, &form),
                "{form} on disk after the stop"
            );
        }
    }
    // Not even the mails' text is readable there.
    for text in ["Mot de passe", "Code de confirmation", "Bonjour"] {
        assert!(
            !contains(&during_outage, text),
            "mail text \"{text}\" in clear"
        );
    }
}

/// The service's settings on `data`'s database, with the outbox key in `key_file`.
fn settings_with_key(data: &tempfile::TempDir, key_file: &str) -> account_server::config::Settings {
    let mut settings = account_server::config::Settings::loopback(
        database_url(data),
        MailTransportSettings::File {
            dir: data.path().join("mail"),
        },
    );
    settings.mail.outbox_key =
        account_server::config::OutboxKeySource::File(data.path().join(key_file));
    settings
}

#[tokio::test]
async fn an_instance_with_another_outbox_key_is_refused_while_sealed_mail_waits() {
    // Mail that cannot leave: its server is not there.
    let data = Arc::new(tempfile::tempdir().unwrap());
    let first = spawn_app_without_smtp(free_port(), data.clone()).await;
    let response = first.register(&registration("sealed@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // Another instance with its own key could not open that mail: it does not start.
    let refused = account_server::Application::build(settings_with_key(&data, "other.key"))
        .await
        .err()
        .expect("another outbox key is refused");
    let said = format!("{refused:#}");
    assert!(said.contains("outbox key"), "{said}");
    assert!(said.contains("1 mail(s) waiting"), "{said}");
    assert!(!said.contains(
        &std::fs::read_to_string(data.path().join("other.key"))
            .unwrap()
            .trim()
            .to_owned()
    ));
    assert!(said.contains("outbox give-up"), "{said}");
    // With the same key it does.
    let second = spawn_app_without_smtp(free_port(), data.clone()).await;
    drop((first, second));

    // The key is lost for good: the operator gives the waiting mail up, and the new key
    // is taken.
    let output = Command::new(env!("CARGO_BIN_EXE_account-server"))
        .args(["--database-url", &database_url(&data), "outbox", "give-up"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("1 waiting mail(s) given up"), "{said}");
    account_server::Application::build(settings_with_key(&data, "other.key"))
        .await
        .expect("the new key, once nothing waits");
}

#[tokio::test]
async fn a_new_outbox_key_is_taken_once_no_sealed_mail_waits() {
    let app = spawn_app().await;
    let data = app.stop().await;
    // Nothing waits: the new key replaces the old one (a rotation), for every instance.
    let app = account_server::Application::build(settings_with_key(&data, "rotated.key"))
        .await
        .expect("a rotated key is taken");
    drop(app);
    let again = account_server::Application::build(settings_with_key(&data, "rotated.key")).await;
    assert!(again.is_ok(), "the same new key again");
}
