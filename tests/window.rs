//! The app's real window under Xvfb, driven through WebDriver, against the real service,
//! a real SMTP server and the real credential store.

mod common;

use std::{path::Path, time::Duration};

use fantoccini::{key::Key, Locator};
use reqwest::StatusCode;

use common::{gate::Gate, window::Window, PROGRAM};
use test_support::{
    machine::Machine,
    program::finish,
    service::{spawn_app, TestApp},
    wrong_code,
};

/// The whole journey of a company: register, link with the mailed password, edit, a
/// second computer joins, the first lists it, then unlinks itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_link_edit_second_machine_and_unlink() {
    let service = spawn_app().await;
    let office = Machine::new("POSTE-COMPTA");
    let laptop = Machine::new("PORTABLE-DIRECTION");
    let email = "compta@dupont-batiment.fr";

    let window = Window::open(&service.address, &office, "en").await;
    window
        .wait_text("#screen-welcome", "customer account")
        .await;
    window.screenshot("welcome-en").await;
    window.click("#go-register").await;
    window.find("#screen-register").await;
    window.fill("#register-form [name=email]", email).await;
    window
        .fill("#register-form [name=company_name]", "Dupont Bâtiment SARL")
        .await;
    window
        .fill("#register-form [name=contact_first_name]", "Marie")
        .await;
    window
        .fill("#register-form [name=contact_last_name]", "Dupont")
        .await;
    window
        .fill("#register-form [name=phone]", "01 23 45 67 89")
        .await;
    window
        .fill("#register-form [name=street]", "12 rue des Lilas")
        .await;
    window
        .fill("#register-form [name=postal_code]", "75011")
        .await;
    window.fill("#register-form [name=city]", "Paris").await;
    // A SIRET with a wrong check digit and an unknown country (invalid_country) are
    // named under their fields, and nothing typed is lost.
    window
        .fill("#register-form [name=siret]", "732 829 320 00075")
        .await;
    window.fill("#register-form [name=country]", "ZZ").await;
    window.click("#register-submit").await;
    window.wait_text("#error-siret", "SIRET").await;
    window.wait_text("#error-country", "country").await;
    assert_eq!(
        window.value("#register-form [name=company_name]").await,
        "Dupont Bâtiment SARL"
    );
    window.screenshot("register-errors-en").await;
    window
        .fill("#register-form [name=siret]", "732 829 320 00074")
        .await;
    window.fill("#register-form [name=country]", "FR").await;
    window.click("#register-submit").await;
    window.find("#screen-password-sent").await;

    let password = service
        .smtp
        .wait_for_nth(email, 1)
        .await
        .password()
        .unwrap();
    // A wrong password first: its message, then the right one.
    window.fill("#sent-password", "AAAAA-AAAAA-AAAAA").await;
    window.click("#sent-submit").await;
    window
        .wait_text("#sent-error", "Wrong e-mail address or password")
        .await;
    // The typed password stays, to be corrected rather than retyped.
    assert_eq!(window.value("#sent-password").await, "AAAAA-AAAAA-AAAAA");
    window.fill("#sent-password", &password).await;
    window.click("#sent-submit").await;
    window.find("#screen-account").await;
    let customer_id = window.text("#customer-id").await;
    assert!(
        customer_id.chars().filter(char::is_ascii_digit).count() >= 5,
        "{customer_id}"
    );
    window.screenshot("account-en").await;

    // Validate asks for the password, and saves.
    window
        .fill("#account-form [name=phone]", "06 12 34 56 78")
        .await;
    window.click("#validate").await;
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    window.wait_text("#notice", "Saved").await;
    service.smtp.wait_for_nth(email, 3).await; // the "details changed" notice
    window.close().await;

    // A second computer links to the same account.
    let window = Window::open(&service.address, &laptop, "en").await;
    window.click("#go-link").await;
    window.fill("#link-email", email).await;
    window.click("#link-have-password").await;
    window.fill("#link-password", &password).await;
    window.click("#link-submit").await;
    window.find("#screen-account").await;
    assert_eq!(window.text("#customer-id").await, customer_id);
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "0612345678"
    );
    window.close().await;

    // The first lists it, then unlinks itself and is welcomed again.
    let token = office.token(&service.address).expect("the office's token");
    let window = Window::open(&service.address, &office, "en").await;
    window.find("#screen-account").await;
    window.wait_text("#machines", "PORTABLE-DIRECTION").await;
    window.click("#unlink-this").await;
    window.click("#unlink-confirm").await;
    window.find("#screen-welcome").await;
    window.close().await;
    // Revoked at the service, and gone from the credential store.
    assert_eq!(
        service.account(&token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(office.token(&service.address), None);
}

/// The service stops: the last known account is shown read-only, with a banner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_shows_the_last_known_account_and_french_works() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-ACCUEIL");
    let email = "accueil@martin.fr";

    let window = Window::open(&service.address, &pc, "fr").await;
    window.find("#screen-welcome").await;
    window.wait_text("#screen-welcome", "compte client").await;
    window.screenshot("welcome-fr").await;
    window.click("#go-link").await;
    window.fill("#link-email", email).await;
    window.click("#link-send-password").await;
    // The page moves on to the password once the request is answered.
    window.find("#link-password").await;
    // The mail says that no account uses this address.
    service.smtp.wait_for_nth(email, 1).await;
    // No account for this address yet: register it the other way, then link.
    window.close().await;
    let password = service.register_as(email, "Martin SAS", "fr").await;
    let window = Window::open(&service.address, &pc, "fr").await;
    window.click("#go-link").await;
    window.fill("#link-email", email).await;
    window.click("#link-have-password").await;
    window.fill("#link-password", &password).await;
    window.click("#link-submit").await;
    window.find("#screen-account").await;
    window.screenshot("account-fr").await;

    // "E-mail my password": a new password comes by mail, and validates a change.
    let token = pc.token(&service.address).expect("a machine token");
    let before = service.smtp.mails_to(email).len();
    window.click("#email-password").await;
    window.wait_text("#notice", email).await;
    let requested = service
        .smtp
        .wait_for_nth(email, before + 1)
        .await
        .password()
        .expect("the mail gives the new password");
    assert_ne!(requested, password);
    window
        .fill("#account-form [name=phone]", "05 56 00 11 22")
        .await;
    window.click("#validate").await;
    window.fill("#dialog-password", &requested).await;
    window.click("#dialog-submit").await;
    window.wait_hidden("#password-dialog").await;
    let saved = service.account_view(&token).await;
    assert_eq!(saved.details.phone, "0556001122");
    window.close().await;

    let stopped = service.stop_for_a_while().await;
    let window = Window::open(&stopped.address, &pc, "fr").await;
    window.find("#offline-banner").await;
    window.find("#screen-account").await;
    let phone = window.find("#account-form [name=phone]").await;
    assert!(
        !phone.is_enabled().await.unwrap(),
        "read-only while offline"
    );
    window.screenshot("offline-fr").await;
    // Retry while the service is still away: still offline, and said so.
    window.click("#retry").await;
    window.wait_text("#notice", " ").await;
    window.find("#offline-banner").await;
    // The service is back: Retry brings the account back, editable.
    let service = stopped.start_again().await;
    window.click("#retry").await;
    window.wait_hidden("#offline-banner").await;
    let phone = window.find("#account-form [name=phone]").await;
    assert!(phone.is_enabled().await.unwrap(), "editable again");
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "0556001122"
    );
    window.close().await;
    assert_eq!(service.account(&token).await.status(), StatusCode::OK);
}

/// The last snapshot on file: the window shows the account at once, read-only and marked
/// as being refreshed, before the credential store and the service are asked; the
/// service's answer then replaces it in place (a company name changed meanwhile from
/// elsewhere). A computer unlinked meanwhile goes to Welcome, its snapshot gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_snapshot_shows_at_once_marked_refreshing_then_the_fresh_account() {
    let service = spawn_app().await;
    // The service behind a gate: held closed, the window's status waits for the test.
    let gate = Gate::new(&service.address).await;
    let pc = Machine::new("POSTE-GESTION");
    let email = "gestion@ancien-nom.fr";
    let password = service.register_as(email, "Ancien Nom SARL", "fr").await;
    let linked = pc
        .run(
            PROGRAM,
            &gate.url,
            &["link", "--email", email],
            Some(&password),
        )
        .await;
    assert_eq!(linked.code, 0, "{}", linked.stderr);
    let token = pc.token(&gate.url).expect("the machine token");

    // Renamed from elsewhere: this computer's snapshot still has the old name.
    let before = service.account_view(&token).await;
    let mut details = before.details.clone();
    details.company_name = "Nouveau Nom SAS".into();
    let edited = service
        .edit(
            &token,
            &serde_json::json!({ "password": password, "version": before.version, "details": details }),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);

    gate.close();
    let window = Window::open(&gate.url, &pc, "fr").await;
    window.find("#screen-account").await;
    window
        .wait_text("#refreshing-banner", "— mise à jour…")
        .await;
    assert_eq!(
        window.text("#customer-id").await.replace(' ', ""),
        before.customer_id
    );
    // The first paint was already the account, not the loading screen first, in the
    // desktop's own fonts, which the app names to the page before its first layout.
    let timings = window.page_timings("screen:account").await;
    let shown = timings.mark.expect("the account screen's mark");
    if let Some(paint) = timings.first_paint {
        assert!(
            shown <= paint,
            "account shown at {shown} ms, first paint at {paint} ms"
        );
    }
    let fonts = window
        .client
        .execute(
            "return [getComputedStyle(document.body).fontFamily,
                     getComputedStyle(document.getElementById('customer-id')).fontFamily];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fonts[0], "sans-serif");
    assert!(
        fonts[1]
            .as_str()
            .unwrap()
            .starts_with("\"DejaVu Sans Mono\""),
        "{}",
        fonts[1]
    );
    assert_eq!(
        window.value("#account-form [name=company_name]").await,
        "Ancien Nom SARL"
    );
    for css in [
        "#account-form [name=company_name]",
        "#validate",
        "#unlink-this",
    ] {
        let element = window.find(css).await;
        assert!(
            !element.is_enabled().await.unwrap(),
            "{css}: read-only while refreshing"
        );
    }
    window.screenshot("refreshing-fr").await;

    gate.open();
    window
        .wait_value("#account-form [name=company_name]", "Nouveau Nom SAS")
        .await;
    window.wait_hidden("#refreshing-banner").await;
    let company = window.find("#account-form [name=company_name]").await;
    assert!(company.is_enabled().await.unwrap(), "editable once fresh");
    assert!(window.find("#validate").await.is_enabled().await.unwrap());
    window.close().await;

    // Unlinked from the service's side while the window was closed.
    gate.close();
    assert_eq!(
        service.unlink(&token).await.status(),
        StatusCode::NO_CONTENT
    );
    let window = Window::open(&gate.url, &pc, "fr").await;
    window
        .wait_text("#refreshing-banner", "— mise à jour…")
        .await;
    gate.open();
    window.find("#screen-welcome").await;
    window.wait_hidden("#screen-account").await;
    window.close().await;
    let kept = std::fs::read_to_string(pc.data_dir().join("state.json")).unwrap_or_default();
    assert!(!kept.contains("snapshot"), "the snapshot lingers: {kept}");
    assert_eq!(pc.token(&gate.url), None);
}

/// Keyboard only, new host context handed over by a second launch, a save that meets a
/// change made elsewhere, the wrong-password limit; then the log, and the window's size
/// and place at the next opening.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_host_context_conflict_limit_log_and_window_place() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-ATELIER");
    let email = "contact@garage-leroy.fr";

    let window = Window::open(&service.address, &pc, "en").await;
    window.find("#screen-welcome").await;

    // The host software launches the program again with the company now open: that
    // launch ends at once, and the open window takes the company into its form.
    let mut second = pc.command(
        PROGRAM,
        &service.address,
        &["--company-name", "Garage Leroy SARL", "--lang", "en"],
    );
    second.env("DISPLAY", window.display());
    finish(second, None).await.ok();

    // Keyboard only: Tab to "Register", Enter; the form is prefilled from the new context.
    let mut tabs = 0;
    while window.focused_id().await != "go-register" {
        tabs += 1;
        assert!(tabs <= 10, "Tab never reaches #go-register");
        window.key(Key::Tab).await;
    }
    window.key(Key::Enter).await;
    window.find("#screen-register").await;
    window
        .wait_value("#register-form [name=company_name]", "Garage Leroy SARL")
        .await;
    window.fill("#register-form [name=email]", email).await;
    window
        .fill("#register-form [name=contact_first_name]", "Paul")
        .await;
    window
        .fill("#register-form [name=contact_last_name]", "Leroy")
        .await;
    window
        .fill("#register-form [name=phone]", "02 40 00 00 00")
        .await;
    window.key(Key::Enter).await;
    window.find("#screen-password-sent").await;
    let password = service
        .smtp
        .wait_for_nth(email, 1)
        .await
        .password()
        .unwrap();
    window.fill("#sent-password", &password).await;
    window.key(Key::Enter).await;
    window.find("#screen-account").await;

    // Someone changes the account elsewhere (here a script on the same computer) while
    // this screen still shows the old version.
    pc.run(
        PROGRAM,
        &service.address,
        &["edit", "--contact-first-name", "Pierre"],
        Some(&password),
    )
    .await
    .ok();
    // Enter in a field validates; the password dialog opens on the password field.
    window
        .fill("#account-form [name=phone]", "02 40 11 22 33")
        .await;
    window.key(Key::Enter).await;
    window.find("#password-dialog").await;
    assert_eq!(window.focused_id().await, "dialog-password");
    // Escape closes it; focus goes back to Validate.
    window.key(Key::Escape).await;
    window.wait_hidden("#password-dialog").await;
    assert_eq!(window.focused_id().await, "validate");
    window.key(Key::Enter).await;
    window.find("#password-dialog").await;
    window.press(&password).await;
    window.key(Key::Enter).await;
    window
        .wait_text("#conflict-text", "changed from another computer")
        .await;
    window.find("#reload").await;
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "02 40 11 22 33"
    );
    window.click("#reload").await;
    window
        .wait_value("#account-form [name=contact_first_name]", "Pierre")
        .await;
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "02 40 11 22 33",
        "the reload keeps what was typed"
    );
    window.wait_hidden("#conflict-banner").await;

    // Wrong passwords until the service says to wait: the wait is shown, nothing is lost.
    window.click("#validate").await;
    let mut said = String::new();
    // 5 wrong passwords per quarter of an hour (clock-aligned): 11 tries put 6 in one.
    for _ in 0..11 {
        window.fill("#dialog-password", "AAAAA-AAAAA-AAAAA").await;
        window.key(Key::Enter).await;
        said = window.wait_text("#dialog-error", " ").await;
        if said.contains("Try again in") {
            break;
        }
    }
    // "… Try again in 12 minutes." (the service counts per quarter of an hour).
    let wait = said
        .strip_prefix("Too many attempts. Try again in ")
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        wait.starts_with(|c: char| c.is_ascii_digit())
            && (wait.contains("second") || wait.contains("minute")),
        "{said}"
    );
    window.key(Key::Escape).await;
    window.wait_hidden("#password-dialog").await;
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "02 40 11 22 33"
    );

    // Move and resize the window; the next opening puts it back there.
    window
        .client
        .set_window_rect(120, 60, 1000, 720)
        .await
        .unwrap();
    let placed = window.client.get_window_rect().await.unwrap();
    // The program saves them once the window stays still (ending the WebDriver session
    // kills the program: what is saved only at a normal exit would be lost).
    let saved = pc
        .home()
        .join("config/com.customer-account.desktop/.window-state.json");
    let started = std::time::Instant::now();
    loop {
        let state: serde_json::Value = std::fs::read(&saved)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .unwrap_or_default();
        if state["main"]["width"] == placed.2 && state["main"]["x"] == placed.0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not saved: {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    window.close().await;

    // The log is written, and holds neither the password nor the machine token.
    let logs: Vec<_> = std::fs::read_dir(pc.log_dir())
        .expect("the log folder")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert!(
        !logs.is_empty(),
        "no log file in {}",
        pc.log_dir().display()
    );
    let log: String = logs
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    assert!(log.contains("rate_limited"), "{log}");
    let token = pc.token(&service.address).expect("a machine token");
    for secret in [
        password.as_str(),
        password.replace('-', "").as_str(),
        &token,
    ] {
        assert!(!log.contains(secret), "the log holds a secret: {log}");
    }

    let window = Window::open(&service.address, &pc, "en").await;
    window.find("#screen-account").await;
    assert_eq!(window.client.get_window_rect().await.unwrap(), placed);
    window.close().await;
}

/// A new e-mail address: Validate sends a code to it, the screen asks for the code; a
/// wrong one is refused under the field, the right one makes it the account's address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_email_address_is_confirmed_with_the_mailed_code() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-GERANT");
    let old = "gerant@leroy-sas.fr";
    let new = "direction@leroy-sas.fr";
    let password = service.register_as(old, "Leroy SAS", "en").await;
    pc.run(
        PROGRAM,
        &service.address,
        &["link", "--email", old],
        Some(&password),
    )
    .await
    .ok();

    let window = Window::open(&service.address, &pc, "en").await;
    window.find("#screen-account").await;
    window.fill("#account-form [name=email]", new).await;
    window.click("#validate").await;
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    window
        .wait_text(
            "#email-pending-text",
            &format!("A code was sent to {new} — enter it to use this address."),
        )
        .await;
    // The account keeps its address until then.
    assert_eq!(window.value("#account-form [name=email]").await, old);

    let mail = service.smtp.wait_for_nth(new, 1).await;
    let code = mail
        .confirmation_code()
        .unwrap_or_else(|| panic!("{}", mail.text));
    let wrong = wrong_code(&code);
    window.fill("#email-code", &wrong).await;
    window.click("#email-confirm").await;
    window
        .wait_text("#email-code-error", "This code is wrong or has expired.")
        .await;
    assert_eq!(
        window.value("#email-code").await,
        wrong,
        "the typed code stays"
    );
    window.screenshot("email-code-en").await;

    // The right one, in lower case, with Enter.
    window.fill("#email-code", &code.to_lowercase()).await;
    window.key(Key::Enter).await;
    window
        .wait_text(
            "#notice",
            &format!("The account's e-mail address is now {new}."),
        )
        .await;
    window.wait_value("#account-form [name=email]", new).await;
    window.wait_hidden("#email-pending").await;
    window.close().await;
}

/// Another computer unlinked from the account screen with the account password: its
/// token then opens nothing at the service, and that computer forgets it. The customer
/// ID copied is on the clipboard for another program; the language chosen in the header
/// is kept for the next opening.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_computer_unlinked_the_customer_id_copied_and_the_language_kept() {
    let service = spawn_app().await;
    let office = Machine::new("POSTE-BUREAU");
    let laptop = Machine::new("PORTABLE-VENTE");
    let email = "bureau@durand-sarl.fr";
    let password = service.register_as(email, "Durand SARL", "en").await;
    for pc in [&office, &laptop] {
        pc.run(
            PROGRAM,
            &service.address,
            &["link", "--email", email],
            Some(&password),
        )
        .await
        .ok();
    }
    let laptop_token = laptop.token(&service.address).expect("the laptop's token");
    let laptop_id = service.account_view(&laptop_token).await.this_machine_id;
    let unlink_laptop =
        format!("#machines li[data-machine-id=\"{laptop_id}\"] button.unlink-machine");

    let window = Window::open(&service.address, &office, "en").await;
    window.wait_text("#machines", "PORTABLE-VENTE").await;
    window.click(&unlink_laptop).await;
    window
        .wait_text("#password-dialog-title", "PORTABLE-VENTE")
        .await;
    // A wrong password: said in the dialog, and the laptop stays linked.
    window.fill("#dialog-password", "AAAAA-AAAAA-AAAAA").await;
    window.click("#dialog-submit").await;
    window.wait_text("#dialog-error", " ").await;
    assert_eq!(
        service.account(&laptop_token).await.status(),
        StatusCode::OK
    );
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    window.wait_hidden("#password-dialog").await;
    window.wait_text("#notice", "PORTABLE-VENTE").await;
    window.wait_hidden(&unlink_laptop).await;
    assert_eq!(
        service.account(&laptop_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The laptop learns it at its next start: not linked (exit 3), its token forgotten.
    let status = laptop
        .run(PROGRAM, &service.address, &["status"], None)
        .await;
    assert_eq!(status.code, 3, "{}\n{}", status.stdout, status.stderr);
    assert_eq!(laptop.token(&service.address), None);

    // Copy: the customer ID's digits, on the clipboard of this display.
    let office_token = office.token(&service.address).expect("the office's token");
    let customer_id = service.account_view(&office_token).await.customer_id;
    window.click("#copy-customer-id").await;
    let started = std::time::Instant::now();
    loop {
        let copied = clipboard(window.display()).await;
        if copied == customer_id {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the clipboard holds {copied:?}, not {customer_id:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // French from the header; the page follows at once.
    let english = window.text("#customer-id-label").await;
    window
        .find("#language")
        .await
        .select_by_value("fr")
        .await
        .unwrap();
    wait_language(&window, "fr").await;
    assert_ne!(window.text("#customer-id-label").await, english);
    // Let the page's storage reach the disk: ending the session kills the program.
    tokio::time::sleep(Duration::from_secs(1)).await;
    window.close().await;
    // The next opening keeps the user's choice, though the program is told English.
    let window = Window::open(&service.address, &office, "en").await;
    window.find("#screen-account").await;
    wait_language(&window, "fr").await;
    window.close().await;
}

/// While the window waits on its welcome screen, a script links this computer to one
/// account; the user then links it to another in the window: the window says it is
/// linked elsewhere, and moves it only when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_computer_linked_to_another_account_moves_when_asked() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-REPRISE");
    let before = "contact@ancien-proprio.fr";
    let after = "contact@repreneur.fr";
    let old_password = service.register_as(before, "Ancien SARL", "en").await;
    let new_password = service.register_as(after, "Repreneur SAS", "en").await;

    let window = Window::open(&service.address, &pc, "en").await;
    window.find("#screen-welcome").await;
    pc.run(
        PROGRAM,
        &service.address,
        &["link", "--email", before],
        Some(&old_password),
    )
    .await
    .ok();
    let old_token = pc.token(&service.address).expect("a machine token");

    window.click("#go-link").await;
    window.fill("#link-email", after).await;
    window.click("#link-have-password").await;
    window.fill("#link-password", &new_password).await;
    window.click("#link-submit").await;
    window.find("#link-move").await;
    window.wait_text("#link-error", " ").await;
    // Nothing moved yet.
    assert_eq!(service.account(&old_token).await.status(), StatusCode::OK);
    assert_eq!(pc.token(&service.address).as_ref(), Some(&old_token));

    window.click("#link-move").await;
    window.find("#screen-account").await;
    window.wait_value("#account-form [name=email]", after).await;
    window.close().await;
    let token = pc.token(&service.address).expect("the new token");
    assert_ne!(token, old_token);
    let moved = service.account_view(&token).await;
    assert_eq!(moved.details.email, after);
    assert_eq!(moved.machines.len(), 1);
    assert_eq!(
        service.account(&old_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the former account's link ended"
    );
}

/// A save while another program holds the service's database (service_unavailable):
/// the dialog says the service cannot be reached and stays open with what was typed;
/// once the database is free, the same save goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_while_the_database_is_held_elsewhere_keeps_the_dialog_and_what_was_typed() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-PATIENT");
    let email = "patience@exemple.fr";
    let password = service.register_as(email, "Patience SARL", "en").await;
    pc.run(
        PROGRAM,
        &service.address,
        &["link", "--email", email],
        Some(&password),
    )
    .await
    .ok();
    let token = pc.token(&service.address).expect("a machine token");

    let window = Window::open(&service.address, &pc, "en").await;
    window.find("#screen-account").await;
    window
        .fill("#account-form [name=phone]", "03 20 00 11 22")
        .await;
    window.click("#validate").await;
    window.fill("#dialog-password", &password).await;
    let lock = service.lock_database().await;
    window.click("#dialog-submit").await;
    window.wait_text("#dialog-error", " ").await;
    lock.release().await;
    window.find("#password-dialog").await;
    assert_eq!(
        window.value("#account-form [name=phone]").await,
        "03 20 00 11 22"
    );
    assert_ne!(
        service.account_view(&token).await.details.phone,
        "0320001122"
    );

    window.click("#dialog-submit").await;
    window.wait_hidden("#password-dialog").await;
    assert_eq!(
        service.account_view(&token).await.details.phone,
        "0320001122"
    );
    window.close().await;
}

/// What the X clipboard of `display` holds, read by another program (xclip).
async fn clipboard(display: &str) -> String {
    let output = tokio::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .await
        .expect("xclip (apt package xclip)");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Waits until the page is in `language` (its `lang` attribute).
async fn wait_language(window: &Window, language: &str) {
    let started = std::time::Instant::now();
    loop {
        let lang = window
            .client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .unwrap();
        if lang == language {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the page stays in {lang}, never {language}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Cold start, measured rather than asserted: from launching the program (the WebDriver
/// session request starts it) to its first screen painted — the account screen of a
/// linked machine against a running service — next to a bare Tauri window showing
/// its page (and the program's welcome screen on a machine not linked). Prints
/// medians and peak memory. Run it with `bash scripts/bench-window.sh`. BENCH_APP_BEFORE
/// adds another build of the program (e.g. main's) to the same run, for a before/after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, printed: bash scripts/bench-window.sh"]
async fn cold_start_figures() {
    let app = std::env::var("BENCH_APP").unwrap_or_else(|_| PROGRAM.to_owned());
    let runs: usize = std::env::var("BENCH_RUNS").map_or(7, |n| n.parse().unwrap());
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-MESURE");
    let email = "mesure@exemple.fr";
    let password = service.register_as(email, "Mesure SARL", "en").await;
    pc.run(
        PROGRAM,
        &service.address,
        &["link", "--email", email],
        Some(&password),
    )
    .await
    .ok();

    let args = ["--service-url", service.address.as_str(), "--lang", "en"];
    // The same program on a machine that is not linked: no request to the service.
    let fresh = Machine::new("POSTE-NEUF");
    let bare_machine = Machine::new("POSTE-NU");
    let bare = std::env::var("BENCH_BARE").ok();
    let mut targets = vec![
        Target::new(
            "customer-account, account screen",
            &app,
            &args,
            &pc,
            "#customer-id",
            Some("screen:account"),
        ),
        Target::new(
            "customer-account, welcome screen",
            &app,
            &args,
            &fresh,
            "#screen-welcome",
            Some("screen:welcome"),
        ),
    ];
    // Another build of the program (e.g. the one before a change), in the same run.
    let before = std::env::var("BENCH_APP_BEFORE").ok();
    if let Some(before) = &before {
        targets.push(Target::new(
            "customer-account before, account screen",
            before,
            &args,
            &pc,
            "#customer-id",
            Some("screen:account"),
        ));
    }
    if let Some(bare) = &bare {
        targets.push(Target::new(
            "bare window",
            bare,
            &[],
            &bare_machine,
            "body",
            None,
        ));
    }
    // Interleaved, so that a busy machine weighs on each alike.
    for _ in 0..runs {
        for target in &mut targets {
            target.run().await;
        }
    }
    println!("release program: {app}");
    if let Some(before) = &before {
        println!("program before: {before}");
    }
    if let Some(bare) = &bare {
        println!("bare window: {bare}");
    }
    for target in &targets {
        println!("{}", target.figures());
    }
}

/// One program to measure: cold starts until `css` is painted, with peak memory.
///
/// Two clocks. WebDriver's own view (the first look at `css` that finds it displayed)
/// lags the paint by 50–150 ms on this machine, mostly its own round trips, and more when
/// the page is busy after its first paint (the app's refresh from the service): the bare
/// window, idle at once, gained from it. So the figure is the page's own: when the page
/// started (`performance.timeOrigin`, after launch) plus its first contentful paint, or,
/// if later, the page's `mark` for the screen (`performance.mark`, ui/src/page.ts), which
/// the first paint after it shows. The WebDriver times are reported beside it.
struct Target<'a> {
    name: &'a str,
    application: &'a Path,
    args: &'a [&'a str],
    machine: &'a Machine,
    css: &'a str,
    mark: Option<&'a str>,
    painted: Vec<Duration>,
    seen: Vec<Duration>,
    memory: Vec<(u64, u64)>,
}

impl<'a> Target<'a> {
    fn new(
        name: &'a str,
        application: &'a str,
        args: &'a [&'a str],
        machine: &'a Machine,
        css: &'a str,
        mark: Option<&'a str>,
    ) -> Self {
        Target {
            name,
            application: Path::new(application),
            args,
            machine,
            css,
            mark,
            painted: Vec::new(),
            seen: Vec::new(),
            memory: Vec::new(),
        }
    }

    async fn run(&mut self) {
        let (window, asked) = Window::launch(self.application, self.args, self.machine).await;
        let launched = std::time::SystemTime::now() - asked.elapsed();
        loop {
            if let Ok(element) = window.client.find(Locator::Css(self.css)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    break;
                }
            }
            assert!(
                asked.elapsed() < Duration::from_secs(30),
                "{} never shown",
                self.css
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.seen.push(asked.elapsed());
        let timings = window.page_timings(self.mark.unwrap_or("")).await;
        let launched_ms = launched
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        // The paint that shows the screen: the first one, or the first after its mark.
        // A start without a paint entry, or from a build before the marks, counts for
        // WebDriver only.
        let painted = match (timings.first_paint, self.mark, timings.mark) {
            (Some(paint), None, _) => Some(paint),
            (Some(paint), Some(_), Some(mark)) => Some(paint.max(mark)),
            _ => None,
        };
        if let Some(painted) = painted {
            let since_launch = timings.origin - launched_ms + painted;
            self.painted
                .push(Duration::from_secs_f64(since_launch / 1000.0));
        }
        self.memory.push(peak_memory_kib(self.application));
        window.close().await;
    }

    /// The median time to the paint, its range, the median time WebDriver took to see
    /// it, and the median peak resident memory of the program and of its WebKit processes.
    fn figures(&self) -> String {
        let mut painted = self.painted.clone();
        let mut seen = self.seen.clone();
        let mut memory = self.memory.clone();
        painted.sort();
        seen.sort();
        memory.sort();
        let ms = |d: Duration| d.as_millis();
        let (own, webkit) = memory[memory.len() / 2];
        let paint = if painted.is_empty() {
            "no paint timing".to_owned()
        } else {
            format!(
                "median {} ms to its paint (min {}, max {}, {} runs)",
                ms(painted[painted.len() / 2]),
                ms(painted[0]),
                ms(painted[painted.len() - 1]),
                painted.len(),
            )
        };
        format!(
            "{}: cold start {paint}, WebDriver saw it at median {} ms (min {}, max {}, {} runs); peak RSS {} MiB (program) + {} MiB (WebKit processes)",
            self.name,
            ms(seen[seen.len() / 2]),
            ms(seen[0]),
            ms(seen[seen.len() - 1]),
            seen.len(),
            own / 1024,
            webkit / 1024
        )
    }
}

/// Peak resident memory (VmHWM, KiB) of the running `application` and, summed, of its
/// child processes (WebKit's web and network processes).
fn peak_memory_kib(application: &Path) -> (u64, u64) {
    let target = std::fs::canonicalize(application).unwrap();
    let processes: Vec<(u32, u32, std::path::PathBuf, u64)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            };
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
            Some((pid, field("PPid:")? as u32, exe, field("VmHWM:")?))
        })
        .collect();
    let Some(&(pid, _, _, own)) = processes.iter().find(|(_, _, exe, _)| *exe == target) else {
        return (0, 0);
    };
    let children = processes
        .iter()
        .filter(|(_, parent, _, _)| *parent == pid)
        .map(|(_, _, _, hwm)| hwm)
        .sum();
    (own, children)
}

/// A new account in `language`, and the computer `name` linked to it from the command line;
/// the account's password.
async fn linked_account(
    service: &TestApp,
    email: &str,
    company: &str,
    language: &str,
    name: &str,
) -> (Machine, String) {
    let password = service.register_as(email, company, language).await;
    let machine = Machine::new(name);
    let linked = machine
        .run(
            PROGRAM,
            &service.address,
            &["link", "--email", email],
            Some(&password),
        )
        .await;
    assert_eq!(linked.code, 0, "{}", linked.stderr);
    (machine, password)
}

/// "Add several computers" in French: a key made in the window (password asked), shown
/// once with the exact command and installer option; a PC links with it from the command
/// line, another from the installer's preset on its first start; the key is listed with
/// its computers, then revoked; a computer unseen for 40 days is listed, then unlinked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_several_computers_and_unlinks_stale_ones_in_french() {
    let service = spawn_app().await;
    let email = "parc@salle-formation.fr";
    let (admin, password) =
        linked_account(&service, email, "Salle Formation SARL", "fr", "ADMIN-PARC").await;

    let window = Window::open(&service.address, &admin, "fr").await;
    window.find("#screen-account").await;
    let customer_id = window.text("#customer-id").await;
    window.click("#add-computers").await;
    window.fill("#key-label", "Salle de formation").await;
    window.fill("#key-uses", "2").await;
    window.click("#key-create").await;
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    let key = window.find("#new-key-value").await.text().await.unwrap();
    let key = key.trim().to_owned();
    assert_eq!(key.len(), 35, "{key}");
    window
        .wait_text(
            "#new-key-command",
            "customer-account link --enrollment-key-file",
        )
        .await;
    window
        .wait_text("#new-key-installer", "/ENROLLMENTKEYFILE=")
        .await;
    window.screenshot("enrollment-key-fr").await;
    window
        .wait_text("#enrollment-keys", "Salle de formation")
        .await;

    // One PC from the command line, one from the installer's preset on first start.
    let second = Machine::new("POSTE-02");
    let run = second
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", "-"],
            Some(&key),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    window.close().await;
    let files = tempfile::tempdir().unwrap();
    let preset = files.path().join("enrollment-key.txt");
    std::fs::write(&preset, &key).unwrap();
    let third = Machine::new("POSTE-03").with_enrollment_key_preset(&preset);
    let window = Window::open(&service.address, &third, "fr").await;
    window.find("#screen-account").await;
    assert_eq!(window.text("#customer-id").await, customer_id);
    assert!(!preset.exists(), "the preset is deleted once used");
    window.close().await;

    // The key is listed used up with its computers; once closed, the key is gone from
    // the page.
    let window = Window::open(&service.address, &admin, "fr").await;
    window.find("#screen-account").await;
    let keys = window.wait_text("#enrollment-keys", "POSTE-03").await;
    assert!(keys.contains("POSTE-02"), "{keys}");
    let page = window.client.source().await.unwrap();
    assert!(!page.contains(&key), "the key is shown once only");

    // A second key, revoked from the list.
    window.click("#add-computers").await;
    window.fill("#key-label", "Salle 2").await;
    window.click("#key-create").await;
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    let second_key = window.find("#new-key-value").await.text().await.unwrap();
    window.click("#new-key-close").await;
    window.wait_hidden("#new-key").await;
    let item = "#enrollment-keys li:first-child button.revoke-key";
    window.click(item).await;
    if window.client.find(Locator::Css(item)).await.is_ok() {
        // A confirmation step on the same button.
        window.click(item).await;
    }
    window.wait_text("#enrollment-keys", "Révoquée").await;
    let third_pc = Machine::new("POSTE-04");
    let run = third_pc
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", "-", "--lang", "fr"],
            Some(second_key.trim()),
        )
        .await;
    assert_eq!(run.code, 12);
    assert!(run.stderr.contains("révoquée"), "{}", run.stderr);
    window.close().await;

    // POSTE-02 unseen for 40 days: listed first, then unlinked with the password.
    let second_id = second
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json()["account"]["this_machine_id"]
        .as_str()
        .unwrap()
        .to_owned();
    service.last_seen_days_ago(&second_id, 40).await;
    let window = Window::open(&service.address, &admin, "fr").await;
    window.find("#screen-account").await;
    window.fill("#stale-days", "30").await;
    window.click("#unlink-stale").await;
    let listed = window.wait_text("#password-dialog-text", "POSTE-02").await;
    assert!(!listed.contains("POSTE-03"), "{listed}");
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    window.wait_hidden("#password-dialog").await;
    window
        .wait_text("#notice", "1 ordinateur délié du compte")
        .await;
    // The list is read again after the notice.
    let mut machines = window.text("#machines").await;
    for _ in 0..100 {
        if !machines.contains("POSTE-02") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        machines = window.text("#machines").await;
    }
    assert!(
        !machines.contains("POSTE-02") && machines.contains("POSTE-03"),
        "{machines}"
    );
    window.close().await;
    let gone = second.run(PROGRAM, &service.address, &["id"], None).await;
    assert_eq!(gone.code, 3, "{}", gone.stderr);
}

/// The same in English: a refused field is named under it, a wrong password keeps the
/// dialog, and the key panel speaks English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_refused_then_made_in_english() {
    let service = spawn_app().await;
    let email = "it@northwind.example";
    let (admin, password) = linked_account(&service, email, "Northwind Ltd", "en", "IT-DESK").await;
    let window = Window::open(&service.address, &admin, "en").await;
    window.find("#screen-account").await;
    window.click("#add-computers").await;
    window.fill("#key-label", "Lab").await;
    window.fill("#key-uses", "501").await;
    window.click("#key-create").await;
    if window
        .client
        .find(Locator::Css("#password-dialog[open]"))
        .await
        .is_ok()
    {
        window.fill("#dialog-password", &password).await;
        window.click("#dialog-submit").await;
    }
    window
        .wait_text("#key-form", "outside the allowed range")
        .await;
    window.fill("#key-uses", "5").await;
    window.click("#key-create").await;
    window.fill("#dialog-password", "AAAAA-AAAAA-AAAAA").await;
    window.click("#dialog-submit").await;
    window
        .wait_text("#password-dialog", "Wrong password.")
        .await;
    window.fill("#dialog-password", &password).await;
    window.click("#dialog-submit").await;
    window
        .wait_text("#new-key", "will not be shown again")
        .await;
    window.screenshot("enrollment-key-en").await;
    let key = window.find("#new-key-value").await.text().await.unwrap();
    let run = Machine::new("LAB-01")
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", "-"],
            Some(key.trim()),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    window.close().await;
}
