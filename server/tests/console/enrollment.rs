//! Issue 13 in the console: enrollment keys listed for every agent, created (shown once)
//! and revoked by admins; admins unlink the computers not seen for N days after seeing
//! exactly which. In a real browser, French and English.

use account_api::wire::EnrollmentKeyCreated;
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    add_agents,
    browser::Browser,
    helpers::{error_of, hidden_csrf, machine, spawn_app, TestApp},
    ADMIN_PASSWORD, AGENT_PASSWORD,
};

const LINK_COMMAND: &str = "customer-account link --enrollment-key-file <file>";

async fn link_with_key(app: &TestApp, key: &str, n: u8) -> reqwest::Response {
    app.post(
        "/api/v1/enrollment-links",
        &json!({ "enrollment_key": key, "machine": machine(n) }),
    )
    .await
}

/// Sets when a computer of the tests was last seen, `days` ago.
async fn last_seen_days_ago(app: &TestApp, name: &str, days: i64) {
    sqlx::query("UPDATE machines SET last_seen_at = $1 WHERE name = $2")
        .bind(account_server::now() - days * 24 * 3600)
        .bind(name)
        .execute(&app.db().await)
        .await
        .unwrap();
}

/// The names of the account's linked computers, as the app lists them.
async fn linked_names(app: &TestApp, token: &str) -> Vec<String> {
    let mut names: Vec<String> = app
        .account_view(token)
        .await
        .machines
        .into_iter()
        .map(|m| m.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_admin_creates_an_enrollment_key_shown_once_a_computer_links_with_it_and_it_is_revoked()
{
    let app = spawn_app().await;
    add_agents(&app).await;
    let (_, link) = app.linked("it@parc-informatique.fr", &machine(1)).await;
    let id = app.account_view(&link.token).await.customer_id;
    let browser = Browser::start(&app.address, "en").await;
    browser.log_in("alice@vendor.test", ADMIN_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    assert!(browser
        .text("#enrollment-keys")
        .await
        .contains("No enrollment key"));
    assert_eq!(browser.value("#enrollment-key-uses").await, "10");
    assert_eq!(browser.value("#enrollment-key-valid-days").await, "7");

    // Refused fields are told next to each, what was typed kept; nothing is created.
    browser.fill("#enrollment-key-label", " ").await;
    browser.fill("#enrollment-key-uses", "ten").await;
    browser.fill("#enrollment-key-valid-days", "91").await;
    browser.click("#create-enrollment-key-submit").await;
    assert!(browser.exists("#enrollment-key-label-error").await);
    assert!(browser
        .text("#enrollment-key-uses-error")
        .await
        .contains("whole number"));
    assert!(browser
        .text("#enrollment-key-valid-days-error")
        .await
        .contains("Between 1 and 90 days"));
    assert_eq!(browser.value("#enrollment-key-uses").await, "ten");
    assert!(!browser.exists("#enrollment-key-list").await);

    // Created: the key is shown this once, with the command to run.
    browser.fill("#enrollment-key-label", "Training room").await;
    browser.fill("#enrollment-key-uses", "3").await;
    browser.fill("#enrollment-key-valid-days", "7").await;
    browser.click("#create-enrollment-key-submit").await;
    let key = browser.text("#enrollment-key").await;
    assert!(key.len() >= 30, "{key}");
    assert!(browser
        .text("#enrollment-key-once")
        .await
        .contains("never be shown again"));
    assert_eq!(browser.text("#enrollment-key-command").await, LINK_COMMAND);
    browser.screenshot("enrollment-key-created").await;

    // Back on the account, and after a reload: listed, never shown again.
    browser.click("#back-to-account").await;
    let row = browser.text("#enrollment-key-list tbody tr").await;
    assert!(row.contains("Training room"), "{row}");
    assert!(row.contains("3 / 3"), "{row}");
    assert!(row.contains("active"), "{row}");
    assert!(row.contains("support"), "{row}");
    browser.open(&format!("/console/accounts/{id}")).await;
    assert!(!browser.body_text().await.contains(&key));
    let cookies = browser.cookie_header().await;
    let html = app
        .client
        .get(app.url(&format!("/console/accounts/{id}")))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&key));

    // A computer links with the key through the API: listed under it.
    let response = link_with_key(&app, &key, 2).await;
    assert_eq!(response.status(), StatusCode::OK);
    browser.open(&format!("/console/accounts/{id}")).await;
    let row = browser.text("#enrollment-key-list tbody tr").await;
    assert!(row.contains("2 / 3"), "{row}");
    assert!(row.contains("POSTE-02"), "{row}");
    browser.screenshot("enrollment-keys").await;

    // Revoked after a confirmation: no computer links with it any more.
    browser.click("#enrollment-keys a.revoke").await;
    assert!(browser.body_text().await.contains("Training room"));
    browser.click("#confirm").await;
    assert!(browser
        .text("#done")
        .await
        .contains("Enrollment key revoked"));
    let row = browser.text("#enrollment-key-list tbody tr").await;
    assert!(row.contains("revoked"), "{row}");
    assert!(!browser.exists("#enrollment-keys a.revoke").await);
    let (_, error) = error_of(link_with_key(&app, &key, 3).await).await;
    assert_eq!(error["code"], "enrollment_key_revoked");
    let history = browser.text("#history").await;
    for event in [
        "Enrollment key created — « Training room »",
        "Enrollment key revoked — « Training room »",
    ] {
        assert!(history.contains(event), "{event} missing from {history}");
    }
    assert!(history.contains("alice@vendor.test (support)"));
    // The computer linked with it stays linked.
    assert_eq!(
        linked_names(&app, &link.token).await,
        ["POSTE-01", "POSTE-02"]
    );
    browser.close().await;
}

#[tokio::test]
async fn an_agent_sees_the_enrollment_keys_but_only_admins_create_revoke_or_unlink_stale_computers()
{
    let app = spawn_app().await;
    add_agents(&app).await;
    let email = "it@boulangerie-martin.fr";
    let (password, link) = app.linked(email, &machine(1)).await;
    let id = app.account_view(&link.token).await.customer_id;
    // The customer's administrator made a key from the app.
    let response = app
        .client
        .post(app.url("/api/v1/account/enrollment-keys"))
        .bearer_auth(&link.token)
        .json(&json!({ "password": password, "label": "Salle de formation" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: EnrollmentKeyCreated = response.json().await.unwrap();
    let key_id = created.enrollment_key.id;

    // Paul works in French: he sees the key, and no admin form.
    let browser = Browser::start(&app.address, "fr").await;
    browser.log_in("paul@vendor.test", AGENT_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    let keys = browser.text("#enrollment-keys").await;
    assert!(keys.contains("Clés d'enrôlement"), "{keys}");
    let row = browser.text("#enrollment-key-list tbody tr").await;
    assert!(row.contains("Salle de formation"), "{row}");
    assert!(row.contains("10 / 10"), "{row}");
    assert!(row.contains("POSTE-01 (ordinateur)"), "{row}");
    assert!(!browser.exists("#create-enrollment-key").await);
    assert!(!browser.exists("#enrollment-keys a.revoke").await);
    assert!(!browser.exists("#unlink-stale").await);

    // The admins' pages refuse him, in his language.
    for path in [
        format!("/console/accounts/{id}/enrollment-keys/{key_id}/revoke"),
        format!("/console/accounts/{id}/machines/unlink-stale?not_seen_days=1"),
    ] {
        browser.open(&path).await;
        assert!(
            browser.text("#problem").await.contains("administrateurs"),
            "{path}"
        );
    }
    // And so do their forms, sent with his own valid CSRF token.
    let cookies = browser.cookie_header().await;
    let page = app
        .client
        .get(app.url(&format!("/console/accounts/{id}")))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_csrf(&page);
    let machine_id = app.account_view(&link.token).await.this_machine_id;
    last_seen_days_ago(&app, "POSTE-01", 400).await;
    for (path, form) in [
        (
            format!("/console/accounts/{id}/enrollment-keys"),
            format!("csrf={csrf}&label=Forged&uses=5&valid_days=5"),
        ),
        (
            format!("/console/accounts/{id}/enrollment-keys/{key_id}/revoke"),
            format!("csrf={csrf}"),
        ),
        (
            format!("/console/accounts/{id}/machines/unlink-stale"),
            format!("csrf={csrf}&not_seen_days=1&machine_ids={machine_id}"),
        ),
    ] {
        let response = app
            .client
            .post(app.url(&path))
            .header("cookie", &cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(response.text().await.unwrap().contains("administrateurs"));
    }
    // Nothing changed: one key, in force; the computer still linked.
    let keys: Vec<account_api::wire::EnrollmentKeyView> = app
        .client
        .get(app.url("/api/v1/account/enrollment-keys"))
        .bearer_auth(&link.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].status, "active");
    assert_eq!(linked_names(&app, &link.token).await, ["POSTE-01"]);
    browser.close().await;
}

#[tokio::test]
async fn an_admin_sees_the_computers_not_seen_for_n_days_then_unlinks_exactly_those() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let email = "it@cabinet-durand.fr";
    let (password, link) = app.linked(email, &machine(1)).await;
    for n in [2, 3, 4] {
        app.link_ok(email, &password, &machine(n), None).await;
    }
    let id = app.account_view(&link.token).await.customer_id;
    last_seen_days_ago(&app, "POSTE-02", 40).await;
    last_seen_days_ago(&app, "POSTE-03", 40).await;
    last_seen_days_ago(&app, "POSTE-04", 10).await;
    // The password mail and one "computer linked" notice per computer.
    let mails_before = 5;
    app.smtp
        .wait_for(email, mails_before, std::time::Duration::from_secs(20))
        .await;

    // Alice in English: a number of days it cannot read is told on the form.
    let browser = Browser::start(&app.address, "en").await;
    browser.log_in("alice@vendor.test", ADMIN_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    browser.fill("#unlink-stale-days", "a month").await;
    browser.click("#unlink-stale-submit").await;
    assert!(browser
        .text("#unlink-stale-days-error")
        .await
        .contains("whole number"));
    browser.fill("#unlink-stale-days", "0").await;
    browser.click("#unlink-stale-submit").await;
    assert!(browser
        .text("#unlink-stale-days-error")
        .await
        .contains("Between 1 and"));

    // 30 days: exactly the two computers not seen for 40 days are listed.
    browser.fill("#unlink-stale-days", "30").await;
    browser.click("#unlink-stale-submit").await;
    let listed = browser.text("#stale-machines").await;
    assert!(
        listed.contains("POSTE-02") && listed.contains("POSTE-03"),
        "{listed}"
    );
    assert!(
        !listed.contains("POSTE-01") && !listed.contains("POSTE-04"),
        "{listed}"
    );
    assert!(browser
        .text("#confirm")
        .await
        .contains("Unlink these computers (2)"));
    browser.screenshot("confirm-unlink-stale").await;
    // POSTE-03 comes back before the admin confirms: it stays linked.
    last_seen_days_ago(&app, "POSTE-03", 0).await;
    browser.click("#confirm").await;
    assert!(browser.text("#done").await.contains("Computers unlinked"));
    assert_eq!(
        linked_names(&app, &link.token).await,
        ["POSTE-01", "POSTE-03", "POSTE-04"]
    );
    let mail = app.smtp.wait_for_nth(email, mails_before + 1).await;
    assert!(mail.text.contains("POSTE-02"), "{}", mail.text);
    assert!(!mail.text.contains("POSTE-03"), "{}", mail.text);
    assert!(browser
        .text("#history")
        .await
        .contains("Computer unlinked by support — POSTE-02"));
    browser.close().await;

    // The same in French: 5 days lists POSTE-04 only, then nothing is left that stale.
    sqlx::query("UPDATE agents SET language = 'fr' WHERE email = 'alice@vendor.test'")
        .execute(&app.db().await)
        .await
        .unwrap();
    let browser = Browser::start(&app.address, "fr").await;
    browser.log_in("alice@vendor.test", ADMIN_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    browser.fill("#unlink-stale-days", "5").await;
    browser.click("#unlink-stale-submit").await;
    let listed = browser.text("#stale-machines").await;
    assert!(listed.contains("POSTE-04"), "{listed}");
    assert!(
        !listed.contains("POSTE-01") && !listed.contains("POSTE-03"),
        "{listed}"
    );
    assert!(browser
        .text("#confirm")
        .await
        .contains("Délier ces ordinateurs (1)"));
    browser.click("#confirm").await;
    assert!(browser.text("#done").await.contains("Ordinateurs déliés"));
    assert_eq!(
        linked_names(&app, &link.token).await,
        ["POSTE-01", "POSTE-03"]
    );
    browser.fill("#unlink-stale-days", "5").await;
    browser.click("#unlink-stale-submit").await;
    assert!(browser
        .text("#no-stale-machines")
        .await
        .contains("Aucun ordinateur"));
    assert!(!browser.exists("#confirm").await);
    browser.close().await;
}
