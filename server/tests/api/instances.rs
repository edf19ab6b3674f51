//! Three instances of the service on one database, as behind a load balancer: each mail
//! leaves once, limits count across instances, an edit cannot overwrite another made
//! through another instance, and customer IDs stay unique. On SQLite and on PostgreSQL
//! (the test command runs both). A killed instance's mail, delivered by the other two:
//! `mail::a_killed_instances_mail_leaves_within_seconds_and_a_live_ones_is_never_taken`.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use crate::helpers::{machine, registration, spawn_instances, TestApp, MAIL_WAIT};
use account_server::limits::WRONG_PASSWORD_ACCOUNT_NETWORK;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Waits until every mail in the outbox is sent; then the count of sent ones.
async fn all_mail_sent(app: &TestApp) -> i64 {
    let db = app.db().await;
    let started = Instant::now();
    loop {
        let (waiting, sent): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) - COUNT(sent_at), COUNT(sent_at) FROM outbox WHERE failed_at IS NULL",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if waiting == 0 {
            db.close().await;
            return sent;
        }
        if started.elapsed() > MAIL_WAIT {
            let rows: Vec<(i64, Option<String>, i64, i64)> = sqlx::query_as(
                "SELECT id, claimed_by, attempts, next_attempt_at FROM outbox WHERE sent_at IS NULL",
            )
            .fetch_all(&db)
            .await
            .unwrap();
            panic!("{waiting} mails still wait: {rows:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn registrations_and_links_over_three_instances_mail_each_once_with_unique_customer_ids() {
    let instances = spawn_instances(3).await;
    let smtp = instances[0].smtp.clone();
    const ACCOUNTS: usize = 24;
    let email = |n: usize| format!("spread{n}@example.fr");

    // Registrations at once, spread over the three instances.
    let registered = join_all((0..ACCOUNTS).map(|n| {
        let app = &instances[n % 3];
        async move { app.register(&registration(&email(n))).await.status() }
    }))
    .await;
    assert!(
        registered.iter().all(|s| *s == StatusCode::ACCEPTED),
        "{registered:?}"
    );
    // Each account links a machine through another instance than it registered on.
    let links = join_all((0..ACCOUNTS).map(|n| {
        let app = &instances[(n + 1) % 3];
        let smtp = smtp.clone();
        let email = email(n);
        async move {
            let password = smtp.wait_for_nth(&email, 1).await.password().unwrap();
            app.link_ok(&email, &password, &machine((n % 200) as u8), None)
                .await
        }
    }))
    .await;

    let customer_ids: HashSet<_> = links
        .iter()
        .map(|l| l.account.customer_id.clone())
        .collect();
    assert_eq!(customer_ids.len(), ACCOUNTS, "customer IDs repeat");

    // Every mail the outbox holds reached the server once, and no other.
    let sent = all_mail_sent(&instances[0]).await;
    // Long enough for a second delivery of any of them to arrive too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received = smtp.mails();
    let distinct: HashSet<_> = received.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(received.len() as i64, sent, "mails received vs. sent");
    assert_eq!(distinct.len(), received.len(), "a mail left twice");
    for n in 0..ACCOUNTS {
        assert!(!smtp.mails_to(&email(n)).is_empty());
    }
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_over_three_instances_gets_no_more_checks_than_the_limit() {
    let instances = spawn_instances(3).await;
    let email = "burst@example.fr";
    instances[0].register_and_read_password(email).await;

    let statuses = join_all((0..30).map(|n| {
        let app = &instances[n % 3];
        async move {
            let body = json!({
                "email": email,
                "password": format!("WRONG-WRONG-{n:05}"),
                "machine": machine(9),
            });
            app.client
                .post(app.url("/api/v1/links"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    }))
    .await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked, WRONG_PASSWORD_ACCOUNT_NETWORK.max as usize,
        "{statuses:?}"
    );
    assert_eq!(checked + refused, statuses.len(), "{statuses:?}");
}

#[tokio::test]
async fn two_edits_at_once_through_two_instances_save_one_and_answer_changed_elsewhere() {
    let instances = spawn_instances(3).await;
    let (password, link) = instances[0].linked("twice@example.fr", &machine(1)).await;
    let edit = |first_name: &str| {
        let mut details = serde_json::to_value(&link.account.details).unwrap();
        details["contact_first_name"] = json!(first_name);
        json!({ "password": password, "version": link.account.version, "details": details })
    };
    let (paul, jeanne) = (edit("Paul"), edit("Jeanne"));
    let (first, second) = tokio::join!(
        instances[1].edit(&link.token, &paul),
        instances[2].edit(&link.token, &jeanne)
    );
    let mut answers = Vec::new();
    for response in [first, second] {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        answers.push((status, body));
    }
    let saved: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .collect();
    let conflicts: Vec<_> = answers
        .iter()
        .filter(|(status, body)| {
            *status == StatusCode::CONFLICT && body["code"] == "changed_elsewhere"
        })
        .collect();
    assert_eq!((saved.len(), conflicts.len()), (1, 1), "{answers:?}");
    // What every instance reads is the one edit that was saved.
    let saved_name = saved[0].1["details"]["contact_first_name"].clone();
    for app in &instances {
        let view = app.account_view(&link.token).await;
        assert_eq!(json!(view.details.contact_first_name), saved_name);
    }
}

#[tokio::test]
async fn the_account_read_of_one_instance_sees_at_once_what_another_changed() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let (password, first) = a.linked("seen@example.fr", &machine(1)).await;
    let second = a
        .link_ok("seen@example.fr", &password, &machine(2), None)
        .await;
    // B has read the account (twice: nothing it could keep from the first read is used).
    for _ in 0..2 {
        assert_eq!(b.account_view(&second.token).await.machines.len(), 2);
    }

    // An edit through A: B's next read has it, and is the view A answered with.
    let mut details = serde_json::to_value(&first.account.details).unwrap();
    details["contact_first_name"] = json!("Paul");
    let edited = a
        .edit(
            &first.token,
            &json!({ "password": password, "version": first.account.version, "details": details }),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    let read = b.account(&first.token).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.json::<Value>().await.unwrap(), edited);

    // The second machine unlinked through A: refused by B at once, gone from the list.
    let unlinked = a
        .unlink_other(&first.token, &second.machine_id, &password)
        .await;
    assert_eq!(unlinked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        b.account(&second.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let view = b.account_view(&first.token).await;
    assert_eq!(view.machines.len(), 1);
    assert_eq!(view.machines[0].machine_id, first.machine_id);
}
