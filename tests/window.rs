//! The app's real window under Xvfb, driven through WebDriver, against the real service,
//! a real SMTP server and the real credential store.

mod common;

use common::{
    start_service,
    window::{Window, Workstation},
};

/// The whole journey of a company: register, link with the mailed password, edit, a
/// second computer joins, the first lists it, then unlinks itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_link_edit_second_machine_and_unlink() {
    let service = start_service().await;
    let office = Workstation::new("POSTE-COMPTA");
    let laptop = Workstation::new("PORTABLE-DIRECTION");
    let email = "compta@dupont-batiment.fr";

    let window = Window::open(&service.url, &office, "en").await;
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
    // A SIRET with a wrong check digit is named, and nothing typed is lost.
    window
        .fill("#register-form [name=siret]", "732 829 320 00075")
        .await;
    window.click("#register-submit").await;
    window.wait_text("#error-siret", "SIRET").await;
    assert_eq!(
        window.value("#register-form [name=company_name]").await,
        "Dupont Bâtiment SARL"
    );
    window.screenshot("register-errors-en").await;
    window
        .fill("#register-form [name=siret]", "732 829 320 00074")
        .await;
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
    let window = Window::open(&service.url, &laptop, "en").await;
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
    let window = Window::open(&service.url, &office, "en").await;
    window.find("#screen-account").await;
    window.wait_text("#machines", "PORTABLE-DIRECTION").await;
    window.click("#unlink-this").await;
    window.click("#unlink-confirm").await;
    window.find("#screen-welcome").await;
    window.close().await;
}

/// The service stops: the last known account is shown read-only, with a banner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_shows_the_last_known_account_and_french_works() {
    let mut service = start_service().await;
    let pc = Workstation::new("POSTE-ACCUEIL");
    let email = "accueil@martin.fr";

    let window = Window::open(&service.url, &pc, "fr").await;
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
    let form = serde_json::json!({
        "email": email, "company_name": "Martin SAS", "contact_first_name": "Luc",
        "contact_last_name": "Martin", "phone": "04 72 00 00 00", "language": "fr"
    });
    reqwest::Client::new()
        .post(format!("{}/api/v1/accounts", service.url))
        .json(&form)
        .send()
        .await
        .unwrap();
    let password = service
        .smtp
        .wait_for_nth(email, 2)
        .await
        .password()
        .unwrap();
    let window = Window::open(&service.url, &pc, "fr").await;
    window.click("#go-link").await;
    window.fill("#link-email", email).await;
    window.click("#link-have-password").await;
    window.fill("#link-password", &password).await;
    window.click("#link-submit").await;
    window.find("#screen-account").await;
    window.screenshot("account-fr").await;
    window.close().await;

    service.stop().await;
    let window = Window::open(&service.url, &pc, "fr").await;
    window.find("#offline-banner").await;
    window.find("#screen-account").await;
    let phone = window.find("#account-form [name=phone]").await;
    assert!(
        !phone.is_enabled().await.unwrap(),
        "read-only while offline"
    );
    window.find("#retry").await;
    window.screenshot("offline-fr").await;
    window.close().await;
}
