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
