//! Bad input gets a clear JSON error with a stable code, never a 500.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_of, registration, spawn_app, spawn_app_with, TestApp};

#[tokio::test]
async fn each_field_people_get_wrong_is_named() {
    let app = spawn_app().await;
    let cases = [
        ("email", json!(""), "empty"),
        ("email", json!("marie.dupont@gmail"), "invalid_email"),
        ("email", json!("marie dupont@gmail.com"), "invalid_email"),
        ("company_name", json!("   "), "empty"),
        ("company_name", json!("x".repeat(121)), "too_long"),
        ("company_name", json!("Dupont\tSARL"), "control_characters"),
        ("contact_first_name", json!(""), "empty"),
        ("phone", json!("01 23 45 AB CD"), "invalid_phone"),
        ("phone", json!("123"), "invalid_phone"),
        ("siret", json!("7328293200007"), "invalid_siret"),
        ("siret", json!("73282932000075"), "siret_check_digit"),
        ("language", json!("de"), "invalid_language"),
    ];
    for (field, value, code) in cases {
        let mut body = registration("fields@example.fr");
        body[field] = value.clone();
        let (status, error) = error_of(app.register(&body).await).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value}"
        );
        assert_eq!(error["code"], code, "{field} = {value}: {error}");
        assert_eq!(error["field"], field);
        assert_eq!(error["errors"][0]["code"], code);
    }
    let mut body = registration("fields@example.fr");
    body["address"]["postal_code"] = json!("7501");
    let (_, error) = error_of(app.register(&body).await).await;
    assert_eq!(error["field"], "address.postal_code");
    assert_eq!(error["code"], "invalid_postal_code");

    // None of these created an account or sent mail.
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(accounts, 0);
    assert!(app.smtp.mails().is_empty());
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/accounts");

    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );

    let response = app.client.post(&url).body("email=x").send().await.unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "unsupported_media_type");

    let response = app
        .post("/api/v1/accounts", &json!({ "email": "x@example.fr" }))
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("company_name"),
        "{body}"
    );

    let huge = json!({ "email": "x".repeat(100_000) });
    let (status, body) = error_of(app.post("/api/v1/accounts", &huge).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "payload_too_large");

    let (status, body) = error_of(
        app.client
            .get(app.url("/api/v1/nothing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let (status, body) = error_of(app.client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method_not_allowed");

    let response = app
        .link(
            "x@example.fr",
            "AAAAA-AAAAA-AAAAA",
            &account_api::wire::MachineInfo {
                fingerprint: "not-hex".into(),
                ..crate::helpers::machine(1)
            },
            None,
            false,
        )
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid_machine");
    assert_eq!(body["field"], "machine.fingerprint");
}

/// Another program holds the database (a backup, an administrator's sqlite3): a write waits
/// for it as long as SQLite's busy timeout, then gets `service_unavailable`; nothing is
/// half-written, and the same request goes through once the database is free.
#[tokio::test]
async fn a_database_held_elsewhere_answers_service_unavailable_then_recovers() {
    let app = spawn_app().await;
    register_while_the_database_is_held(
        &app,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
    )
    .await;
}

/// A request the service cannot answer in time gets `timeout`, not a hung connection:
/// here a registration waits for a database another program holds, longer than the
/// service's (shortened) request timeout. Once the database is free, registering works.
#[tokio::test]
async fn a_request_not_answered_in_time_gets_timeout() {
    let app = spawn_app_with(|settings, _| {
        settings.request_timeout = Duration::from_millis(500);
    })
    .await;
    register_while_the_database_is_held(&app, StatusCode::REQUEST_TIMEOUT, "timeout").await;
}

/// Registers while another connection holds the database: the answer is `status` and
/// `code`; once it is released, the same registration goes through and mails the password.
async fn register_while_the_database_is_held(app: &TestApp, status: StatusCode, code: &str) {
    let email = "held@example.fr";
    let lock = app.lock_database().await;
    let (answered, error) = error_of(app.register(&registration(email)).await).await;
    assert_eq!(answered, status, "{error}");
    assert_eq!(error["code"], code, "{error}");
    lock.release().await;

    let response = app.register(&registration(email)).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mail = app.smtp.wait_for_nth(email, 1).await;
    assert!(
        mail.password().is_some(),
        "the password mail: {}",
        mail.text
    );
}

/// A database damaged beneath the service (here a table renamed by hand): the request
/// gets `unexpected` and a message that says nothing of the service's insides, and the
/// other requests still get their answers.
#[tokio::test]
async fn a_damaged_database_answers_unexpected_without_its_insides() {
    let app = spawn_app().await;
    sqlx::query("ALTER TABLE accounts RENAME TO damaged_by_hand")
        .execute(&app.db().await)
        .await
        .unwrap();
    let response = app.register(&registration("damaged@example.fr")).await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{error}");
    assert_eq!(error["code"], "unexpected", "{error}");
    let said = error.to_string();
    for inside in ["accounts", "damaged_by_hand", "sqlite", "SQL"] {
        assert!(!said.contains(inside), "{inside} in {said}");
    }
    assert_eq!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
