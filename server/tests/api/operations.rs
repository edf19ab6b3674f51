//! Running the service: health, its API description, the binary with its configuration,
//! the local outbox page, graceful shutdown, and logs free of secrets.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{machine, registration, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_endpoints_answer() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_only_those() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = account_server::routes::api_paths()
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // Every served route answers something other than "no such resource".
    for (method, path) in &served {
        let path = path.replace("{machine_id}", "0");
        let response = app
            .client
            .request(method.to_uppercase().parse().unwrap(), app.url(&path))
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_ne!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}

/// The binary, configured by environment variables, on its embedded defaults otherwise
/// (SQLite file, mail written to a folder and listed at /outbox).
#[tokio::test]
async fn the_binary_runs_on_its_defaults_shows_the_mail_locally_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = start_binary(dir.path(), ("RUST_LOG", "debug")).await;
    let client = reqwest::Client::new();

    let response = client
        .post(format!("{base}/api/v1/accounts"))
        .json(&registration("local@example.fr"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // The newcomer reads the password mail on the local outbox page.
    let mut password = None;
    for _ in 0..100 {
        let page = client
            .get(format!("{base}/outbox"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if let Some(line) = page.lines().find(|l| l.contains("Mot de passe : ")) {
            password = line
                .split("Mot de passe : ")
                .nth(1)
                .map(|p| p[..17].to_owned());
            assert!(page.contains("local@example.fr"));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let password = password.expect("the password mail on /outbox");
    assert!(dir.path().join("customer-account.db").exists());
    assert!(
        std::fs::read_dir(dir.path().join("local/outbox"))
            .unwrap()
            .count()
            >= 1
    );

    let response = client
        .post(format!("{base}/api/v1/links"))
        .json(&json!({ "email": "local@example.fr", "password": password, "machine": machine(1) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // SIGTERM: a graceful stop, exit code 0.
    let logs = stop_binary(child, dir.path());
    assert!(logs.contains("account service listening"), "{logs}");
    assert!(!logs.contains(&password), "the password is in the logs");
    assert!(!logs.contains(&token), "the token is in the logs");
}

#[test]
fn help_explains_the_configuration() {
    let output = Command::new(env!("CARGO_BIN_EXE_account-server"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "--listen",
        "ACCOUNT_SERVER_DATABASE_URL",
        "--smtp-security",
        "--config",
        "ACCOUNT_SERVER_SMTP_PASSWORD",
    ] {
        assert!(help.contains(expected), "--help lacks {expected}:\n{help}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_account-server"))
        .args(["--mail-transport", "smtp"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("smtp_host"));
}

/// The local outbox shows passwords: never to another machine.
#[tokio::test]
async fn the_local_outbox_is_not_served_beyond_loopback() {
    use account_server::config::MailTransportSettings;
    for (listen, expected) in [
        ("127.0.0.1:0", StatusCode::OK),
        ("0.0.0.0:0", StatusCode::NOT_FOUND),
    ] {
        let app = crate::helpers::spawn_app_with(|settings, data| {
            settings.listen = listen.parse().unwrap();
            settings.mail.transport = MailTransportSettings::File {
                dir: data.join("outbox"),
            };
        })
        .await;
        let url = app.url("/outbox");
        let status = reqwest::get(&url).await.unwrap().status();
        assert_eq!(status, expected, "listening on {listen}");
    }
}

/// Each answer carries a request ID (`x-request-id`) that the JSON log lines of that
/// request carry too, so an operator finds what happened to one call. A caller cannot
/// choose it: the service is not told to trust a proxy here.
#[tokio::test]
async fn json_logs_carry_the_request_id_each_answer_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = start_binary(dir.path(), ("ACCOUNT_SERVER_LOG_FORMAT", "json")).await;
    let client = reqwest::Client::new();

    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = client
            .post(format!("{base}/api/v1/password-requests"))
            .header("x-request-id", "chosen-by-the-caller")
            .json(&json!({ "email": "nobody@example.fr" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(id, "chosen-by-the-caller");
        assert_eq!(id.len(), 36, "a UUID: {id}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1], "each request its own ID");

    let logs = stop_binary(child, dir.path());
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for id in &ids {
        let of_request: Vec<&Value> = lines
            .iter()
            .filter(|line| line.to_string().contains(id.as_str()))
            .collect();
        assert!(!of_request.is_empty(), "no log line with {id}: {logs}");
        assert!(
            of_request
                .iter()
                .all(|line| line["span"]["path"] == "/api/v1/password-requests"),
            "{of_request:?}"
        );
    }
    assert!(!logs.contains("chosen-by-the-caller"), "{logs}");
    assert!(
        !logs.contains("nobody@example.fr"),
        "an address in the logs: {logs}"
    );
}

/// Behind a trusted reverse proxy, the proxy's request ID is kept, so the proxy's and the
/// service's logs name a call alike.
#[tokio::test]
async fn a_trusted_proxys_request_id_is_kept() {
    let app = spawn_app_with(|settings, _| settings.trust_forwarded_for = true).await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "proxy-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "proxy-7f3a");
    let untrusted = spawn_app().await;
    let response = untrusted
        .client
        .get(untrusted.url("/health/live"))
        .header("x-request-id", "proxy-7f3a")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "proxy-7f3a");
}

/// The service's binary in `dir` on a free loopback port, with one more environment
/// variable, once it answers; its standard error goes to `service.log` in `dir` (a file,
/// not a pipe: a pipe nobody reads until the end would fill up and stall the service).
async fn start_binary(dir: &std::path::Path, extra: (&str, &str)) -> (Child, String) {
    let port = test_support::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_account-server"))
        .current_dir(dir)
        .env("ACCOUNT_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env(extra.0, extra.1)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("service.log")).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the service did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

/// Stops the binary with SIGTERM, checks it stopped gracefully (exit code 0), and
/// returns what it logged.
fn stop_binary(mut child: Child, dir: &std::path::Path) -> String {
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    std::fs::read_to_string(dir.join("service.log")).unwrap()
}

/// Polls `/health/ready` until it answers `expected` (a load balancer's view).
async fn wait_for_readiness(app: &crate::helpers::TestApp, expected: StatusCode) {
    let started = Instant::now();
    loop {
        let status = app
            .client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap()
            .status();
        if status == expected {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "/health/ready still answers {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn readiness_fails_while_the_database_server_refuses_the_service_and_recovers() {
    // An SQLite file cannot stop answering a process that holds it open; a database
    // server can (restarted, failed over, out of connections).
    if !crate::helpers::on_postgres() {
        return;
    }
    let app = spawn_app().await;
    wait_for_readiness(&app, StatusCode::OK).await;
    let url = app.database_url();
    let (server, name) = url.rsplit_once('/').unwrap();
    let admin = sqlx::AnyPool::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    let refuse = |allow: bool| format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allow}");
    sqlx::query(&refuse(false)).execute(&admin).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(name)
        .execute(&admin)
        .await
        .unwrap();
    wait_for_readiness(&app, StatusCode::SERVICE_UNAVAILABLE).await;
    let response = app.register(&registration("meanwhile@example.fr")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);

    sqlx::query(&refuse(true)).execute(&admin).await.unwrap();
    wait_for_readiness(&app, StatusCode::OK).await;
    let response = app.register(&registration("afterwards@example.fr")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}
