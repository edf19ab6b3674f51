//! Reading and editing the account from a linked machine.

use account_api::wire::AccountView;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, machine, spawn_app, MAIL_WAIT};

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
async fn a_new_address_takes_effect_only_once_confirmed_from_it() {
    let app = spawn_app().await;
    let (password, link) = app.linked("old@example.fr", &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("New@Example.fr");
        d["phone"] = json!("01 99 88 77 66");
    });
    let response = app.edit(&link.token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: AccountView = response.json().await.unwrap();
    // The other details are saved; the address waits for its code.
    assert_eq!(view.details.email, "old@example.fr");
    assert_eq!(view.details.phone, "0199887766");
    assert_eq!(view.pending_email.as_deref(), Some("new@example.fr"));
    assert_eq!(app.account_view(&link.token).await, view);

    // The old address is told (after the link notice and the details notice)...
    let notices = app.smtp.wait_for("old@example.fr", 4, MAIL_WAIT).await;
    assert!(
        notices.iter().any(|m| m.text.contains("new@example.fr")
            && m.subject.contains("changement d'adresse e-mail demandé")),
        "no notice of the requested change"
    );
    // ...and the new one gets the code.
    let mail = app.smtp.wait_for_nth("new@example.fr", 1).await;
    let code = mail.confirmation_code().expect("a code in the mail");
    assert_eq!(code.len(), 9, "{code}");

    // Until then, mail and log-ins stay with the old address.
    let response = app
        .link("new@example.fr", &password, &machine(2), None, false)
        .await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");

    // A wrong code is refused, field by field; the right one, typed loosely, works.
    let (status, error) = error_of(app.confirm_email(&link.token, "AAAA-AAAA").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("email_code_invalid"), Some("code"))
    );
    let typed = code.replace('-', " ").to_lowercase();
    let response = app.confirm_email(&link.token, &typed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: AccountView = response.json().await.unwrap();
    assert_eq!(view.details.email, "new@example.fr");
    assert_eq!(view.pending_email, None);

    let told = app.smtp.wait_for("old@example.fr", 5, MAIL_WAIT).await;
    assert!(told
        .iter()
        .any(|m| m.subject.contains("adresse e-mail modifiée")));
    app.link_ok("new@example.fr", &password, &machine(2), None)
        .await;
    // A code works once.
    let (_, error) = error_of(app.confirm_email(&link.token, &code).await).await;
    assert_eq!(error["code"], "email_code_invalid");
}

#[tokio::test]
async fn an_address_of_another_account_gets_the_same_answer_and_no_code() {
    let app = spawn_app().await;
    app.register_and_read_password("taken@example.fr").await;
    let (password, link) = app.linked("mine@example.fr", &machine(1)).await;
    let ask = |email: &'static str| {
        edit_body(&link.account, &password, move |d| d["email"] = json!(email))
    };
    let taken = app.edit(&link.token, &ask("taken@example.fr")).await;
    let taken_status = taken.status();
    let taken: Value = taken.json().await.unwrap();
    let free = app.edit(&link.token, &ask("free@example.fr")).await;
    let free_status = free.status();
    let free: Value = free.json().await.unwrap();
    assert_eq!(
        (taken_status, free_status),
        (StatusCode::OK, StatusCode::OK)
    );
    // The same answer but for the address asked for (the version moves with neither).
    let mut taken_as_free = taken.clone();
    taken_as_free["pending_email"] = json!("free@example.fr");
    assert_eq!(taken_as_free, free);

    // The other account's owner is told that nothing changed, and gets no code.
    let mail = app.smtp.wait_for_nth("taken@example.fr", 2).await;
    assert!(mail.confirmation_code().is_none(), "{}", mail.text);
    assert!(
        mail.text.contains("déjà celle d'un autre compte"),
        "{}",
        mail.text
    );
    let code = app
        .smtp
        .wait_for_nth("free@example.fr", 1)
        .await
        .confirmation_code()
        .unwrap();

    // Cancelled: the account keeps its address and the code no longer works.
    let response = app
        .client
        .delete(app.url("/api/v1/account/email-change"))
        .bearer_auth(&link.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let view: AccountView = response.json().await.unwrap();
    assert_eq!(view.pending_email, None);
    let (_, error) = error_of(app.confirm_email(&link.token, &code).await).await;
    assert_eq!(error["code"], "email_code_invalid");
    assert_eq!(
        app.account_view(&link.token).await.details.email,
        "mine@example.fr"
    );
}

#[tokio::test]
async fn guessing_the_code_is_limited_and_voids_the_change() {
    let app = spawn_app().await;
    let (password, link) = app.linked("guess@example.fr", &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("target@example.fr")
    });
    assert_eq!(app.edit(&link.token, &body).await.status(), StatusCode::OK);
    let code = app
        .smtp
        .wait_for_nth("target@example.fr", 1)
        .await
        .confirmation_code()
        .unwrap();

    // 30 guesses at once: at most the limit's worth are checked.
    let guesses = (0..30).map(|n| {
        let app = &app;
        let token = link.token.clone();
        async move {
            app.confirm_email(&token, &format!("ZZZZ-{n:04}"))
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + refused, 30, "{statuses:?}");
    assert_eq!(checked, 10, "{statuses:?}");
    // The change is void after five wrong codes: the right one no longer works.
    let status = app.confirm_email(&link.token, &code).await.status();
    assert!(
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS
        ]
        .contains(&status),
        "{status}"
    );
    assert_eq!(
        app.account_view(&link.token).await.details.email,
        "guess@example.fr"
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
