//! The support JSON API, as integrations (telephony, helpdesk) use it with an agent's
//! API token; agents created the way admins do it, with `account-server agents …`.

use std::{
    io::Write as _,
    process::{Command, Output, Stdio},
};

use account_api::{
    domain::CustomerId,
    support::{LogSupportCall, LoggedSupportCall},
    wire::{AccountDetails, AccountView, EnrollmentKeyCreated, EnrollmentKeyView},
};
use account_server::{
    ids::AccountId,
    secrets::{token_hash, ApiToken},
    storage::{AccountRow, NewLedgerEntry, Storage},
    support::LedgerKind,
};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_of, machine, spawn_app, TestApp};

// --- helpers ---------------------------------------------------------------------------

/// Runs `account-server <args>` on the app's database, `stdin` as standard input.
fn admin_command(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_account-server"))
        .current_dir(app.data.path())
        .arg("--database-url")
        .arg(app.database_url())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `agents add --generate-password`: the password printed once.
fn add_agent_with_binary(app: &TestApp, email: &str, name: &str) -> String {
    let output = admin_command(
        app,
        &[
            "agents",
            "add",
            "--email",
            email,
            "--name",
            name,
            "--generate-password",
        ],
        None,
    );
    assert!(output.status.success(), "agents add: {}", stderr(&output));
    let out = stdout(&output);
    out.lines()
        .find_map(|l| l.strip_prefix("Password (shown only now): "))
        .unwrap_or_else(|| panic!("no password in {out}"))
        .trim()
        .to_owned()
}

/// `agents token`: the token printed once, on the last line.
fn token_with_binary(app: &TestApp, email: &str, label: &str) -> String {
    let output = admin_command(
        app,
        &["agents", "token", "--email", email, "--label", label],
        None,
    );
    assert!(output.status.success(), "agents token: {}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("shown only now"), "{out}");
    out.trim().lines().last().unwrap().trim().to_owned()
}

/// An agent and an API token for it, straight through the storage layer.
async fn api_token(app: &TestApp, email: &str, name: &str) -> String {
    api_token_with_role(app, email, name, "agent").await
}

/// An agent of `role` (`agent` or `admin`) and an API token for it.
async fn api_token_with_role(app: &TestApp, email: &str, name: &str, role: &str) -> String {
    let storage = app.storage().await;
    let token = ApiToken::generate();
    let mut tx = storage.write().await.unwrap();
    let agent = tx
        .insert_agent(email, name, role, "$argon2id$unused", "fr", 1_700_000_000)
        .await
        .unwrap();
    tx.insert_api_token(&token_hash(token.expose()), agent, "tests", 1_700_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    token.into_inner()
}

/// An account stored directly, with the details a search looks at.
async fn seed_account(
    storage: &Storage,
    email: &str,
    company: &str,
    contact: (&str, &str),
    phone: &str,
    siret: Option<&str>,
) -> AccountRow {
    let details = account_api::details::ValidDetails::parse(&AccountDetails {
        email: email.into(),
        company_name: company.into(),
        contact_first_name: contact.0.into(),
        contact_last_name: contact.1.into(),
        phone: phone.into(),
        siret: siret.map(str::to_owned),
        address: None,
        language: Some("fr".into()),
    })
    .expect("valid details");
    let mut tx = storage.write().await.unwrap();
    let account = tx
        .insert_account(&details, "$argon2id$unused", 1_700_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    account
}

fn customer_id_of(account: &AccountRow) -> String {
    CustomerId::from_sequence(account.id.get() as u64 + 1000).to_string()
}

/// The ID with one digit misheard (so its check digit no longer matches).
fn misheard(id: &str) -> String {
    let mut digits: Vec<u8> = id.bytes().collect();
    let i = digits.len() / 2;
    digits[i] = if digits[i] == b'9' {
        b'1'
    } else {
        digits[i] + 1
    };
    String::from_utf8(digits).unwrap()
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn find(app: &TestApp, token: &str, q: &str) -> Value {
    let url =
        reqwest::Url::parse_with_params(&app.url("/api/v1/support/accounts"), [("q", q)]).unwrap();
    let response = app.client.get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "q = {q:?}: {body}");
    body
}

/// The customer IDs a search returned, in order.
async fn found_ids(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    find(app, token, q).await["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["customer_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn log_support_call(app: &TestApp, token: &str, customer_id: &str, body: &Value) -> Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/support/accounts/{customer_id}/support-calls"
        )))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn ledger_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
}

/// Every support API route, with `customer_id` filled in, as (method, path).
fn support_routes(customer_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GET", "/api/v1/support/accounts?q=dupont".to_owned()),
        ("GET", format!("/api/v1/support/accounts/{customer_id}")),
        (
            "GET",
            format!("/api/v1/support/accounts/{customer_id}/balance"),
        ),
        (
            "POST",
            format!("/api/v1/support/accounts/{customer_id}/support-calls"),
        ),
        (
            "POST",
            format!("/api/v1/support/accounts/{customer_id}/sessions"),
        ),
    ]
}

async fn assert_token_refused(app: &TestApp, token: Option<&str>, customer_id: &str) {
    for (method, path) in support_routes(customer_id) {
        let mut request = app
            .client
            .request(method.parse().unwrap(), app.url(&path))
            .json(&json!({ "minutes": 17 }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("support_token_required")),
            "{method} {path} with {token:?}: {body}"
        );
    }
}

// --- tokens and agents ------------------------------------------------------------------

#[tokio::test]
async fn the_support_api_needs_the_token_of_an_enabled_agent() {
    let app = spawn_app().await;
    let storage = app.storage().await;
    let account = seed_account(
        &storage,
        "marie@dupont-batiment.fr",
        "Dupont Bâtiment SARL",
        ("Marie", "Dupont"),
        "01 23 45 67 89",
        None,
    )
    .await;
    storage.close().await;
    let id = customer_id_of(&account);

    assert_token_refused(&app, None, &id).await;
    assert_token_refused(&app, Some("made-up-token"), &id).await;
    // A machine token of the desktop app is not a support token.
    let (_, link) = app.linked("desktop@example.fr", &machine(1)).await;
    assert_token_refused(&app, Some(&link.token), &id).await;

    // Made as admins make them.
    add_agent_with_binary(&app, "Lea@Support.example.fr", "Léa Martin");
    let token = token_with_binary(&app, "lea@support.example.fr", "telephony");
    let response = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(found_ids(&app, &token, &id).await, vec![id.clone()]);

    let output = admin_command(
        &app,
        &["agents", "disable", "--email", "lea@support.example.fr"],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_token_refused(&app, Some(&token), &id).await;
    // Nor can a disabled agent be given a new token.
    let output = admin_command(
        &app,
        &[
            "agents",
            "token",
            "--email",
            "lea@support.example.fr",
            "--label",
            "again",
        ],
        None,
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no agent"), "{}", stderr(&output));
    assert_eq!(ledger_count(&app).await, 0);
}

#[tokio::test]
async fn agents_add_refuses_bad_input_with_a_clear_message() {
    let app = spawn_app().await;
    let add = |email: &'static str| -> Vec<&'static str> {
        vec!["agents", "add", "--email", email, "--name", "Paul Durand"]
    };

    let output = admin_command(&app, &add("paul.durand@"), Some("a long enough password\n"));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("invalid e-mail address"),
        "{}",
        stderr(&output)
    );

    let output = admin_command(&app, &add("paul@support.example.fr"), Some("short\n"));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("at least 12 characters"),
        "{}",
        stderr(&output)
    );

    let output = admin_command(&app, &add("paul@support.example.fr"), Some(""));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no password on standard input"),
        "{}",
        stderr(&output)
    );

    let output = admin_command(
        &app,
        &add("paul@support.example.fr"),
        Some("correct horse battery staple\n"),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("paul@support.example.fr added"));
    // The typed password is not echoed back.
    assert!(!stdout(&output).contains("correct horse"));

    // Same address, other case: still the same agent.
    let output = admin_command(
        &app,
        &add("Paul@Support.Example.fr"),
        Some("another long password\n"),
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("already has this e-mail address"),
        "{}",
        stderr(&output)
    );

    let output = admin_command(&app, &["agents", "list"], None);
    assert!(output.status.success());
    let listed = stdout(&output);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.starts_with("paul@support.example.fr\tPaul Durand\tagent\tactive"));
}

#[tokio::test]
async fn generated_passwords_and_tokens_are_never_stored_in_clear() {
    let app = spawn_app().await;
    let password = add_agent_with_binary(&app, "nina@support.example.fr", "Nina Roux");
    let token = token_with_binary(&app, "nina@support.example.fr", "helpdesk");
    let output = admin_command(
        &app,
        &[
            "agents",
            "password",
            "--email",
            "nina@support.example.fr",
            "--generate-password",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let second_password = stdout(&output)
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only now): "))
        .unwrap()
        .trim()
        .to_owned();
    assert_ne!(password, second_password);
    assert!(password.len() >= 12 && token.len() >= 20);

    let db = app.db().await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM agents")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let stored_token: String = sqlx::query_scalar("SELECT token_hash FROM agent_api_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored_token, token_hash(&token));
    db.close().await;

    // Nowhere in the database's files, written pages or not yet checkpointed ones.
    let mut files = 0;
    for entry in std::fs::read_dir(app.data.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("accounts.db") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        for secret in [&password, &second_password, &token] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret in clear in {name}"
            );
        }
    }
    assert!(files >= 1);
}

// --- finding accounts -------------------------------------------------------------------

/// Three accounts a search must tell apart.
async fn three_accounts(app: &TestApp) -> [AccountRow; 3] {
    let storage = app.storage().await;
    let dupont = seed_account(
        &storage,
        "marie.dupont@dupont-batiment.fr",
        "Dupont Bâtiment SARL",
        ("Marie", "Dupont"),
        "01 23 45 67 89",
        Some("732 829 320 00074"),
    )
    .await;
    let helene = seed_account(
        &storage,
        "contact@boulangerie-helene.fr",
        "Boulangerie Hélène",
        ("Hélène", "Lefèvre"),
        "06 12 34 56 78",
        None,
    )
    .await;
    let garage = seed_account(
        &storage,
        "garage.dupuis@orange.fr",
        "Garage Dupuis et Fils",
        ("Jean", "Dupuis"),
        "+33 4 78 00 00 01",
        Some("55210055400013"),
    )
    .await;
    storage.close().await;
    [dupont, helene, garage]
}

#[tokio::test]
async fn agents_find_an_account_by_whatever_the_caller_gives() {
    let app = spawn_app().await;
    let [dupont, helene, garage] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let (d, h, g) = (
        customer_id_of(&dupont),
        customer_id_of(&helene),
        customer_id_of(&garage),
    );

    // The customer ID, as read aloud or as typed.
    let body = find(&app, &token, &d).await;
    assert_eq!(body["check_digit_mismatch"], false);
    assert_eq!(body["accounts"].as_array().unwrap().len(), 1);
    let first = &body["accounts"][0];
    assert_eq!(first["customer_id"], d.as_str());
    assert_eq!(first["company_name"], "Dupont Bâtiment SARL");
    assert_eq!(first["contact_name"], "Marie Dupont");
    assert_eq!(first["email"], "marie.dupont@dupont-batiment.fr");
    assert_eq!(first["phone"], "0123456789");
    assert_eq!(first["siret"], "73282932000074");
    assert_eq!(first["balance_minutes"], 0);
    let grouped = CustomerId::parse(&h).unwrap().grouped();
    assert_eq!(found_ids(&app, &token, &grouped).await, vec![h.clone()]);

    // A misheard digit: said so, and the right account among those one slip away.
    let body = find(&app, &token, &misheard(&g)).await;
    assert_eq!(body["check_digit_mismatch"], true, "{body}");
    let near: Vec<&str> = body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["customer_id"].as_str().unwrap())
        .collect();
    assert!(near.contains(&g.as_str()), "{near:?}");
    // Two neighbouring digits swapped.
    let mut swapped: Vec<u8> = d.bytes().collect();
    let i = (0..swapped.len() - 1)
        .find(|&i| swapped[i] != swapped[i + 1])
        .unwrap();
    swapped.swap(i, i + 1);
    let body = find(&app, &token, std::str::from_utf8(&swapped).unwrap()).await;
    if body["check_digit_mismatch"] == true {
        assert!(body["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["customer_id"] == d.as_str()));
    }

    // The beginning of the e-mail address, any case.
    assert_eq!(
        found_ids(&app, &token, "Marie.Dupont@").await,
        vec![d.clone()]
    );
    assert_eq!(
        found_ids(&app, &token, "garage.dupuis@orange.fr").await,
        vec![g.clone()]
    );

    // Words of the company name, case and accents ignored, in any order.
    assert_eq!(found_ids(&app, &token, "BATIMENT").await, vec![d.clone()]);
    assert_eq!(
        found_ids(&app, &token, "batîment dupont").await,
        vec![d.clone()]
    );
    assert_eq!(found_ids(&app, &token, "helene").await, vec![h.clone()]);
    assert_eq!(
        found_ids(&app, &token, "boulangerie HÉLÈNE").await,
        vec![h.clone()]
    );
    assert_eq!(
        found_ids(&app, &token, "fils dupuis").await,
        vec![g.clone()]
    );
    // Part of a word, and the contact's name.
    assert_eq!(found_ids(&app, &token, "lefev").await, vec![h.clone()]);
    let mut both = found_ids(&app, &token, "dup").await;
    both.sort();
    let mut expected = vec![d.clone(), g.clone()];
    expected.sort();
    assert_eq!(both, expected);
    assert!(found_ids(&app, &token, "plomberie").await.is_empty());

    // The phone, however it is spaced.
    for typed in [
        "01 23 45 67 89",
        "0123456789",
        "01.23.45.67.89",
        "01-23-45-67-89",
    ] {
        assert_eq!(
            found_ids(&app, &token, typed).await,
            vec![d.clone()],
            "{typed}"
        );
    }
    assert_eq!(
        found_ids(&app, &token, "06 12 34 56 78").await,
        vec![h.clone()]
    );
    assert_eq!(
        found_ids(&app, &token, "+33 4 78 00 00 01").await,
        vec![g.clone()]
    );

    // The SIRET, spaced or not.
    assert_eq!(
        found_ids(&app, &token, "732 829 320 00074").await,
        vec![d.clone()]
    );
    assert_eq!(
        found_ids(&app, &token, "55210055400013").await,
        vec![g.clone()]
    );

    // Too little to search on.
    let response = app
        .client
        .get(app.url("/api/v1/support/accounts?q=ab"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("query_too_short"))
    );
}

/// A name search takes shortcuts on SQLite (the rarest trigrams, then a check of each
/// row); whatever the accents, ligatures and scripts, it finds exactly the accounts the
/// full-text index finds for the words themselves (PostgreSQL: the LIKE on the folded
/// text), every one of them when they are few, the first by id when they are many.
#[tokio::test]
async fn a_name_search_finds_exactly_what_the_index_finds() {
    let app = spawn_app().await;
    let storage = app.storage().await;
    let companies = [
        "Boulangerie Hélène",
        "ÉLECTRICITÉ GÉNÉRALE",
        "Œuvres de Saint-Étienne",
        "Łukasz Nowak Transports",
        "Nguyễn Phở",
        "Øster Straße",
        "Cave d'Angers",
        "Garage Dupont et Fils",
        "Façades Müller",
        "Ÿvonne Çà et Là",
    ];
    let firsts = ["Hélène", "Ǖlrich", "Jean", "Zoë", "Ĳsbrand"];
    let lasts = ["Lefèvre", "Dupont", "Guérin", "Ðorđević", "Ångström"];
    let mut tx = storage.write().await.unwrap();
    for n in 0..260 {
        let details = account_api::details::ValidDetails::parse(&AccountDetails {
            email: format!("c{n}@{}.fr", ["dupont", "helene", "etienne"][n % 3]),
            company_name: format!("{} {}", companies[n % companies.len()], n % 7),
            contact_first_name: firsts[n % firsts.len()].into(),
            contact_last_name: lasts[(n / 5) % lasts.len()].into(),
            phone: "01 23 45 67 89".into(),
            siret: None,
            address: None,
            language: Some("fr".into()),
        })
        .expect("valid details");
        tx.insert_account(&details, "$argon2id$unused", 1_700_000_000)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let db = app.db().await;
    let postgres = test_support::service::on_postgres();
    let long_word = format!("{} fils", "dupont".repeat(200));
    for typed in [
        "dup",
        "DUPONT fils",
        "helene",
        "HÉLÈNE lef",
        "éti",
        "saint-étienne",
        "oeuv",
        "œuvres",
        "łuk",
        "luk",
        "nguy",
        "phở",
        "pho",
        "straße",
        "strasse",
        "ster",
        "d'ang",
        "angers",
        "ric",
        "général",
        "cade",
        "müller",
        "mul",
        "zoë",
        "zoe",
        "ǖlr",
        "ulrich",
        "ĳsb",
        "ðor",
        "orđ",
        "ångs",
        "angstrom",
        "ÿvo",
        "yvonne",
        "çà",
        "ca et",
        "c1@",
        "fr dup",
        "guérin 3",
        "xyz",
        // What a caller types is never full-text syntax: quotes, operators, prefixes,
        // columns, NUL and other control bytes, very long words, pictographs.
        "\"dupont\" fils",
        "\"dupont fils",
        "dup* fils",
        "dupont OR fils",
        "dupont AND fils",
        "NEAR(dupont fils)",
        "-dupont fils",
        "^dupont fils",
        "company_name: dupont",
        "{dupont} fils",
        "dup\u{0}ont fils",
        "dupont \u{7}fils",
        "🏠 dupont",
        "dupont 🏠",
        long_word.as_str(),
    ] {
        // Control characters part words, as the service's query parsing does.
        let words: Vec<String> = typed
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let mut expected: Vec<i64> = Vec::new();
        if postgres {
            let mut ids: Option<Vec<i64>> = None;
            for word in &words {
                let found: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM accounts \
                     WHERE search_text LIKE '%' || account_search_fold($1) || '%' ORDER BY id",
                )
                .bind(word)
                .fetch_all(&db)
                .await
                .unwrap();
                ids = Some(match ids {
                    None => found,
                    Some(ids) => ids.into_iter().filter(|id| found.contains(id)).collect(),
                });
            }
            expected = ids.unwrap();
        } else {
            let query = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ");
            expected.extend(
                sqlx::query_scalar::<_, i64>(
                    "SELECT rowid FROM accounts_search WHERE accounts_search MATCH $1 \
                     ORDER BY rowid",
                )
                .bind(query)
                .fetch_all(&db)
                .await
                .unwrap(),
            );
        }
        let mut tx = storage.read().await.unwrap();
        let (accounts, many) = tx.accounts_by_text(&words, 200).await.unwrap();
        tx.commit().await.unwrap();
        let mut found: Vec<i64> = accounts.iter().map(|a| a.id.get()).collect();
        assert_eq!(many, expected.len() > 200, "{typed:?}");
        if many {
            // The first ones by id, unranked (PostgreSQL: in the order of its scan).
            if !postgres {
                assert_eq!(found, expected[..200], "{typed:?}");
            }
        } else {
            found.sort();
            assert_eq!(found, expected, "{typed:?}");
        }
    }
    storage.close().await;
}

/// The telephony integration passes the caller's number as it arrives (+33…); the
/// customer may have registered it as dialled in France (0…), or the other way round.
#[tokio::test]
async fn a_french_number_is_found_in_either_of_its_forms() {
    let app = spawn_app().await;
    let [dupont, _, garage] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    assert_eq!(
        found_ids(&app, &token, "+33123456789").await,
        vec![customer_id_of(&dupont)]
    );
    assert_eq!(
        found_ids(&app, &token, "+33 (0)1 23 45 67 89").await,
        vec![customer_id_of(&dupont)]
    );
    assert_eq!(
        found_ids(&app, &token, "04 78 00 00 01").await,
        vec![customer_id_of(&garage)]
    );
}

#[tokio::test]
async fn reading_an_account_tells_an_unknown_id_from_a_misheard_one() {
    let app = spawn_app().await;
    let [dupont, ..] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let id = customer_id_of(&dupont);

    let response = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["customer_id"], id.as_str());
    assert_eq!(body["company_name"], "Dupont Bâtiment SARL");
    assert_eq!(body["balance_minutes"], 0);

    let response = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}/balance"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "customer_id": id, "balance_minutes": 0 }));

    // Valid IDs of no account: far beyond the last one, and below the first one.
    for unknown in [
        CustomerId::from_sequence(987_654).to_string(),
        CustomerId::from_sequence(999).to_string(),
    ] {
        for path in [
            format!("/api/v1/support/accounts/{unknown}"),
            format!("/api/v1/support/accounts/{unknown}/balance"),
        ] {
            let (status, body) = error_of(get(&app, Some(&token), &path).await).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{path}: {body}"
            );
        }
    }

    let wrong = misheard(&id);
    let (status, body) = error_of(
        get(
            &app,
            Some(&token),
            &format!("/api/v1/support/accounts/{wrong}"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("customer_id_check_digit")
        ),
        "{body}"
    );
    assert_eq!(body["field"], "customer_id");
    assert_eq!(body["errors"][0]["code"], "customer_id_check_digit");

    let (status, body) = error_of(
        get(
            &app,
            Some(&token),
            "/api/v1/support/accounts/not-an-id/balance",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_customer_id")
        )
    );
}

// --- logging support time ---------------------------------------------------------------

/// `…/sessions`, the route's name before the glossary's "support call", still logs one,
/// and the document marks it deprecated in favour of `…/support-calls`.
#[tokio::test]
async fn the_former_sessions_route_still_logs_a_support_call() {
    let app = spawn_app().await;
    let [dupont, ..] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let id = customer_id_of(&dupont);

    let response = app
        .client
        .post(app.url(&format!("/api/v1/support/accounts/{id}/sessions")))
        .bearer_auth(&token)
        .json(&json!({ "minutes": 17, "note": "ligne\nsuivante" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // An integration reads the answer with the shared wire types.
    let logged: LoggedSupportCall = response.json().await.unwrap();
    assert_eq!(logged.entry.minutes, -30);
    assert_eq!(logged.entry.note, "ligne\nsuivante");
    let call = LogSupportCall {
        minutes: 15,
        note: String::new(),
    };
    let response = log_support_call(&app, &token, &id, &json!(call)).await;
    let logged: LoggedSupportCall = response.json().await.unwrap();
    assert_eq!(logged.balance_minutes, -45);

    let doc: Value = get(&app, None, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    let former = &paths["/api/v1/support/accounts/{customer_id}/sessions"]["post"];
    let current = &paths["/api/v1/support/accounts/{customer_id}/support-calls"]["post"];
    assert_eq!(former["deprecated"], true);
    assert!(current.get("deprecated").is_none(), "{current}");
    assert_eq!(former["requestBody"], current["requestBody"]);
}

#[tokio::test]
async fn a_support_call_is_charged_by_started_quarter_hour_and_may_overdraw() {
    let app = spawn_app().await;
    let [dupont, ..] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let id = customer_id_of(&dupont);

    let response = log_support_call(
        &app,
        &token,
        &id,
        &json!({ "minutes": 17, "note": "  Imprimante réseau  " }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let logged: Value = response.json().await.unwrap();
    assert_eq!(logged["entry"]["kind"], "session");
    assert_eq!(logged["entry"]["minutes"], -30);
    assert_eq!(logged["entry"]["worked_minutes"], 17);
    assert_eq!(logged["entry"]["note"], "Imprimante réseau");
    assert_eq!(logged["entry"]["agent"], "Léa Martin");
    assert_eq!(logged["entry"]["reverses"], Value::Null);
    assert_eq!(logged["balance_minutes"], -30);

    let response = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}/balance"),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["balance_minutes"], -30);
    let body = find(&app, &token, &id).await;
    assert_eq!(body["accounts"][0]["balance_minutes"], -30);

    // A whole quarter hour is charged as worked; the balance keeps going down.
    let response = log_support_call(&app, &token, &id, &json!({ "minutes": 45 })).await;
    let logged: Value = response.json().await.unwrap();
    assert_eq!(logged["entry"]["minutes"], -45);
    assert_eq!(logged["balance_minutes"], -75);

    let storage = app.storage().await;
    let mut tx = storage.read().await.unwrap();
    let rows = tx.ledger(dupont.id).await.unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].account_id, dupont.id);
    assert_eq!(
        (rows[0].kind, rows[0].minutes),
        (LedgerKind::SupportCall, -30)
    );
    assert_eq!(rows[0].worked_minutes, Some(17));
    assert_eq!(rows[0].agent_name, "Léa Martin");
    assert!(rows[0].agent_id.is_some());
    let db = app.db().await;
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'support_session_logged' \
         AND actor = 'api:lea@support.example.fr'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn an_invalid_duration_writes_nothing() {
    let app = spawn_app().await;
    let [dupont, ..] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let id = customer_id_of(&dupont);

    let cases = [
        (
            json!({ "minutes": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({ "minutes": -15 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({ "minutes": 2000 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({ "minutes": 1441 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({ "note": "forgot the time" }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            json!({ "minutes": "17" }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            json!({ "minutes": 17.5 }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            json!({ "minutes": 17, "charged": 0 }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            json!({ "minutes": 17, "note": "x".repeat(2001) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
        ),
        // The console's rule too: line breaks yes, other control characters no.
        (
            json!({ "minutes": 17, "note": "appel\u{7} bip" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control_characters",
        ),
    ];
    for (body, status, code) in cases {
        let (got, error) = error_of(log_support_call(&app, &token, &id, &body).await).await;
        assert_eq!(
            (got, error["code"].as_str()),
            (status, Some(code)),
            "{body}: {error}"
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            let field = if matches!(code, "too_long" | "control_characters") {
                "note"
            } else {
                "minutes"
            };
            assert_eq!(error["field"], field, "{error}");
            assert_eq!(error["errors"][0]["field"], field);
            assert_eq!(error["errors"][0]["code"], code);
        }
    }
    // Not JSON at all.
    let response = app
        .client
        .post(app.url(&format!("/api/v1/support/accounts/{id}/support-calls")))
        .bearer_auth(&token)
        .body("minutes=17")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{error}");
    // A misheard ID.
    let (status, error) =
        error_of(log_support_call(&app, &token, &misheard(&id), &json!({ "minutes": 17 })).await)
            .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("customer_id_check_digit")
        )
    );

    assert_eq!(ledger_count(&app).await, 0);
    let body: Value = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}/balance"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["balance_minutes"], 0);
}

#[tokio::test]
async fn the_desktop_app_shows_the_balance_and_latest_support_calls_from_the_ledger() {
    let app = spawn_app().await;
    let (_, link) = app.linked("desktop@example.fr", &machine(1)).await;
    assert_eq!(link.account.support_time.balance_minutes, 0);
    assert!(link.account.support_time.recent_sessions.is_empty());
    let id = link.account.customer_id.clone();
    let account_id = AccountId::new(CustomerId::parse(&id).unwrap().sequence() as i64 - 1000);
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;

    // Ten hours bought, as the console records a credit.
    let storage = app.storage().await;
    let mut tx = storage.write().await.unwrap();
    tx.add_ledger_entry(
        &NewLedgerEntry {
            account_id,
            kind: LedgerKind::Credit,
            minutes: 600,
            worked_minutes: None,
            reference: "FAC-2026-001",
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

    let mut logged = Vec::new();
    for (i, minutes) in [17, 5, 60, 31, 15, 90, 1].into_iter().enumerate() {
        let response = log_support_call(
            &app,
            &token,
            &id,
            &json!({ "minutes": minutes, "note": format!("appel {i}") }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        logged.push(body["entry"].clone());
    }
    // The 90-minute one was a mistake: a correction cancels it.
    let mistaken = &logged[5];
    let mut tx = storage.write().await.unwrap();
    tx.add_ledger_entry(
        &NewLedgerEntry {
            account_id,
            kind: LedgerKind::Correction,
            minutes: 90,
            worked_minutes: None,
            reference: "",
            note: "wrong account",
            agent_id: None,
            agent_name: "Admin",
            reverses: Some(mistaken["id"].as_i64().unwrap()),
        },
        1_700_000_100,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;

    // Charged: 30 + 15 + 60 + 45 + 15 + 90 + 15 = 270, of which 90 given back.
    let view: AccountView = app.account_view(&link.token).await;
    assert_eq!(view.support_time.balance_minutes, 600 - 270 + 90);
    let recent: Vec<(i64, &str)> = view
        .support_time
        .recent_sessions
        .iter()
        .map(|s| (s.minutes, s.note.as_str()))
        .collect();
    // Newest first, the cancelled one left out, five at most; minutes as charged.
    assert_eq!(
        recent,
        vec![
            (15, "appel 6"),
            (15, "appel 4"),
            (45, "appel 3"),
            (60, "appel 2"),
            (15, "appel 1"),
        ]
    );
    assert!(view
        .support_time
        .recent_sessions
        .iter()
        .all(|s| s.agent == "Léa Martin" && s.at.ends_with('Z')));

    // The support API agrees.
    let body: Value = get(
        &app,
        Some(&token),
        &format!("/api/v1/support/accounts/{id}/balance"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["balance_minutes"], 420);
}

// --- nothing edits the ledger -----------------------------------------------------------

#[tokio::test]
async fn no_route_edits_or_deletes_a_ledger_entry() {
    for (method, path) in &account_server::routes::api_paths() {
        // Revoking an enrollment key (DELETE) touches no ledger entry.
        if path.starts_with("/api/v1/support") && !path.contains("/enrollment-keys/") {
            assert!(
                matches!(*method, "get" | "post"),
                "{method} {path}: the support API only reads and adds"
            );
        }
    }

    let app = spawn_app().await;
    let [dupont, ..] = three_accounts(&app).await;
    let token = api_token(&app, "lea@support.example.fr", "Léa Martin").await;
    let id = customer_id_of(&dupont);
    let response = log_support_call(&app, &token, &id, &json!({ "minutes": 20 })).await;
    let logged: Value = response.json().await.unwrap();
    let entry = logged["entry"]["id"].as_i64().unwrap();
    let before: Vec<(i64, i64)> = sqlx::query_as("SELECT id, minutes FROM ledger_entries")
        .fetch_all(&app.db().await)
        .await
        .unwrap();

    let paths = [
        format!("/api/v1/support/accounts/{id}"),
        format!("/api/v1/support/accounts/{id}/balance"),
        format!("/api/v1/support/accounts/{id}/support-calls"),
        format!("/api/v1/support/accounts/{id}/support-calls/{entry}"),
        format!("/api/v1/support/accounts/{id}/sessions"),
        format!("/api/v1/support/accounts/{id}/entries/{entry}"),
        format!("/console/accounts/{id}/support-calls"),
        format!("/console/accounts/{id}/credits"),
        format!("/console/accounts/{id}/entries/{entry}"),
        format!("/console/accounts/{id}/entries/{entry}/correct"),
    ];
    for path in &paths {
        for method in ["PUT", "PATCH", "DELETE"] {
            let response = app
                .client
                .request(method.parse().unwrap(), app.url(path))
                .bearer_auth(&token)
                .json(&json!({ "minutes": 1 }))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(
                    response.status(),
                    StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
                ),
                "{method} {path}: {}",
                response.status()
            );
        }
    }
    let after: Vec<(i64, i64)> = sqlx::query_as("SELECT id, minutes FROM ledger_entries")
        .fetch_all(&app.db().await)
        .await
        .unwrap();
    assert_eq!(before, after);
}

// --- enrollment keys -------------------------------------------------------------------

async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

async fn link_with_key(app: &TestApp, key: &str, n: u8) -> Response {
    app.post(
        "/api/v1/enrollment-links",
        &json!({ "enrollment_key": key, "machine": machine(n) }),
    )
    .await
}

#[tokio::test]
async fn support_admins_create_and_revoke_enrollment_keys_every_agent_lists_them() {
    let app = spawn_app().await;
    let (_, link) = app.linked("it@parc-informatique.fr", &machine(1)).await;
    let id = app.account_view(&link.token).await.customer_id;
    let admin = api_token_with_role(&app, "alice@support.example.fr", "Alice", "admin").await;
    let agent = api_token(&app, "paul@support.example.fr", "Paul").await;
    let keys = format!("/api/v1/support/accounts/{id}/enrollment-keys");
    let post = reqwest::Method::POST;
    let delete = reqwest::Method::DELETE;

    // An agent who is not an admin lists them, but creates none.
    let body = json!({ "label": "Salle de formation", "uses": 2 });
    let (status, error) =
        error_of(send_json(&app, post.clone(), &agent, &keys, Some(&body)).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    let listed: Vec<EnrollmentKeyView> = get(&app, Some(&agent), &keys).await.json().await.unwrap();
    assert!(listed.is_empty());

    // Every refused field at once; a customer ID nobody has.
    let bad = json!({ "label": " ", "uses": 0, "valid_days": 91 });
    let (status, error) =
        error_of(send_json(&app, post.clone(), &admin, &keys, Some(&bad)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["label", "uses", "valid_days"]);
    let response = send_json(
        &app,
        post.clone(),
        &admin,
        &format!("/api/v1/support/accounts/{}/enrollment-keys", misheard(&id)),
        Some(&body),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The admin creates one: the key is in this answer only.
    let response = send_json(&app, post.clone(), &admin, &keys, Some(&body)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: EnrollmentKeyCreated = response.json().await.unwrap();
    assert!(created.key.len() >= 30, "{}", created.key);
    let view = &created.enrollment_key;
    assert_eq!(
        (view.label.as_str(), view.uses_allowed, view.uses_left),
        ("Salle de formation", 2, 2)
    );
    assert_eq!(
        (view.status.as_str(), view.created_by.as_str()),
        ("active", "support")
    );
    // The account's owner hears of a key they did not make, without the key itself.
    app.smtp
        .wait_for_mail_saying(
            "it@parc-informatique.fr",
            "créé la clé d'enrôlement « Salle de formation »",
        )
        .await;
    assert!(app
        .smtp
        .mails_to("it@parc-informatique.fr")
        .iter()
        .all(|m| !m.text.contains(&created.key)));
    let listed_text = get(&app, Some(&agent), &keys).await.text().await.unwrap();
    assert!(
        !listed_text.contains(&created.key),
        "the list never shows the key"
    );

    // A computer links with it, and is listed under the key.
    let response = link_with_key(&app, &created.key, 2).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let listed: Vec<EnrollmentKeyView> = get(&app, Some(&agent), &keys).await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].uses_left, 1);
    assert_eq!(listed[0].uses.len(), 1);
    assert_eq!(listed[0].uses[0].machine_name, "POSTE-02");

    // Revoking: admins only, unknown keys are told apart, then the key links nothing.
    let one = format!("{keys}/{}", view.id);
    let (status, error) = error_of(send_json(&app, delete.clone(), &agent, &one, None).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    for unknown in ["999999", "abc"] {
        let (status, error) = error_of(
            send_json(
                &app,
                delete.clone(),
                &admin,
                &format!("{keys}/{unknown}"),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("enrollment_key_not_found"))
        );
    }
    let response = send_json(&app, delete.clone(), &admin, &one, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, error) = error_of(send_json(&app, delete.clone(), &admin, &one, None).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("enrollment_key_not_found"))
    );
    let (_, error) = error_of(link_with_key(&app, &created.key, 3).await).await;
    assert_eq!(error["code"], "enrollment_key_revoked");
    let listed: Vec<EnrollmentKeyView> = get(&app, Some(&admin), &keys).await.json().await.unwrap();
    assert_eq!(listed[0].status, "revoked");
    // The computer linked with it stays linked.
    let names: Vec<String> = app
        .account_view(&link.token)
        .await
        .machines
        .iter()
        .map(|m| m.name.clone())
        .collect();
    assert!(names.contains(&"POSTE-02".to_owned()), "{names:?}");

    // The history names the integration's agent.
    let actors: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM audit_events WHERE action LIKE 'enrollment_key%' ORDER BY id",
    )
    .fetch_all(&app.db().await)
    .await
    .unwrap();
    assert_eq!(
        actors,
        [
            (
                "enrollment_key_created".to_owned(),
                "api:alice@support.example.fr".to_owned()
            ),
            (
                "enrollment_key_revoked".to_owned(),
                "api:alice@support.example.fr".to_owned()
            ),
        ]
    );
}
