//! The support console in a real browser (headless Chromium through chromedriver)
//! against the real service, its SQLite file and a real SMTP server.

#[path = "../api/helpers.rs"]
mod helpers;

mod browser;
mod enrollment;
mod session;

use account_server::secrets::{ClearPassword, PasswordHasher};
use browser::Browser;
use helpers::{machine, spawn_app, TestApp};
use reqwest::StatusCode;

const AGENT_PASSWORD: &str = "agent password 2026";
const ADMIN_PASSWORD: &str = "admin password 2026";
const NEW_AGENT_PASSWORD: &str = "un nouveau mot de passe";

/// Adds the two agents of these tests: Paul (agent, French) and Alice (admin, English).
async fn add_agents(app: &TestApp) {
    let storage = app.storage().await;
    let hasher = PasswordHasher::new();
    let mut tx = storage.write().await.unwrap();
    for (email, name, role, password, language) in [
        (
            "paul@vendor.test",
            "Paul Agent",
            "agent",
            AGENT_PASSWORD,
            "fr",
        ),
        (
            "alice@vendor.test",
            "Alice Admin",
            "admin",
            ADMIN_PASSWORD,
            "en",
        ),
    ] {
        let hash = hasher
            .hash(&ClearPassword::typed(password.to_owned()))
            .await
            .unwrap();
        tx.insert_agent(email, name, role, &hash, language, 0)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    storage.close().await;
}

/// A customer account with one linked machine: (customer ID, machine token).
async fn customer(app: &TestApp, email: &str) -> (String, String) {
    let (_, link) = app.linked(email, &machine(1)).await;
    let view = app.account_view(&link.token).await;
    (view.customer_id, link.token)
}

/// The same ID with one digit changed: what a misheard number looks like.
fn misheard(id: &str) -> String {
    let mut digits: Vec<u8> = id.bytes().collect();
    let last = digits.len() - 2;
    digits[last] = if digits[last] == b'9' {
        b'8'
    } else {
        digits[last] + 1
    };
    String::from_utf8(digits).unwrap()
}

#[tokio::test]
async fn an_agent_finds_the_caller_logs_time_adds_credit_corrects_and_exports() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let (id, token) = customer(&app, "compta@dupont-batiment.fr").await;
    let browser = Browser::start(&app.address, "fr").await;

    // Log in: a wrong password first, then the right one.
    browser.log_in("paul@vendor.test", "not the password").await;
    assert!(browser.text("#login-error").await.contains("incorrect"));
    assert_eq!(browser.value("#email").await, "paul@vendor.test");
    browser.screenshot("login").await;
    browser.log_in("paul@vendor.test", AGENT_PASSWORD).await;
    browser.find("#q").await;

    // A misheard ID says so, and offers the account one digit away.
    browser.fill("#q", &misheard(&id)).await;
    browser.click("#find").await;
    assert!(browser
        .text("#search-message")
        .await
        .contains("chiffre de contrôle"));
    assert!(browser.text("#results").await.contains("Dupont Bâtiment"));
    browser.screenshot("misheard-id").await;

    // The right ID, typed as read aloud, goes straight to the account.
    let grouped = format!("{} {}", &id[..2], &id[2..]);
    browser.fill("#q", &grouped).await;
    browser.click("#find").await;
    assert_eq!(browser.path().await, format!("/console/accounts/{id}"));
    assert_eq!(browser.text("#company").await, "Dupont Bâtiment SARL");
    assert!(browser.text("#machines").await.contains("POSTE-01"));

    // A duration it cannot read: the message, and what was typed stays.
    browser.fill("#support-call-minutes", "vingt").await;
    browser.fill("#support-call-note", "Clôture annuelle").await;
    browser.click("#log-support-call-submit").await;
    assert!(browser
        .text("#support-call-minutes-error")
        .await
        .contains("Durée non reconnue"));
    assert_eq!(
        browser.value("#support-call-note").await,
        "Clôture annuelle"
    );
    assert!(
        !browser.exists("#ledger-entries").await,
        "nothing was written"
    );

    // 17 minutes under quarter-hour rounding: 30 charged, an overdraft shown.
    browser.fill("#support-call-minutes", "17").await;
    browser.click("#log-support-call-submit").await;
    assert!(browser.text("#done").await.contains("enregistré"));
    assert_eq!(browser.text("#balance").await, "−30 min");
    assert!(browser.exists("#overdraft").await);
    let ledger = browser.text("#ledger-entries").await;
    assert!(ledger.contains("travaillé 17 min"), "{ledger}");
    assert!(ledger.contains("Clôture annuelle"));

    // The desktop app shows the same balance and support call.
    let view = app.account_view(&token).await;
    assert_eq!(view.support_time.balance_minutes, -30);
    assert_eq!(view.support_time.recent_sessions[0].minutes, 30);
    assert_eq!(view.support_time.recent_sessions[0].agent, "Paul Agent");

    // Purchased credit: 10 hours with its invoice reference.
    browser.fill("#credit-minutes", "10h").await;
    browser.fill("#credit-reference", "FAC-2026-0042").await;
    browser.click("#add-credit-submit").await;
    assert_eq!(browser.text("#balance").await, "9 h 30");
    browser.screenshot("account").await;

    // Correct the support call: a confirmation page, then a reversing entry.
    let support_call_row = browser
        .client
        .find_all(fantoccini::Locator::Css("#ledger-entries tbody tr"))
        .await
        .unwrap()
        .pop()
        .expect("the support call is the oldest row");
    let correct = support_call_row
        .find(fantoccini::Locator::Css("a.correct"))
        .await
        .unwrap();
    browser.click_element(correct).await;
    browser.find("#reason").await;
    browser.screenshot("correct-entry").await;
    // Without a reason, nothing is sent.
    browser.click_in_place("#confirm").await;
    assert!(browser.path().await.ends_with("/correct"));
    assert_eq!(
        app.account_view(&token).await.support_time.balance_minutes,
        570
    );
    browser.fill("#reason", "Appel compté deux fois").await;
    browser.click("#confirm").await;
    assert_eq!(browser.text("#balance").await, "10 h");
    assert!(!browser.exists("#overdraft").await);
    let ledger = browser.text("#ledger-entries").await;
    assert!(ledger.contains("Annule l'écriture"), "{ledger}");
    assert!(ledger.contains("annulée"));
    assert_eq!(
        app.account_view(&token).await.support_time.balance_minutes,
        600
    );
    assert!(app
        .account_view(&token)
        .await
        .support_time
        .recent_sessions
        .is_empty());

    // The timer fills in the call's length.
    browser.click("#timer-start").await;
    browser.click("#timer-stop").await;
    assert_eq!(browser.value("#support-call-minutes").await, "1");

    // A post without its CSRF token changes nothing.
    let cookies = browser.cookie_header().await;
    let forged = app
        .client
        .post(app.url(&format!("/console/accounts/{id}/support-calls")))
        .header("cookie", &cookies)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("minutes=60&note=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.account_view(&token).await.support_time.balance_minutes,
        600
    );

    // Export: the period's entries as CSV, for this account.
    browser
        .open(&format!("/console/export?customer_id={id}"))
        .await;
    browser.screenshot("export").await;
    let from = browser.value("#from").await;
    assert!(!from.is_empty());
    // "Today" where the console works (exports count days in its zone), not on this host.
    let console_zone = account_server::config::SupportSettings::default().time_zone;
    let today = jiff::Zoned::now()
        .with_time_zone(console_zone)
        .date()
        .to_string();
    let csv = app
        .client
        .get(app.url(&format!(
            "/console/export.csv?from=2026-01-01&to={today}&customer_id={id}"
        )))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = csv.bytes().await.unwrap();
    // A BOM, so spreadsheets read the accents right.
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "header + support call + credit + correction: {text}"
    );
    assert!(lines[1].contains(";-30;17;") && lines[1].contains("Clôture annuelle"));
    assert!(lines[2].contains(";600;") && lines[2].contains("FAC-2026-0042"));
    assert!(lines[3].contains(";30;") && lines[3].contains("Appel compté deux fois"));
    assert!(lines.iter().skip(1).all(|l| l.contains(&id)));

    // A period that ends before it starts is refused on the form.
    browser
        .open("/console/export.csv?from=2026-02-01&to=2026-01-01")
        .await;
    assert!(browser.text("#to-error").await.contains("précède"));

    // The history says who did what.
    browser.open(&format!("/console/accounts/{id}")).await;
    let history = browser.text("#history").await;
    for action in [
        "Intervention enregistrée — 30 min",
        "Crédit ajouté — 10 h, FAC-2026-0042",
        "Écriture corrigée",
        "Ordinateur lié — POSTE-01",
        "Compte créé",
    ] {
        assert!(history.contains(action), "{action} missing from {history}");
    }
    assert!(history.contains("paul@vendor.test (support)"));
    assert!(history.contains("POSTE-01 (ordinateur)"));

    // Paul changes his password: the current one is asked first.
    browser.click("#agent-name").await;
    browser.fill("#current", "not my password").await;
    browser.fill("#new", NEW_AGENT_PASSWORD).await;
    browser.fill("#again", NEW_AGENT_PASSWORD).await;
    browser.click("#change-password").await;
    assert!(browser
        .text("#current-error")
        .await
        .contains("pas votre mot de passe actuel"));
    browser.fill("#current", AGENT_PASSWORD).await;
    browser.fill("#new", NEW_AGENT_PASSWORD).await;
    browser.fill("#again", NEW_AGENT_PASSWORD).await;
    browser.click("#change-password").await;
    assert!(browser.text("#done").await.contains("Mot de passe changé"));

    // Logging out ends the session: its cookie no longer opens a page.
    browser.click("#logout").await;
    assert!(browser.path().await.starts_with("/console/login"));
    let after = app
        .client
        .get(app.url(&format!("/console/accounts/{id}")))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert!(after.url().path().starts_with("/console/login"));
    // Only the new password opens the console now.
    browser.log_in("paul@vendor.test", AGENT_PASSWORD).await;
    assert!(browser.exists("#login-error").await);
    browser.log_in("paul@vendor.test", NEW_AGENT_PASSWORD).await;
    browser.find("#q").await;
    browser.close().await;
}

#[tokio::test]
async fn only_an_admin_unlinks_a_machine_and_new_passwords_go_to_the_customer_only() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let email = "it@boulangerie-martin.fr";
    let (id, token) = customer(&app, email).await;
    // The welcome mail and the "computer linked" notice.
    app.smtp
        .wait_for(email, 2, std::time::Duration::from_secs(20))
        .await;
    let mails_before = 2;

    // An agent sees the machine but no unlink; the unlink page itself refuses.
    let browser = Browser::start(&app.address, "fr").await;
    browser.log_in("paul@vendor.test", AGENT_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    let machine_id = app.account_view(&token).await.this_machine_id;
    assert!(browser.text("#machines").await.contains("POSTE-01"));
    assert!(!browser.exists("#machines a.unlink").await);
    browser
        .open(&format!(
            "/console/accounts/{id}/machines/{machine_id}/unlink"
        ))
        .await;
    assert!(browser.text("#problem").await.contains("administrateurs"));
    let cookies = browser.cookie_header().await;
    browser.close().await;
    let csrf_free = app
        .client
        .post(app.url(&format!(
            "/console/accounts/{id}/machines/{machine_id}/unlink"
        )))
        .header("cookie", &cookies)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=guess")
        .send()
        .await
        .unwrap();
    assert_eq!(csrf_free.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.account(&token).await.status(), StatusCode::OK);

    // The admin works in English: unlink after a confirmation page.
    let browser = Browser::start(&app.address, "en").await;
    browser.log_in("alice@vendor.test", ADMIN_PASSWORD).await;
    browser.open(&format!("/console/accounts/{id}")).await;
    browser.click("#machines a.unlink").await;
    assert!(browser.body_text().await.contains("POSTE-01"));
    browser.screenshot("confirm-unlink").await;
    browser.click("#confirm").await;
    assert!(browser.text("#done").await.contains("Computer unlinked"));
    assert!(browser.text("#machines").await.contains("unlinked"));
    assert_eq!(app.account(&token).await.status(), StatusCode::UNAUTHORIZED);
    let notice = app.smtp.wait_for_nth(email, mails_before + 1).await;
    assert!(notice.subject.contains("délié"), "{}", notice.subject);
    assert!(notice.text.contains("POSTE-01"), "{}", notice.text);
    assert!(notice.text.contains("notre support"), "{}", notice.text);

    // A new password: asked for with confirmation, mailed, never shown to the agent.
    browser.click("#password-request").await;
    browser.click("#confirm").await;
    assert!(browser
        .text("#done")
        .await
        .contains("A new password was sent"));
    let mail = app.smtp.wait_for_nth(email, mails_before + 2).await;
    let password = mail.password().expect("the mail gives the password");
    assert!(!browser.body_text().await.contains(&password));
    assert!(browser
        .text("#history")
        .await
        .contains("New password sent by support"));
    // The customer links again with it.
    app.link_ok(email, &password, &machine(2), None).await;
    browser.close().await;
}
