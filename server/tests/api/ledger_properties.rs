//! The support-time ledger under random sequences of operations, on the test database
//! (an SQLite file, or PostgreSQL):
//! entries are only ever added, the balance is always their sum, and an entry is
//! cancelled at most once.

use account_api::details::ValidDetails;
use account_api::wire::AccountDetails;
use account_server::{
    ids::AccountId,
    storage::{LedgerRow, NewLedgerEntry, Storage, StorageError},
    support::{LedgerKind, Rounding},
};
use proptest::{prelude::*, test_runner::TestRunner};

use crate::helpers::{create_database, database_url, on_postgres};

#[derive(Debug, Clone)]
enum Op {
    /// A support call on account `account` (0 or 1), `worked` minutes as worked.
    SupportCall { account: usize, worked: i64 },
    /// Prepaid time bought.
    Credit { account: usize, minutes: i64 },
    /// Cancels the `pick`-th (modulo) entry that may still be cancelled.
    Reverse { pick: usize },
    /// Tries to cancel the `pick`-th (modulo) entry already cancelled.
    ReverseAgain { pick: usize },
    /// Tries to change or remove the `pick`-th (modulo) entry with raw SQL.
    Tamper { pick: usize, delete: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 1..=1440i64).prop_map(|(account, worked)| Op::SupportCall { account, worked }),
        2 => (0..2usize, 1..=6000i64).prop_map(|(account, minutes)| Op::Credit { account, minutes }),
        2 => any::<usize>().prop_map(|pick| Op::Reverse { pick }),
        1 => any::<usize>().prop_map(|pick| Op::ReverseAgain { pick }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(pick, delete)| Op::Tamper { pick, delete }),
    ]
}

async fn new_account(storage: &Storage, n: u64) -> AccountId {
    let details = ValidDetails::parse(&AccountDetails {
        email: format!("ledger-{n}@example.fr"),
        company_name: "Ledger SARL".into(),
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

/// A ledger entry of `minutes` by no particular agent.
pub(crate) fn entry<'a>(
    account_id: AccountId,
    kind: LedgerKind,
    minutes: i64,
) -> NewLedgerEntry<'a> {
    NewLedgerEntry {
        account_id,
        kind,
        minutes,
        worked_minutes: None,
        reference: "",
        note: "",
        agent_id: None,
        agent_name: "Property",
        reverses: None,
    }
}

/// Every entry of both accounts, as stored.
async fn all_entries(storage: &Storage, accounts: [AccountId; 2]) -> Vec<LedgerRow> {
    let mut tx = storage.read().await.unwrap();
    let mut rows = tx.ledger(accounts[0]).await.unwrap();
    rows.extend(tx.ledger(accounts[1]).await.unwrap());
    tx.commit().await.unwrap();
    rows.sort_by_key(|r| r.id);
    rows
}

/// Applies `ops` to two fresh accounts, checking the ledger after each one.
async fn check_sequence(
    storage: &Storage,
    url: &str,
    case: u64,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let rounding = Rounding::every(15);
    let accounts = [
        new_account(storage, case * 2).await,
        new_account(storage, case * 2 + 1).await,
    ];
    // What the ledger must read: every entry ever added, unchanged.
    let mut expected: Vec<LedgerRow> = Vec::new();
    let mut now = 1_700_000_000;
    for op in ops {
        now += 60;
        let reversed: Vec<i64> = expected.iter().filter_map(|e| e.reverses).collect();
        let open: Vec<&LedgerRow> = expected
            .iter()
            .filter(|e| e.kind != LedgerKind::Correction && !reversed.contains(&e.id))
            .collect();
        match op {
            Op::SupportCall { account, worked } => {
                let charged = rounding.charge(worked);
                prop_assert!(charged >= worked && charged - worked < 15 && charged % 15 == 0);
                let mut tx = storage.write().await.unwrap();
                let row = tx
                    .add_ledger_entry(
                        &NewLedgerEntry {
                            worked_minutes: Some(worked),
                            ..entry(accounts[account], LedgerKind::SupportCall, -charged)
                        },
                        now,
                    )
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                prop_assert_eq!(row.minutes, -charged);
                prop_assert_eq!(row.worked_minutes, Some(worked));
                expected.push(row);
            }
            Op::Credit { account, minutes } => {
                let mut tx = storage.write().await.unwrap();
                let row = tx
                    .add_ledger_entry(&entry(accounts[account], LedgerKind::Credit, minutes), now)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                expected.push(row);
            }
            Op::Reverse { pick } => {
                if open.is_empty() {
                    continue;
                }
                let target = open[pick % open.len()].clone();
                let mut tx = storage.write().await.unwrap();
                prop_assert!(!tx.is_reversed(target.id).await.unwrap());
                let row = tx
                    .add_ledger_entry(
                        &NewLedgerEntry {
                            reverses: Some(target.id),
                            ..entry(target.account_id, LedgerKind::Correction, -target.minutes)
                        },
                        now,
                    )
                    .await
                    .unwrap();
                prop_assert!(tx.is_reversed(target.id).await.unwrap());
                tx.commit().await.unwrap();
                expected.push(row);
            }
            Op::ReverseAgain { pick } => {
                if reversed.is_empty() {
                    continue;
                }
                let target_id = reversed[pick % reversed.len()];
                let target = expected.iter().find(|e| e.id == target_id).unwrap();
                let mut tx = storage.write().await.unwrap();
                let refused = tx
                    .add_ledger_entry(
                        &NewLedgerEntry {
                            reverses: Some(target.id),
                            ..entry(target.account_id, LedgerKind::Correction, -target.minutes)
                        },
                        now,
                    )
                    .await;
                prop_assert!(
                    matches!(refused, Err(StorageError::AlreadyReversed)),
                    "{:?}",
                    refused
                );
                // The transaction is still usable, and commits nothing new.
                tx.commit().await.unwrap();
            }
            Op::Tamper { pick, delete } => {
                if expected.is_empty() {
                    continue;
                }
                let target = &expected[pick % expected.len()];
                let pool = sqlx::AnyPool::connect(url).await.unwrap();
                let sql = if delete {
                    "DELETE FROM ledger_entries WHERE id = $1"
                } else {
                    "UPDATE ledger_entries SET minutes = minutes + 1 WHERE id = $1"
                };
                let refused = sqlx::query(sql).bind(target.id).execute(&pool).await;
                let message = match refused {
                    Err(sqlx::Error::Database(db)) => db.message().to_owned(),
                    other => return Err(TestCaseError::fail(format!("{sql}: {other:?}"))),
                };
                prop_assert!(
                    message.contains(if delete {
                        "never deleted"
                    } else {
                        "never edited"
                    }),
                    "{}",
                    message
                );
                // Nor a wholesale wipe.
                prop_assert!(sqlx::query("DELETE FROM ledger_entries")
                    .execute(&pool)
                    .await
                    .is_err());
                pool.close().await;
            }
        }

        // Every entry reads back exactly as added: none edited, none gone, none new.
        let stored = all_entries(storage, accounts).await;
        prop_assert_eq!(&stored, &expected);
        let mut tx = storage.read().await.unwrap();
        for account in accounts {
            let sum: i64 = expected
                .iter()
                .filter(|e| e.account_id == account)
                .map(|e| e.minutes)
                .sum();
            prop_assert_eq!(tx.balance(account).await.unwrap(), sum);
            // The recent support calls are the uncancelled ones, newest first.
            let reversed: Vec<i64> = expected.iter().filter_map(|e| e.reverses).collect();
            let mut support_calls: Vec<i64> = expected
                .iter()
                .filter(|e| {
                    e.account_id == account
                        && e.kind == LedgerKind::SupportCall
                        && !reversed.contains(&e.id)
                })
                .map(|e| e.id)
                .collect();
            support_calls.reverse();
            support_calls.truncate(5);
            let recent: Vec<i64> = tx
                .recent_support_calls(account, 5)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect();
            prop_assert_eq!(recent, support_calls);
        }
        tx.commit().await.unwrap();
    }
    Ok(())
}

#[test]
fn the_ledger_only_grows_and_its_sum_is_the_balance() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&data);
    runtime.block_on(create_database(&url));
    let storage = runtime.block_on(Storage::connect(&url)).unwrap();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    });
    let case = std::cell::Cell::new(0u64);
    runner
        .run(&proptest::collection::vec(op(), 1..=20), |ops| {
            case.set(case.get() + 1);
            runtime.block_on(check_sequence(&storage, &url, case.get(), ops))
        })
        .unwrap();
    runtime.block_on(storage.close());
}

/// No SQL of the service changes or removes a ledger entry: only INSERT names the table.
#[test]
fn no_statement_of_the_service_edits_or_deletes_ledger_entries() {
    let mut sources = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    assert!(sources.len() > 10);
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        // SQL is written on several lines: compare with whitespace collapsed.
        let flat = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        for forbidden in [
            "UPDATE LEDGER_ENTRIES",
            "DELETE FROM LEDGER_ENTRIES",
            "REPLACE INTO LEDGER_ENTRIES",
        ] {
            assert!(
                !flat.contains(forbidden),
                "{} has {forbidden}",
                path.display()
            );
        }
    }
}

/// `INSERT OR REPLACE` removes the row it collides with without firing delete triggers
/// (SQLite fires them only with `recursive_triggers` on), so the two triggers of the
/// migration do not stop it from rewriting an entry or dropping a correction. No
/// statement of the service does this (see above); the database should refuse it too.
#[tokio::test]
async fn insert_or_replace_cannot_rewrite_an_entry() {
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&data);
    create_database(&url).await;
    let storage = Storage::connect(&url).await.unwrap();
    let account = new_account(&storage, 1).await;
    let mut tx = storage.write().await.unwrap();
    let credit = tx
        .add_ledger_entry(&entry(account, LedgerKind::Credit, 600), 1_700_000_000)
        .await
        .unwrap();
    let correction = tx
        .add_ledger_entry(
            &NewLedgerEntry {
                reverses: Some(credit.id),
                ..entry(account, LedgerKind::Correction, -600)
            },
            1_700_000_001,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;

    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    // SQLite's INSERT OR REPLACE deletes the clashing row without firing delete
    // triggers; PostgreSQL's upsert updates it.
    let (replace, on_clash) = if on_postgres() {
        (
            "INSERT",
            " ON CONFLICT DO UPDATE SET minutes = excluded.minutes",
        )
    } else {
        ("INSERT OR REPLACE", "")
    };
    // The same id: the credit rewritten as 6000 minutes.
    let rewritten = sqlx::query(&format!(
        "{replace} INTO ledger_entries (id, account_id, at, kind, minutes, agent_name) \
         VALUES ($1, $2, 0, 'credit', 6000, 'x'){}",
        on_clash.replace("DO", "(id) DO")
    ))
    .bind(credit.id)
    .bind(account)
    .execute(&pool)
    .await;
    // The same `reverses`: the correction dropped for one of 0 minutes.
    let dropped = sqlx::query(&format!(
        "{replace} INTO ledger_entries (account_id, at, kind, minutes, agent_name, reverses) \
         VALUES ($1, 0, 'correction', 0, 'x', $2){}",
        on_clash.replace("DO", "(reverses) DO")
    ))
    .bind(account)
    .bind(credit.id)
    .execute(&pool)
    .await;
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, minutes FROM ledger_entries ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(rewritten.is_err() && dropped.is_err(), "{rows:?}");
    assert_eq!(rows, vec![(credit.id, 600), (correction.id, -600)]);
}
