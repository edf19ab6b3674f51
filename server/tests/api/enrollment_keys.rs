//! Enrollment keys in storage (issue 13, first part): uses are taken atomically, and a
//! key that cannot be used says why. On the test database (SQLite or PostgreSQL).

use account_api::{details::ValidDetails, wire::AccountDetails};
use account_server::{
    ids::AccountId,
    secrets::token_hash,
    storage::{KeyUse, NewEnrollmentKey, Storage},
};
use futures_util::future::join_all;

use crate::helpers::{create_database, database_url};

async fn storage() -> (tempfile::TempDir, Storage) {
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&data);
    create_database(&url).await;
    let storage = Storage::connect(&url).await.unwrap();
    (data, storage)
}

async fn new_account(storage: &Storage) -> AccountId {
    let details = ValidDetails::parse(&AccountDetails {
        email: "admin@example.fr".into(),
        company_name: "Parc Informatique SARL".into(),
        contact_first_name: "Marie".into(),
        contact_last_name: "Dupont".into(),
        phone: "0123456789".into(),
        siret: None,
        address: None,
        language: None,
    })
    .unwrap();
    let mut tx = storage.write().await.unwrap();
    let account = tx
        .insert_account(&details, "$argon2id$unused", 1_700_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    account.id
}

async fn new_key(
    storage: &Storage,
    account_id: AccountId,
    key: &str,
    uses: i64,
    expires_at: i64,
) -> i64 {
    let mut tx = storage.write().await.unwrap();
    let row = tx
        .insert_enrollment_key(
            &NewEnrollmentKey {
                account_id,
                key_hash: &token_hash(key),
                label: "Salle de formation",
                uses,
                expires_at,
                created_by: "password",
            },
            1_700_000_000,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    row.id
}

async fn use_key(storage: &Storage, key: &str, now: i64) -> KeyUse {
    let mut tx = storage.write().await.unwrap();
    let used = tx.use_enrollment_key(&token_hash(key), now).await.unwrap();
    tx.commit().await.unwrap();
    used
}

#[tokio::test]
async fn twenty_machines_at_once_on_a_key_with_one_use_left_link_exactly_one() {
    let (_data, storage) = storage().await;
    let account = new_account(&storage).await;
    new_key(&storage, account, "last-use", 1, i64::MAX).await;

    let uses = join_all((0..20).map(|_| use_key(&storage, "last-use", 1_700_000_100))).await;
    let taken = uses
        .iter()
        .filter(|u| matches!(u, KeyUse::Taken(_)))
        .count();
    let exhausted = uses.iter().filter(|u| **u == KeyUse::Exhausted).count();
    assert_eq!((taken, exhausted), (1, 19), "{uses:?}");
    let mut tx = storage.read().await.unwrap();
    assert_eq!(tx.enrollment_keys(account).await.unwrap()[0].uses_left, 0);
}

#[tokio::test]
async fn a_key_that_cannot_be_used_says_why() {
    let (_data, storage) = storage().await;
    let account = new_account(&storage).await;
    let now = 1_700_000_100;
    new_key(&storage, account, "expired", 10, now - 1).await;
    let revoked = new_key(&storage, account, "revoked", 10, now + 3600).await;
    new_key(&storage, account, "good", 2, now + 3600).await;

    let mut tx = storage.write().await.unwrap();
    assert!(tx
        .revoke_enrollment_key(account, revoked, now)
        .await
        .unwrap());
    assert!(!tx
        .revoke_enrollment_key(account, revoked, now)
        .await
        .unwrap());
    tx.commit().await.unwrap();

    assert_eq!(use_key(&storage, "no-such-key", now).await, KeyUse::Unknown);
    assert_eq!(use_key(&storage, "expired", now).await, KeyUse::Expired);
    assert_eq!(use_key(&storage, "revoked", now).await, KeyUse::Revoked);
    let KeyUse::Taken(key) = use_key(&storage, "good", now).await else {
        panic!("a good key is taken");
    };
    assert_eq!((key.uses_allowed, key.uses_left), (2, 1));
    assert!(matches!(
        use_key(&storage, "good", now).await,
        KeyUse::Taken(_)
    ));
    assert_eq!(use_key(&storage, "good", now).await, KeyUse::Exhausted);
}

// Through the API, with the real service and SMTP server.

mod api {
    use std::time::Duration;

    use account_api::wire::{EnrollmentKeyCreated, EnrollmentKeyView, LinkResponse};
    use account_server::enrollment::france_day;
    use futures_util::future::join_all;
    use reqwest::StatusCode;
    use serde_json::{json, Value};

    use crate::helpers::{error_of, machine, spawn_app, TestApp};

    async fn created(app: &TestApp, token: &str, body: Value) -> EnrollmentKeyCreated {
        let response = app.create_key(token, &body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn keys(app: &TestApp, token: &str) -> Vec<EnrollmentKeyView> {
        let response = app
            .client
            .get(app.url("/api/v1/account/enrollment-keys"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn linked_with(app: &TestApp, key: &str, n: u8) -> LinkResponse {
        let response = app.link_with_key(key, &machine(n), None, false).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn revoke(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
        app.client
            .delete(app.url(&format!("/api/v1/account/enrollment-keys/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_key_links_computers_silently_and_mails_one_digest_for_its_day() {
        let app = spawn_app().await;
        let email = "parc@example.fr";
        let (password, admin) = app.linked(email, &machine(1)).await;
        let key = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Salle de formation", "uses": 3 }),
        )
        .await;
        // Shown once: 30 characters in groups of five; the list never has it.
        assert_eq!(key.key.len(), 35, "{}", key.key);
        assert_eq!(key.enrollment_key.uses_left, 3);
        assert_eq!(key.enrollment_key.status, "active");
        let listed = serde_json::to_string(&keys(&app, &admin.token).await).unwrap();
        assert!(!listed.contains(&key.key));
        assert!(!listed.contains(&key.key.replace('-', "")));
        let stored = crate::helpers::database_contents(&app.data);
        assert!(!String::from_utf8_lossy(&stored).contains(&key.key.replace('-', "")));

        let second = linked_with(&app, &key.key, 2).await;
        // Pasted from a mail client: any case, spaces instead of dashes.
        let third = linked_with(&app, &key.key.to_lowercase().replace('-', " "), 3).await;
        assert_eq!(second.account.customer_id, admin.account.customer_id);
        assert_eq!(third.account.machines.len(), 3);
        app.account_view(&third.token).await;

        let listed = keys(&app, &admin.token).await;
        assert_eq!(listed[0].uses_left, 1);
        let names: Vec<&str> = listed[0]
            .uses
            .iter()
            .map(|u| u.machine_name.as_str())
            .collect();
        assert_eq!(names, ["POSTE-02", "POSTE-03"]);

        // Each use is in the history, with the key's label.
        let db = app.db().await;
        let details: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'machine_linked' ORDER BY id",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(details.len(), 3);
        assert!(details[1].contains("Salle de formation") && details[2].contains("POSTE-03"));

        // No mail per computer: the day's digest comes once the day is over.
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert!(app
            .smtp
            .mails_to(email)
            .iter()
            .all(|m| !m.text.contains("POSTE-02") && !m.text.contains("POSTE-03")));
        let yesterday = france_day(account_server::now() - 24 * 3600);
        sqlx::query("UPDATE enrollment_key_uses SET day = $1")
            .bind(&yesterday)
            .execute(&db)
            .await
            .unwrap();
        app.smtp
            .wait_for_mail_saying(email, "Salle de formation")
            .await;
        let digest = app
            .smtp
            .mails_to(email)
            .into_iter()
            .find(|m| m.subject.contains("Salle de formation"))
            .unwrap();
        assert!(
            digest.subject.contains("2 ordinateur(s)"),
            "{}",
            digest.subject
        );
        assert!(digest.text.contains("POSTE-02") && digest.text.contains("POSTE-03"));
        assert!(digest.text.contains("Utilisations restantes : 1"));
        assert!(!digest.text.contains(&key.key));
        // Once per key and day, however often the service looks.
        tokio::time::sleep(Duration::from_secs(11)).await;
        let digests = app
            .smtp
            .mails_to(email)
            .into_iter()
            .filter(|m| m.subject.contains("Salle de formation"))
            .count();
        assert_eq!(digests, 1);
    }

    #[tokio::test]
    async fn a_key_link_follows_the_password_links_rules() {
        let app = spawn_app().await;
        let (password, admin) = app.linked("regles@example.fr", &machine(1)).await;
        let key = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Réinstallations" }),
        )
        .await;
        assert_eq!(key.enrollment_key.uses_allowed, 10, "default uses");

        // A reimaged PC (same fingerprint, no token, no machine ID) gets its old record.
        let first = linked_with(&app, &key.key, 5).await;
        app.unlink(&first.token).await;
        let again = linked_with(&app, &key.key, 5).await;
        assert_eq!(again.machine_id, first.machine_id);

        // A clone (same fingerprint, the original still linked) is a second record, flagged.
        let clone = linked_with(&app, &key.key, 5).await;
        assert_ne!(clone.machine_id, again.machine_id);
        assert!(
            clone
                .account
                .machines
                .iter()
                .filter(|m| m.shares_identity)
                .count()
                == 2
        );

        // A machine linked to another account needs the move option; refused, the use
        // is given back.
        let (_, elsewhere) = app.linked("autre@example.fr", &machine(9)).await;
        let left = keys(&app, &admin.token).await[0].uses_left;
        let response = app
            .link_with_key(&key.key, &machine(9), Some(&elsewhere.token), false)
            .await;
        let (status, body) = error_of(response).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "machine_linked_elsewhere");
        assert_eq!(keys(&app, &admin.token).await[0].uses_left, left);
        let moved = app
            .link_with_key(&key.key, &machine(9), Some(&elsewhere.token), true)
            .await;
        assert_eq!(moved.status(), StatusCode::OK);
        let moved: LinkResponse = moved.json().await.unwrap();
        assert_eq!(moved.account.customer_id, admin.account.customer_id);
    }

    #[tokio::test]
    async fn each_refused_key_and_bad_field_says_why() {
        let app = spawn_app().await;
        let (password, admin) = app.linked("refus@example.fr", &machine(1)).await;

        let (status, body) = error_of(
            app.create_key(
                &admin.token,
                &json!({ "password": "", "label": " ", "uses": 0, "valid_days": 91 }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["label", "uses", "valid_days", "password"]);
        let (status, body) = error_of(
            app.create_key(
                &admin.token,
                &json!({ "password": "WRONG-PASS1-23456", "label": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
        );
        let (status, body) = error_of(
            app.create_key(
                "not-a-token",
                &json!({ "password": password, "label": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("not_linked"))
        );

        let refused = |response: reqwest::Response, code: &'static str, expected: StatusCode| async move {
            let (status, body) = error_of(response).await;
            assert_eq!(body["code"], code, "{body}");
            assert_eq!(status, expected);
        };
        refused(
            app.link_with_key(
                "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF",
                &machine(2),
                None,
                false,
            )
            .await,
            "enrollment_key_invalid",
            StatusCode::UNAUTHORIZED,
        )
        .await;
        let (status, body) =
            error_of(app.link_with_key("  ", &machine(2), None, false).await).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("enrollment_key"))
        );

        let one = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Une", "uses": 1 }),
        )
        .await;
        linked_with(&app, &one.key, 2).await;
        refused(
            app.link_with_key(&one.key, &machine(3), None, false).await,
            "enrollment_key_used_up",
            StatusCode::FORBIDDEN,
        )
        .await;

        let revoked = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Révoquée" }),
        )
        .await;
        assert_eq!(
            revoke(&app, &admin.token, revoked.enrollment_key.id)
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        refused(
            app.link_with_key(&revoked.key, &machine(3), None, false)
                .await,
            "enrollment_key_revoked",
            StatusCode::FORBIDDEN,
        )
        .await;
        refused(
            revoke(&app, &admin.token, revoked.enrollment_key.id).await,
            "enrollment_key_not_found",
            StatusCode::NOT_FOUND,
        )
        .await;
        // Another account's key cannot be revoked from here.
        let (other_password, other) = app.linked("voisin@example.fr", &machine(8)).await;
        let theirs = created(
            &app,
            &other.token,
            json!({ "password": other_password, "label": "Leur clé" }),
        )
        .await;
        refused(
            revoke(&app, &admin.token, theirs.enrollment_key.id).await,
            "enrollment_key_not_found",
            StatusCode::NOT_FOUND,
        )
        .await;

        let expired = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Expirée", "valid_days": 1 }),
        )
        .await;
        sqlx::query("UPDATE enrollment_keys SET expires_at = 1 WHERE id = $1")
            .bind(expired.enrollment_key.id)
            .execute(&app.db().await)
            .await
            .unwrap();
        refused(
            app.link_with_key(&expired.key, &machine(3), None, false)
                .await,
            "enrollment_key_expired",
            StatusCode::FORBIDDEN,
        )
        .await;
        let statuses: Vec<String> = keys(&app, &admin.token)
            .await
            .into_iter()
            .map(|k| k.status)
            .collect();
        assert_eq!(statuses, ["expired", "revoked", "used_up"]);
    }

    #[tokio::test]
    async fn twenty_computers_at_once_on_a_one_use_key_link_exactly_one() {
        let app = spawn_app().await;
        let (password, admin) = app.linked("course@example.fr", &machine(1)).await;
        let key = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Dernière", "uses": 1 }),
        )
        .await;
        let machines: Vec<_> = (0..20u8).map(|n| machine(100 + n)).collect();
        let attempts = machines
            .iter()
            .map(|m| app.link_with_key(&key.key, m, None, false));
        let mut linked = 0;
        let mut used_up = 0;
        for response in join_all(attempts).await {
            match response.status() {
                StatusCode::OK => linked += 1,
                _ => {
                    let (_, body) = error_of(response).await;
                    assert_eq!(body["code"], "enrollment_key_used_up", "{body}");
                    used_up += 1;
                }
            }
        }
        assert_eq!((linked, used_up), (1, 19));
        assert_eq!(app.account_view(&admin.token).await.machines.len(), 2);
    }

    #[tokio::test]
    async fn guessing_keys_is_limited_per_network_even_at_once() {
        let app = spawn_app().await;
        let (password, admin) = app.linked("devine@example.fr", &machine(1)).await;
        let key = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Vraie", "uses": 20 }),
        )
        .await;
        // A room behind one address using the real key is not held back by its own uses.
        for n in 2..14u8 {
            linked_with(&app, &key.key, n).await;
        }
        let guessed: Vec<String> = (0..15)
            .map(|n| format!("GUESS-{n:05}-AAAAA-BBBBB-CCCCC-DDDDD"))
            .collect();
        let stranger = machine(50);
        let guesses = guessed
            .iter()
            .map(|key| app.link_with_key(key, &stranger, None, false));
        let mut codes: Vec<String> = Vec::new();
        for response in join_all(guesses).await {
            let (_, body) = error_of(response).await;
            codes.push(body["code"].as_str().unwrap().to_owned());
        }
        let wrong = codes
            .iter()
            .filter(|c| *c == "enrollment_key_invalid")
            .count();
        let limited = codes.iter().filter(|c| *c == "rate_limited").count();
        assert_eq!((wrong, limited), (10, 5), "{codes:?}");
        // Past the limit, even the right key waits: a guesser learns nothing more.
        let (status, body) =
            error_of(app.link_with_key(&key.key, &machine(60), None, false).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
        );
        assert!(body["retry_after_seconds"].as_u64().unwrap() > 0);
    }

    #[tokio::test]
    async fn computers_not_seen_for_n_days_are_unlinked_in_one_step() {
        let app = spawn_app().await;
        let email = "inactifs@example.fr";
        let (password, admin) = app.linked(email, &machine(1)).await;
        let key = created(
            &app,
            &admin.token,
            json!({ "password": password, "label": "Parc" }),
        )
        .await;
        let old_a = linked_with(&app, &key.key, 2).await;
        let old_b = linked_with(&app, &key.key, 3).await;
        let recent = linked_with(&app, &key.key, 4).await;
        let db = app.db().await;
        let long_ago = account_server::now() - 40 * 24 * 3600;
        for id in [&old_a.machine_id, &old_b.machine_id, &admin.machine_id] {
            sqlx::query("UPDATE machines SET last_seen_at = $1 WHERE id = $2")
                .bind(long_ago)
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
        }
        let every_id: Vec<&str> = [&admin, &old_a, &old_b, &recent]
            .iter()
            .map(|l| l.machine_id.as_str())
            .collect();
        let unlink_stale = |body: Value| {
            app.client
                .post(app.url("/api/v1/account/machines/unlink-stale"))
                .bearer_auth(&admin.token)
                .json(&body)
                .send()
        };
        let (status, body) = error_of(
            unlink_stale(
                json!({ "password": password, "not_seen_days": 0, "machine_ids": every_id }),
            )
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("not_seen_days"))
        );
        let response = unlink_stale(
            json!({ "password": password, "not_seen_days": 30, "machine_ids": every_id }),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().await.unwrap();
        // The caller itself is kept however long unseen, and so is the recent one.
        let mut unlinked: Vec<String> = serde_json::from_value(answer["unlinked"].clone()).unwrap();
        unlinked.sort();
        let mut expected = vec![old_a.machine_id.clone(), old_b.machine_id.clone()];
        expected.sort();
        assert_eq!(unlinked, expected);
        assert_eq!(answer["account"]["machines"].as_array().unwrap().len(), 2);
        let (status, _) = error_of(app.account(&old_a.token).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.smtp
            .wait_for_mail_saying(email, "ont été déliés de votre compte")
            .await;
        let mail = app
            .smtp
            .mails_to(email)
            .into_iter()
            .find(|m| m.subject.contains("inactif"))
            .unwrap();
        assert!(
            mail.text.contains("POSTE-02") && mail.text.contains("POSTE-03"),
            "{}",
            mail.text
        );
        assert!(!mail.text.contains("POSTE-04"));
    }
}
