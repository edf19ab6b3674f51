//! Attempt limits: they hold under bursts of concurrent requests, say how long to wait,
//! keep one office's typos its own, and let no stranger lock a company out.

use std::{net::IpAddr, time::Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{client_from, error_of, machine, registration, spawn_app, TestApp};

/// Requests sent at once in the burst tests.
const BURST: usize = 30;

/// How many answers had each status.
fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

fn office(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 1, n])
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_account_and_network_with_the_wait() {
    let app = spawn_app().await;
    let email = "typos@example.fr";
    let (password, _) = app.register_and_read_password(email).await;

    for _ in 0..5 {
        let response = app
            .link(email, "AAAAA-AAAAA-AAAAA", &machine(1), None, false)
            .await;
        assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    }
    // The sixth try, even with the right password, waits: a sliding window of 15
    // minutes, so the wait is the rest of it from the first failure.
    let response = app.link(email, &password, &machine(1), None, false).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((14 * 60..=15 * 60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after_seconds"], retry_after);

    // A colleague at another site is not locked out by these typos.
    let elsewhere = client_from("127.0.0.2".parse().unwrap());
    let response = elsewhere
        .post(app.url("/api/v1/links"))
        .json(&json!({ "email": email, "password": password, "machine": machine(2) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Nor is another account from the same office.
    let (other_password, _) = app.register_and_read_password("colleague@example.fr").await;
    app.link_ok("colleague@example.fr", &other_password, &machine(3), None)
        .await;
}

/// Sends `BURST` wrong-password links for `email` at once from `client`.
async fn burst_of_wrong_links(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
) -> Vec<StatusCode> {
    let requests = (0..BURST).map(|n| {
        client
            .post(app.url("/api/v1/links"))
            .json(&json!({
                "email": email,
                "password": format!("WRONG-WRONG-{n:05}"),
                "machine": machine(9),
            }))
            .send()
    });
    join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect()
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit() {
    let app = spawn_app().await;
    let email = "burst@example.fr";
    let (password, link) = app.linked(email, &machine(1)).await;

    // One network, one account: 5 checks, whatever the concurrency.
    let statuses = burst_of_wrong_links(&app, &client_from(office(1)), email).await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), BURST - 5);
    // An unknown address is limited alike (nobody learns which addresses exist).
    let statuses = burst_of_wrong_links(&app, &client_from(office(2)), "nobody@example.fr").await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );

    // From a linked machine, Validate and unlinking another machine ask for the
    // password: 5 wrong ones per machine, checked one way or the other.
    let other = app.link_ok(email, &password, &machine(2), None).await;
    let edits = (0..BURST).map(|n| {
        let body = json!({
            "password": format!("WRONG-WRONG-{n:05}"),
            "version": link.account.version,
            "details": link.account.details,
        });
        let app = &app;
        let token = link.token.clone();
        let other = other.machine_id.clone();
        async move {
            if n % 2 == 0 {
                app.edit(&token, &body).await.status()
            } else {
                app.unlink_other(&token, &other, &format!("WRONG-WRONG-{n:05}"))
                    .await
                    .status()
            }
        }
    });
    let statuses = join_all(edits).await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), BURST - 5);
    // The other machine is still linked.
    assert_eq!(app.account(&other.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_burst_of_password_mails_sends_no_more_than_the_limit() {
    let app = spawn_app().await;
    let requests = (0..BURST).map(|n| {
        let app = &app;
        async move {
            if n % 3 == 0 {
                app.register(&registration("flood@example.fr"))
                    .await
                    .status()
            } else {
                app.request_password("flood@example.fr").await.status()
            }
        }
    });
    let statuses = join_all(requests).await;
    assert_eq!(count(&statuses, StatusCode::ACCEPTED), 5, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), BURST - 5);
    // Exactly the accepted requests sent mail (the first registration created the
    // account; the others mail it a password request).
    app.smtp
        .wait_for("flood@example.fr", 5, std::time::Duration::from_secs(20))
        .await;
    wait_until_outbox_is_empty(&app).await;
    assert_eq!(app.smtp.mails_to("flood@example.fr").len(), 5);
    // Another address is unaffected.
    assert_eq!(
        app.request_password("calm@example.fr").await.status(),
        StatusCode::ACCEPTED
    );
}

async fn wait_until_outbox_is_empty(app: &TestApp) {
    let db = app.db().await;
    for _ in 0..200 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if waiting == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("mail still waiting");
}

#[tokio::test]
async fn strangers_guessing_from_everywhere_cannot_lock_the_company_out() {
    let app = spawn_app().await;
    let email = "victim@example.fr";
    // The company links its first machine from its office network (127.0.0.1).
    let (password, link) = app.linked(email, &machine(1)).await;

    // Strangers guess from 40 networks at once, one guess each.
    let guesses = (0..40u8).map(|n| {
        let client = client_from(IpAddr::from([127, 0, 2, n + 1]));
        let url = app.url("/api/v1/links");
        async move {
            client
                .post(url)
                .json(&json!({ "email": email, "password": "WRONG-WRONG-WRONG", "machine": machine(9) }))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = join_all(guesses).await;
    // Their total stays capped: 30 checked, the rest refused.
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        30,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 10);
    // A stranger's network with the right password waits too: guessing is over.
    let response = client_from(IpAddr::from([127, 0, 3, 1]))
        .post(app.url("/api/v1/links"))
        .json(&json!({ "email": email, "password": password, "machine": machine(8) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // The company is not locked out: from its own network a new machine links...
    app.link_ok(email, &password, &machine(2), None).await;
    // ...and a linked machine saves an edit with the password.
    let mut details = serde_json::to_value(&link.account.details).unwrap();
    details["phone"] = json!("01 98 76 54 32");
    let response = app
        .edit(
            &link.token,
            &json!({ "password": password, "version": link.account.version, "details": details }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// Every password check does the same work: one argon2 run, whether the address is
/// unknown, or has an account with three password requests.
#[tokio::test]
async fn a_wrong_password_takes_as_long_for_an_unknown_address_as_for_a_busy_account() {
    let app = spawn_app().await;
    let email = "busy@example.fr";
    app.register_and_read_password(email).await;
    for n in 0..3 {
        app.request_password(email).await;
        app.smtp.wait_for_nth(email, 2 + n).await;
    }
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_requests")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(pending, 3);

    // Interleaved, each from its own network so no limit is reached.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in 0..12u8 {
        for (address, times) in [(email, &mut known), ("unknown@example.fr", &mut unknown)] {
            let client = client_from(IpAddr::from([
                127,
                0,
                4 + u8::from(address == email),
                n + 1,
            ]));
            let started = Instant::now();
            let response = client
                .post(app.url("/api/v1/links"))
                .json(&json!({ "email": address, "password": "WRONG-WRONG-WRONG", "machine": machine(9) }))
                .send()
                .await
                .unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    println!("median wrong-password link: account with 3 pending {known:.1} ms, unknown address {unknown:.1} ms");
    // Two hash runs against one would be about 2x; the same work stays close to 1x.
    let ratio = known / unknown;
    assert!(
        (0.7..1.4).contains(&ratio),
        "{known:.1} ms vs {unknown:.1} ms"
    );
}
