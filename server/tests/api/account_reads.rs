//! The account read served from an instance's memory (`account_reads`) is never stale:
//! whatever changes the account view — through another instance, an agent, or straight
//! in the database as another process would — the next read of every instance shows it.
//! Each test first reads through B several times, so B holds the view when A changes it.
//! On SQLite and on PostgreSQL (the test command runs both).

use std::{sync::Arc, time::Instant};

use crate::helpers::{machine, spawn_instances, TestApp};
use account_api::wire::AccountView;
use account_server::{
    ids::AccountId,
    secrets::{token_hash, ApiToken},
    storage::{NewLedgerEntry, Storage},
    support::LedgerKind,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// B reads the account a few times: from the second read on, it serves what it kept.
async fn read_often(b: &TestApp, token: &str) -> AccountView {
    let first = b.account_view(token).await;
    for _ in 0..3 {
        assert_eq!(b.account_view(token).await, first);
    }
    first
}

fn edit_body(view: &AccountView, password: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut details = serde_json::to_value(&view.details).unwrap();
    change(&mut details);
    json!({ "password": password, "version": view.version, "details": details })
}

async fn account_id(app: &TestApp, machine_id: &str) -> AccountId {
    let (id,): (i64,) = sqlx::query_as("SELECT account_id FROM machines WHERE id = $1")
        .bind(machine_id)
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    AccountId::new(id)
}

#[tokio::test]
async fn an_edit_and_a_pending_address_through_a_show_at_once_on_b() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let (password, link) = a.linked("edit-seen@example.fr", &machine(1)).await;
    let view = read_often(b, &link.token).await;

    let body = edit_body(&view, &password, |d| d["company_name"] = json!("Durand SA"));
    let edited = a.edit(&link.token, &body).await;
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: AccountView = edited.json().await.unwrap();
    assert_eq!(edited.details.company_name, "Durand SA");
    assert_eq!(read_often(b, &link.token).await, edited);

    // A new address waits for its code: B shows it pending at once.
    let body = edit_body(&edited, &password, |d| {
        d["email"] = json!("later@example.fr")
    });
    let pending = a.edit(&link.token, &body).await;
    assert_eq!(pending.status(), StatusCode::OK);
    let pending: AccountView = pending.json().await.unwrap();
    assert_eq!(pending.pending_email.as_deref(), Some("later@example.fr"));
    assert_eq!(read_often(b, &link.token).await, pending);
}

#[tokio::test]
async fn a_pending_address_that_expires_leaves_the_view_without_any_write() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let (password, link) = a.linked("expiring@example.fr", &machine(1)).await;
    let body = edit_body(&link.account, &password, |d| {
        d["email"] = json!("soon-gone@example.fr")
    });
    assert_eq!(a.edit(&link.token, &body).await.status(), StatusCode::OK);
    // The code expires in two seconds (a write: B's next read is a full one)...
    let expires_at = account_server::now() + 2;
    sqlx::query("UPDATE email_changes SET expires_at = $1")
        .bind(expires_at)
        .execute(&a.db().await)
        .await
        .unwrap();
    let view = read_often(b, &link.token).await;
    assert_eq!(view.pending_email.as_deref(), Some("soon-gone@example.fr"));
    // ...then nothing is written: once the time has passed, B shows no pending address.
    while account_server::now() <= expires_at {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let view = b.account_view(&link.token).await;
    assert_eq!(view.pending_email, None);
    assert_eq!(a.account_view(&link.token).await, view);
}

#[tokio::test]
async fn a_support_call_an_agent_logs_through_a_shows_at_once_on_b() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let (_, link) = a.linked("called@example.fr", &machine(1)).await;
    let view = read_often(b, &link.token).await;
    assert!(view.support_time.recent_sessions.is_empty());

    let token = agent_api_token(&a.storage().await).await;
    let logged = a
        .client
        .post(a.url(&format!(
            "/api/v1/support/accounts/{}/support-calls",
            link.account.customer_id
        )))
        .bearer_auth(&token)
        .json(&json!({ "minutes": 20, "note": "imprimante" }))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::CREATED);
    let view = read_often(b, &link.token).await;
    assert_eq!(view.support_time.recent_sessions.len(), 1);
    assert_eq!(view.support_time.balance_minutes, -30);
    assert_eq!(a.account_view(&link.token).await, view);
}

/// An agent and an API token for it, straight through the storage layer.
async fn agent_api_token(storage: &Storage) -> String {
    let token = ApiToken::generate();
    let mut tx = storage.write().await.unwrap();
    let agent = tx
        .insert_agent(
            "lea@support.example.fr",
            "Léa",
            "agent",
            "$argon2id$unused",
            "fr",
            1,
        )
        .await
        .unwrap();
    tx.insert_api_token(&token_hash(token.expose()), agent, "tests", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    token.into_inner()
}

#[tokio::test]
async fn an_unlink_and_a_relink_through_a_show_at_once_on_b() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let (password, first) = a.linked("relinked@example.fr", &machine(1)).await;
    let email = "relinked@example.fr";
    let second = a.link_ok(email, &password, &machine(2), None).await;
    assert_eq!(read_often(b, &second.token).await.machines.len(), 2);
    read_often(b, &first.token).await;

    // The second machine relinks (a new token for the same record): the old token reads
    // nothing on B, the new one reads the account.
    let relinked = a
        .link_ok(email, &password, &machine(2), Some(&second.token))
        .await;
    assert_eq!(relinked.machine_id, second.machine_id);
    assert_eq!(
        b.account(&second.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(read_often(b, &relinked.token).await.machines.len(), 2);

    // Unlinked from the first machine through A: refused by B, gone from B's list.
    let unlinked = a
        .unlink_other(&first.token, &second.machine_id, &password)
        .await;
    assert_eq!(unlinked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        b.account(&relinked.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let view = read_often(b, &first.token).await;
    assert_eq!(view.machines.len(), 1);
    // Linked again through A: B lists it again.
    let again = a.link_ok(email, &password, &machine(2), None).await;
    assert_eq!(read_often(b, &again.token).await.machines.len(), 2);
    assert_eq!(b.account_view(&first.token).await.machines.len(), 2);
}

/// What another process writes in the database (the `account-server` command line, the
/// console of another instance) shows at once: the service learns it from the database
/// alone.
#[tokio::test]
async fn changes_written_in_the_database_by_another_process_show_at_once() {
    let instances = spawn_instances(1).await;
    let app = &instances[0];
    let (_, link) = app.linked("outside@example.fr", &machine(1)).await;
    let account = account_id(app, &link.machine_id).await;
    read_often(app, &link.token).await;

    // Credit added through a storage of its own (as the console of another instance).
    let storage = app.storage().await;
    let mut tx = storage.write().await.unwrap();
    tx.add_ledger_entry(
        &NewLedgerEntry {
            account_id: account,
            kind: LedgerKind::Credit,
            minutes: 600,
            worked_minutes: None,
            reference: "FAC-1",
            note: "",
            agent_id: None,
            agent_name: "Admin",
            reverses: None,
        },
        1_700_000_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    assert_eq!(
        read_often(app, &link.token)
            .await
            .support_time
            .balance_minutes,
        600
    );

    // Plain SQL, as another program would write it: "last seen" moved, the name changed.
    let db = app.db().await;
    sqlx::query("UPDATE machines SET last_seen_at = last_seen_at + 30 WHERE id = $1")
        .bind(&link.machine_id)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE accounts SET company_name = 'Ailleurs SARL' WHERE id = $1")
        .bind(account.get())
        .execute(&db)
        .await
        .unwrap();
    let view = read_often(app, &link.token).await;
    assert_eq!(view.details.company_name, "Ailleurs SARL");
    let (last_seen,): (i64,) = sqlx::query_as("SELECT last_seen_at FROM machines WHERE id = $1")
        .bind(&link.machine_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        view.machines[0].last_seen_at,
        account_server::rfc3339(last_seen)
    );
    // The machine unlinked by plain SQL: its token reads nothing any more.
    sqlx::query("UPDATE machines SET token_hash = NULL WHERE id = $1")
        .bind(&link.machine_id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        app.account(&link.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Many reads in flight on B while A unlinks the reading machine: every read sent after
/// the unlink was answered is refused (none serves a view B kept from before).
#[tokio::test]
async fn no_read_that_starts_after_an_unlink_is_answered_returns_the_account() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let email = "racing@example.fr";
    let (password, first) = a.linked(email, &machine(1)).await;
    let second = a.link_ok(email, &password, &machine(2), None).await;
    read_often(b, &second.token).await;

    let unlinked_at: Arc<std::sync::OnceLock<Instant>> = Arc::default();
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let (client, url, token) = (
                b.client.clone(),
                b.url("/api/v1/account"),
                second.token.clone(),
            );
            let unlinked_at = unlinked_at.clone();
            tokio::spawn(async move {
                let mut after_unlink = 0;
                // Reads until 20 of them started after the unlink was answered.
                while after_unlink < 20 {
                    let sent = Instant::now();
                    let status = client
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .status();
                    if unlinked_at.get().is_some_and(|&at| sent > at) {
                        assert_eq!(status, StatusCode::UNAUTHORIZED, "a read after the unlink");
                        after_unlink += 1;
                    } else {
                        assert!(
                            [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(&status),
                            "{status}"
                        );
                    }
                }
            })
        })
        .collect();
    // Reads are in flight on B before the unlink is sent.
    for _ in 0..5 {
        assert_eq!(b.account(&first.token).await.status(), StatusCode::OK);
    }
    let unlinked = a
        .unlink_other(&first.token, &second.machine_id, &password)
        .await;
    assert_eq!(unlinked.status(), StatusCode::NO_CONTENT);
    unlinked_at.set(Instant::now()).unwrap();
    for reader in readers {
        reader.await.unwrap();
    }
}

/// Reads of several accounts at once share revision checks: each still gets its own
/// account, and a change to one shows while the others are served from memory.
#[tokio::test]
async fn reads_of_many_accounts_at_once_each_get_their_own_account() {
    let instances = spawn_instances(2).await;
    let (a, b) = (&instances[0], &instances[1]);
    let mut links = Vec::new();
    for n in 0..5u8 {
        let (password, link) = a
            .linked(&format!("many-{n}@example.fr"), &machine(n + 1))
            .await;
        read_often(b, &link.token).await;
        links.push((password, link));
    }
    let (password, changed) = &links[2];
    let body = edit_body(&changed.account, password, |d| {
        d["contact_last_name"] = json!("Martin")
    });
    assert_eq!(a.edit(&changed.token, &body).await.status(), StatusCode::OK);

    let reads = links
        .iter()
        .cycle()
        .take(40)
        .map(|(_, link)| async move { (link, b.account_view(&link.token).await) });
    for (link, view) in futures_util::future::join_all(reads).await {
        assert_eq!(view.customer_id, link.account.customer_id);
        let expected = if link.token == changed.token {
            "Martin"
        } else {
            "Dupont"
        };
        assert_eq!(view.details.contact_last_name, expected);
    }
}

/// One revision check asks about many accounts: padded to a power of two, split past
/// `REVISIONS_PER_CHECK`, each account answered with its own revision, none for an
/// account that does not exist.
#[tokio::test]
async fn a_revision_check_answers_every_account_asked_about() {
    let instances = spawn_instances(1).await;
    let storage = instances[0].storage().await;
    let mut stored = Vec::new();
    for n in 0..3 {
        let details =
            account_api::details::ValidDetails::parse(&account_api::wire::AccountDetails {
                email: format!("counted-{n}@example.fr"),
                company_name: "Dupont SARL".into(),
                contact_first_name: "Marie".into(),
                contact_last_name: "Dupont".into(),
                phone: "01 23 45 67 89".into(),
                siret: None,
                address: None,
                language: Some("fr".into()),
            })
            .expect("valid details");
        let mut tx = storage.write().await.unwrap();
        stored.push(
            tx.insert_account(&details, "$argon2id$unused", 1)
                .await
                .unwrap()
                .id,
        );
        tx.commit().await.unwrap();
    }
    // The second account changed twice since it was created.
    for _ in 0..2 {
        sqlx::query("UPDATE accounts SET phone = phone WHERE id = $1")
            .bind(stored[1].get())
            .execute(&instances[0].db().await)
            .await
            .unwrap();
    }
    let mut asked: Vec<AccountId> = (1_000_000..1_000_300).map(AccountId::new).collect();
    asked.insert(7, stored[0]);
    asked.push(stored[1]);
    asked.insert(260, stored[2]);
    let found = storage.read_revisions(&asked).await.unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[&stored[1]], found[&stored[0]] + 2);
    assert_eq!(found[&stored[2]], found[&stored[0]]);
    for count in [1, 2, 3, 5] {
        let found = storage
            .read_revisions(&stored[..count.min(3)])
            .await
            .unwrap();
        assert_eq!(found.len(), count.min(3));
    }
    storage.close().await;
}
