//! Register and "e-mail my password".

use account_api::domain::CustomerId;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_of, machine, registration, spawn_app};

/// Status, content type and body: what a caller can observe of an answer.
async fn observable(response: reqwest::Response) -> (StatusCode, String, Vec<u8>) {
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn registering_creates_the_account_and_mails_its_password_and_customer_id() {
    let app = spawn_app().await;
    let response = app
        .register(&registration("compta@dupont-batiment.fr"))
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({ "status": "password_sent" })
    );

    let mail = app.smtp.wait_for_nth("compta@dupont-batiment.fr", 1).await;
    assert!(
        mail.subject.starts_with("Votre compte client"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Dupont Bâtiment SARL"));
    let password = mail.password().expect("a password in the mail");
    let id_text = mail.line_value("Numéro client :").expect("a customer ID");
    let id = CustomerId::parse(&id_text).expect("a valid customer ID with its check digit");

    let link = app
        .link_ok("compta@dupont-batiment.fr", &password, &machine(1), None)
        .await;
    assert_eq!(link.account.customer_id, id.to_string());
    assert_eq!(link.account.details.email, "compta@dupont-batiment.fr");
    assert_eq!(
        link.account.details.siret.as_deref(),
        Some("73282932000074")
    );
    assert_eq!(link.account.details.phone, "0123456789");
    assert_eq!(link.account.support_time.balance_minutes, 0);
    assert_eq!(link.account.machines.len(), 1);
    assert_eq!(link.account.machines[0].name, "POSTE-01");
}

#[tokio::test]
async fn customer_ids_differ_and_carry_a_check_digit() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let email = format!("societe{n}@example.fr");
        let (password, _) = app.register_and_read_password(&email).await;
        let link = app.link_ok(&email, &password, &machine(n), None).await;
        let id = CustomerId::parse(&link.account.customer_id).unwrap();
        ids.push(id.value());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // A misheard digit is caught.
    let id = ids[0].to_string();
    let misheard: String = id
        .char_indices()
        .map(|(i, c)| {
            if i == 1 {
                char::from(b'0' + ((c as u8 - b'0' + 1) % 10))
            } else {
                c
            }
        })
        .collect();
    assert!(CustomerId::parse(&misheard).is_err());
}

#[tokio::test]
async fn registering_a_known_address_answers_exactly_as_an_unknown_one() {
    let app = spawn_app().await;
    let first = observable(app.register(&registration("info@martin.fr")).await).await;
    let first_mail = app.smtp.wait_for_nth("info@martin.fr", 1).await;
    let first_password = first_mail.password().unwrap();

    let mut again = registration("INFO@martin.fr");
    again["company_name"] = json!("Another name entirely");
    let second = observable(app.register(&again).await).await;
    assert_eq!(first, second, "the answers must be byte-identical");

    // The owner learns it by mail, with a password that links to the existing account.
    let mail = app.smtp.wait_for_nth("info@martin.fr", 2).await;
    assert!(mail.subject.contains("déjà"), "{}", mail.subject);
    let id = first_mail.line_value("Numéro client :").unwrap();
    assert!(
        mail.text.contains(&id),
        "names customer account {id}: {}",
        mail.text
    );
    let pending = mail.password().unwrap();
    assert_ne!(pending, first_password);

    // Nothing of the account changed, and the first password still works.
    let link = app
        .link_ok("info@martin.fr", &first_password, &machine(1), None)
        .await;
    assert_eq!(link.account.details.company_name, "Dupont Bâtiment SARL");
    // The mailed one links too.
    app.link_ok("info@martin.fr", &pending, &machine(2), None)
        .await;
}

#[tokio::test]
async fn a_password_request_answers_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    app.register_and_read_password("known@example.fr").await;

    let known = observable(app.request_password("known@example.fr").await).await;
    let unknown = observable(app.request_password("nobody@example.fr").await).await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, StatusCode::ACCEPTED);

    let mail = app.smtp.wait_for_nth("known@example.fr", 2).await;
    assert!(mail.password().is_some());
    let mail = app.smtp.wait_for_nth("nobody@example.fr", 1).await;
    assert!(
        mail.password().is_none(),
        "no password for an address without account"
    );
    assert!(mail.text.contains("aucun compte client"), "{}", mail.text);
}

#[tokio::test]
async fn a_password_request_does_not_lock_out_the_current_one() {
    let app = spawn_app().await;
    let email = "pending@example.fr";
    let (current, _) = app.register_and_read_password(email).await;

    // Someone asks for a new password: the current one keeps working...
    app.request_password(email).await;
    let pending = app.smtp.wait_for_nth(email, 2).await.password().unwrap();
    app.link_ok(email, &current, &machine(1), None).await;
    app.link_ok(email, &current, &machine(2), None).await;

    // ...until the pending one is used; from then on it is the password.
    app.link_ok(email, &pending, &machine(3), None).await;
    let response = app.link(email, &current, &machine(4), None, false).await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    app.link_ok(email, &pending, &machine(4), None).await;
}

#[tokio::test]
async fn a_password_request_expires_after_24_hours() {
    let app = spawn_app().await;
    let email = "expiry@example.fr";
    let (current, _) = app.register_and_read_password(email).await;
    app.request_password(email).await;
    let pending = app.smtp.wait_for_nth(email, 2).await.password().unwrap();

    let expires_at: i64 = sqlx::query_scalar("SELECT expires_at FROM password_requests")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let in_hours = (expires_at - account_server::now()) as f64 / 3600.0;
    assert!((23.9..=24.0).contains(&in_hours), "expires in {in_hours} h");

    // A day later:
    sqlx::query("UPDATE password_requests SET expires_at = $1")
        .bind(account_server::now() - 1)
        .execute(&app.db().await)
        .await
        .unwrap();
    let response = app.link(email, &pending, &machine(1), None, false).await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    app.link_ok(email, &current, &machine(1), None).await;
}

#[tokio::test]
async fn every_mailed_password_works_until_one_is_used_and_three_are_kept() {
    let app = spawn_app().await;
    let email = "several@example.fr";
    let (first, link) = app.linked(email, &machine(1)).await;
    // Four "e-mail my password" in a row (the fifth mail of the hour to this address).
    let mut mailed = Vec::new();
    for n in 0..4 {
        assert_eq!(
            app.request_password(email).await.status(),
            StatusCode::ACCEPTED
        );
        // mail 1: welcome, 2: machine linked, then one per request.
        mailed.push(
            app.smtp
                .wait_for_nth(email, 3 + n)
                .await
                .password()
                .unwrap(),
        );
    }
    // Only the three newest are kept: the first request's password no longer works.
    let response = app.link(email, &mailed[0], &machine(2), None, false).await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    // An older mail than the latest still works...
    app.link_ok(email, &mailed[1], &machine(2), None).await;
    // ...and once one is used, it is the password: the others and the first stop.
    for stale in [&mailed[2], &mailed[3], &first] {
        let response = app.link(email, stale, &machine(3), None, false).await;
        assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    }
    app.link_ok(email, &mailed[1], &machine(3), None).await;
    // Machines linked before stay linked.
    assert_eq!(app.account(&link.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_password_is_accepted_as_people_type_it() {
    let app = spawn_app().await;
    let email = "typing@example.fr";
    let (password, _) = app.register_and_read_password(email).await;
    let sloppy = format!("  {}  ", password.replace('-', " ").to_lowercase());
    app.link_ok(email, &sloppy, &machine(1), None).await;
}

#[tokio::test]
async fn mails_are_in_the_account_language() {
    let app = spawn_app().await;
    let mut english = registration("uk@example.co.uk");
    english["language"] = json!("en-GB");
    app.register(&english).await;
    let mail = app.smtp.wait_for_nth("uk@example.co.uk", 1).await;
    assert!(
        mail.subject.starts_with("Your customer account"),
        "{}",
        mail.subject
    );
    assert!(mail.line_value("Customer ID:").is_some());
    let password = mail.password().unwrap();

    app.link_ok("uk@example.co.uk", &password, &machine(1), None)
        .await;
    let notice = app.smtp.wait_for_nth("uk@example.co.uk", 2).await;
    assert!(
        notice.subject.contains("computer linked: POSTE-01"),
        "{}",
        notice.subject
    );

    app.request_password("uk@example.co.uk").await;
    let mail = app.smtp.wait_for_nth("uk@example.co.uk", 3).await;
    assert!(
        mail.text.contains("Your current password keeps working"),
        "{}",
        mail.text
    );
}
