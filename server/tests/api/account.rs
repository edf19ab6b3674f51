//! Reading and editing the account from a linked machine.

use account_api::wire::AccountView;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, machine, spawn_app};

fn edit_body(view: &AccountView, password: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut details = serde_json::to_value(&view.details).unwrap();
    change(&mut details);
    json!({ "password": password, "version": view.version, "details": details })
}

#[tokio::test]
async fn reading_needs_a_linked_machine() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/account"))
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("not_linked"))
    );
    let (_, body) = error_of(app.account("made-up-token").await).await;
    assert_eq!(body["code"], "not_linked");
}

#[tokio::test]
async fn validate_saves_at_once_and_notifies_the_account() {
    let app = spawn_app().await;
    let email = "edit@example.fr";
    let (password, link) = app.linked(email, &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["phone"] = json!("+33 (0)6 12 34 56 78");
        d["company_name"] = json!("Dupont Bâtiment SAS");
    });
    let response = app.edit(&link.token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: AccountView = response.json().await.unwrap();
    assert_eq!(saved.details.phone, "+33612345678");
    assert_eq!(saved.version, link.account.version + 1);
    assert_eq!(app.account_view(&link.token).await, saved);

    let notice = app.smtp.wait_for_nth(email, 3).await;
    assert!(
        notice.subject.contains("coordonnées modifiées"),
        "{}",
        notice.subject
    );
    assert!(notice.text.contains("Raison sociale") && notice.text.contains("Téléphone"));
    assert!(notice.text.contains("POSTE-01"));
}

#[tokio::test]
async fn an_edit_from_a_stale_version_saves_nothing() {
    let app = spawn_app().await;
    let email = "conflict@example.fr";
    let (password, first) = app.linked(email, &machine(1)).await;
    let second = app.link_ok(email, &password, &machine(2), None).await;

    // Both machines opened the account; the second saves first.
    let body = edit_body(&second.account, &password, |d| {
        d["contact_first_name"] = json!("Paul")
    });
    assert_eq!(
        app.edit(&second.token, &body).await.status(),
        StatusCode::OK
    );

    let stale = edit_body(&first.account, &password, |d| {
        d["contact_last_name"] = json!("Durand")
    });
    let (status, body) = error_of(app.edit(&first.token, &stale).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("changed_elsewhere"))
    );
    let view = app.account_view(&first.token).await;
    assert_eq!(view.details.contact_first_name, "Paul");
    assert_eq!(view.details.contact_last_name, "Dupont");
}

#[tokio::test]
async fn a_wrong_password_or_bad_fields_save_nothing() {
    let app = spawn_app().await;
    let email = "careful@example.fr";
    let (password, link) = app.linked(email, &machine(1)).await;

    let body = edit_body(&link.account, "WRONG-WRONG-WRONG", |d| {
        d["phone"] = json!("06 00 00 00 00")
    });
    let (status, body) = error_of(app.edit(&link.token, &body).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );

    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("careful@example");
        d["siret"] = json!("73282932000075");
        d["contact_last_name"] = json!("");
    });
    let (status, body) = error_of(app.edit(&link.token, &body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid_email");
    assert_eq!(body["field"], "email");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "contact_last_name", "siret"]);

    let view = app.account_view(&link.token).await;
    assert_eq!(view, {
        let mut same = link.account.clone();
        same.machines = view.machines.clone();
        same
    });
}

#[tokio::test]
async fn changing_the_address_notifies_both_addresses() {
    let app = spawn_app().await;
    let (password, link) = app.linked("old@example.fr", &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("New@Example.fr")
    });
    let response = app.edit(&link.token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);

    let old = app.smtp.wait_for_nth("old@example.fr", 3).await;
    assert!(old.text.contains("new@example.fr"), "{}", old.text);
    let new = app.smtp.wait_for_nth("new@example.fr", 1).await;
    assert!(new.subject.contains("coordonnées modifiées"));

    // The account now answers to its new address only.
    app.link_ok("new@example.fr", &password, &machine(2), None)
        .await;
    let response = app
        .link("old@example.fr", &password, &machine(3), None, false)
        .await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
}

#[tokio::test]
async fn an_address_of_another_account_is_refused() {
    let app = spawn_app().await;
    app.register_and_read_password("taken@example.fr").await;
    let (password, link) = app.linked("mine@example.fr", &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("taken@example.fr")
    });
    let (status, body) = error_of(app.edit(&link.token, &body).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("email_unavailable"), Some("email"))
    );
    assert_eq!(
        app.account_view(&link.token).await.details.email,
        "mine@example.fr"
    );
}

#[tokio::test]
async fn an_edit_that_omits_the_language_keeps_the_accounts() {
    let app = spawn_app().await;
    let mut form = crate::helpers::registration("english@example.co.uk");
    form["language"] = json!("en");
    app.register(&form).await;
    let password = app
        .smtp
        .wait_for_nth("english@example.co.uk", 1)
        .await
        .password()
        .unwrap();
    let link = app
        .link_ok("english@example.co.uk", &password, &machine(1), None)
        .await;
    let body = edit_body(&link.account, &password, |d| {
        d.as_object_mut().unwrap().remove("language");
        d["contact_first_name"] = json!("John");
    });
    let saved: AccountView = app.edit(&link.token, &body).await.json().await.unwrap();
    assert_eq!(saved.details.language.as_deref(), Some("en"));
    let notice = app.smtp.wait_for_nth("english@example.co.uk", 3).await;
    assert!(
        notice.subject.contains("details changed"),
        "{}",
        notice.subject
    );
}
