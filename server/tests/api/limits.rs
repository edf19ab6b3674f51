//! Attempt limits: they say how long to wait, and one office's typos stay its own.

use reqwest::StatusCode;

use crate::helpers::{client_from, error_of, machine, spawn_app};

#[tokio::test]
async fn wrong_passwords_are_limited_per_account_and_network_with_the_wait() {
    let app = spawn_app().await;
    let email = "typos@example.fr";
    let (password, _) = app.register_and_read_password(email).await;

    test_support::clear_of_window_boundary(15 * 60, 30).await;
    for _ in 0..5 {
        let response = app
            .link(email, "AAAAA-AAAAA-AAAAA", &machine(1), None, false)
            .await;
        assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    }
    // The sixth try, even with the right password, waits.
    let response = app.link(email, &password, &machine(1), None, false).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after_seconds"], retry_after);

    // A colleague at another site is not locked out by these typos.
    let elsewhere = client_from("127.0.0.2".parse().unwrap());
    let response = elsewhere
        .post(app.url("/api/v1/links"))
        .json(&serde_json::json!({ "email": email, "password": password, "machine": machine(2) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Nor is another account from the same office.
    let (other_password, _) = app.register_and_read_password("colleague@example.fr").await;
    app.link_ok("colleague@example.fr", &other_password, &machine(3), None)
        .await;
}

#[tokio::test]
async fn password_mails_are_limited_per_address() {
    let app = spawn_app().await;
    test_support::clear_of_window_boundary(60 * 60, 30).await;
    for _ in 0..5 {
        assert_eq!(
            app.request_password("flood@example.fr").await.status(),
            StatusCode::ACCEPTED
        );
    }
    let response = app.request_password("flood@example.fr").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // Another address is unaffected.
    assert_eq!(
        app.request_password("calm@example.fr").await.status(),
        StatusCode::ACCEPTED
    );
    // Registration counts as a password mail too (it sends one).
    let response = app
        .register(&crate::helpers::registration("flood@example.fr"))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Exactly the accepted requests sent mail.
    app.smtp
        .wait_for("flood@example.fr", 5, std::time::Duration::from_secs(20))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.smtp.mails_to("flood@example.fr").len(), 5);
}
