//! Moving up: `account-server copy` takes a service's SQLite file to the test database
//! (PostgreSQL when the tests run on it), and the service then runs on the copy as before.

use std::{
    process::{Command, Output},
    sync::Arc,
};

use account_server::{
    config::OutboxKeySource,
    secrets::OutboxKey,
    storage::{OutgoingMail, Storage},
    support::LedgerKind,
};
use reqwest::StatusCode;

use crate::helpers::{
    create_database, database_url, machine, outbox_key_path, registration, spawn_app_with,
    MAIL_WAIT,
};

fn copy(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_account-server"))
        .args(["copy", "--from", from, "--to", to])
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn copy_moves_every_account_machine_and_ledger_entry_and_the_service_runs_on_it() {
    // The service on its SQLite file, used for a while.
    let source_dir = tempfile::tempdir().unwrap();
    let source_url = format!("sqlite://{}", source_dir.path().join("old.db").display());
    let key = outbox_key_path(&source_dir);
    let old = spawn_app_with(|settings, _| {
        settings.database_url = source_url.clone();
        settings.mail.outbox_key = OutboxKeySource::File(key.clone());
    })
    .await;
    let mut links = Vec::new();
    for n in 0..3u8 {
        let email = format!("moving{n}@example.fr");
        links.push(old.linked(&email, &machine(n)).await.1);
    }
    let storage = Storage::connect(&source_url).await.unwrap();
    let mut tx = storage.write().await.unwrap();
    for n in 0..links.len() {
        let account = tx
            .account_by_email(&format!("moving{n}@example.fr"))
            .await
            .unwrap()
            .unwrap();
        for minutes in [600, -45 * (n as i64 + 1)] {
            let kind = if minutes > 0 {
                LedgerKind::Credit
            } else {
                LedgerKind::SupportCall
            };
            tx.add_ledger_entry(
                &crate::ledger_properties::entry(account.id, kind, minutes),
                account_server::now(),
            )
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    storage.close().await;
    old.stop().await;
    // A mail still waiting when the service stopped (sealed with the old outbox key).
    let sealing = Storage::connect(&source_url)
        .await
        .unwrap()
        .with_outbox_key(Arc::new(OutboxKey::load_or_create(&key).unwrap()));
    let mut tx = sealing.write().await.unwrap();
    tx.enqueue_mail(
        &OutgoingMail {
            to: "waiting@example.fr".into(),
            subject: "Waiting through the move".into(),
            body: "Still here after the move.".into(),
        },
        account_server::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sealing.close().await;

    // Copied into a new database.
    let target_dir = tempfile::tempdir().unwrap();
    let target_url = database_url(&target_dir);
    create_database(&target_url).await;
    let output = copy(&source_url, &target_url);
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("accounts: 3"), "{said}");
    assert!(said.contains("ledger_entries: 6"), "{said}");
    assert!(said.contains("outbox: 7"), "{said}");
    assert!(
        said.contains("balance of each of 3 accounts match"),
        "{said}"
    );

    // Never into a database that holds something.
    let again = copy(&source_url, &target_url);
    assert_eq!(again.status.code(), Some(1));
    let refused = String::from_utf8_lossy(&again.stderr);
    assert!(refused.contains("not empty"), "{refused}");

    // The service on the copy: the same machines, accounts, customer IDs and balances.
    let new = spawn_app_with(|settings, _| {
        settings.database_url = target_url.clone();
        settings.mail.outbox_key = OutboxKeySource::File(key.clone());
    })
    .await;
    // The waiting mail leaves from the new database, opened with the old key.
    let waiting = new.smtp.wait_for("waiting@example.fr", 1, MAIL_WAIT).await;
    assert!(waiting[0].text.contains("Still here after the move."));
    for link in &links {
        let view = new.account_view(&link.token).await;
        assert_eq!(view.customer_id, link.account.customer_id);
        assert_eq!(view.details, link.account.details);
    }
    let (source, target) = (
        Storage::connect(&source_url).await.unwrap(),
        Storage::connect(&target_url).await.unwrap(),
    );
    let (mut from, mut to) = (source.read().await.unwrap(), target.read().await.unwrap());
    for n in 0..3 {
        let email = format!("moving{n}@example.fr");
        let account = to.account_by_email(&email).await.unwrap().unwrap();
        assert_eq!(
            to.balance(account.id).await.unwrap(),
            from.balance(account.id).await.unwrap()
        );
        assert_eq!(to.balance(account.id).await.unwrap(), 600 - 45 * (n + 1));
        assert_eq!(
            to.ledger(account.id).await.unwrap(),
            from.ledger(account.id).await.unwrap()
        );
    }
    // A new account takes the next customer ID, never one already given.
    assert_eq!(
        new.register(&registration("after-move@example.fr"))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let link = new
        .link_ok(
            "after-move@example.fr",
            &new.smtp
                .wait_for_nth("after-move@example.fr", 1)
                .await
                .password()
                .unwrap(),
            &machine(7),
            None,
        )
        .await;
    assert!(links
        .iter()
        .all(|l| l.account.customer_id != link.account.customer_id));
}

#[tokio::test]
async fn copy_refuses_an_address_that_is_no_database() {
    let output = copy("mysql://somewhere/db", "sqlite::memory:");
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("sqlite:// or postgres://"), "{said}");
}

#[tokio::test]
async fn migrate_brings_a_new_database_up_to_date_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&data);
    create_database(&url).await;
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_account-server"))
            .args(["--database-url", &url, "migrate"])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{said}");
        assert!(said.contains("up to date"), "{said}");
    }
    // The schema is there: the service's storage works on it without migrating.
    let storage = Storage::open(&url).await.unwrap();
    let mut tx = storage.read().await.unwrap();
    assert!(tx
        .account_by_email("nobody@example.fr")
        .await
        .unwrap()
        .is_none());
}
