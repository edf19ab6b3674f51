//! Finding an account among many, as the support console and API do it: by customer ID,
//! misheard ID, phone, SIRET, e-mail prefix and name words, through the storage
//! functions the handlers call, then through the real service over HTTP.
//!
//! `scripts/bench-search.sh`, or `cargo bench -p account-server --bench search`.
//! ACCOUNTS (default 1 000 000) accounts are seeded into SEARCH_BENCH_DB (default: a
//! temporary file); an existing file with at least that many accounts is reused.
//! QUERIES (default 200) queries of each kind.

use std::time::{Duration, Instant};

use account_api::domain::{CustomerId, Siret};
use account_server::{
    accounts::{customer_id_of, find_accounts},
    config::{MailTransportSettings, Settings},
    ids::AccountId,
    secrets::{token_hash, ApiToken},
    storage::Storage,
    support::SearchQuery,
    Application,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::{sqlite::SqliteConnectOptions, Connection, QueryBuilder, Sqlite, SqliteConnection};

const ACTIVITIES: &[&str] = &[
    "Boulangerie",
    "Pâtisserie",
    "Garage",
    "Pharmacie",
    "Cabinet médical",
    "Cabinet comptable",
    "Menuiserie",
    "Plomberie",
    "Électricité",
    "Maçonnerie",
    "Transports",
    "Boucherie",
    "Charcuterie",
    "Librairie",
    "Restaurant",
    "Hôtel",
    "Salon de coiffure",
    "Fromagerie",
    "Fleuriste",
    "Quincaillerie",
    "Imprimerie",
    "Auto-école",
    "Agence immobilière",
    "Pressing",
    "Optique",
    "Carrosserie",
    "Charpente",
    "Couverture",
    "Peinture",
    "Serrurerie",
    "Informatique",
    "Traiteur",
    "Épicerie fine",
    "Cave à vins",
    "Bijouterie",
    "Cordonnerie",
    "Ambulances",
    "Taxis",
    "Architecture",
    "Étude notariale",
];
const SURNAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Marie",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Fernandez",
    "Pierre",
    "Renard",
    "Arnaud",
    "Rolland",
    "Caron",
    "Aubert",
    "Giraud",
    "Leclerc",
    "Vidal",
    "Bourgeois",
    "Renaud",
    "Lemoine",
    "Picard",
    "Gaillard",
    "Philippe",
    "Leclercq",
    "Lacroix",
    "Fabre",
    "Dupuis",
];
const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Christine",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Stéphane",
    "Sébastien",
    "Julien",
    "Laurent",
    "Frédéric",
    "Éric",
    "David",
    "Olivier",
    "Sandrine",
    "Valérie",
    "Céline",
    "Hélène",
    "Anne",
    "Sophie",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Lucas",
    "Hugo",
    "Thomas",
    "Maxime",
    "Antoine",
    "Benoît",
    "Jérôme",
    "Aurélie",
    "Émilie",
    "Élodie",
    "Mathilde",
    "Gaëlle",
    "Loïc",
    "Yannick",
    "Thierry",
];
const PLACES: &[&str] = &[
    "du Centre",
    "de la Gare",
    "des Halles",
    "du Port",
    "du Marché",
    "de l'Église",
    "des Alpes",
    "du Lac",
    "de Lyon",
    "de Marseille",
    "de Toulouse",
    "de Bordeaux",
    "de Nantes",
    "de Lille",
    "de Rennes",
    "de Strasbourg",
    "de Montpellier",
    "de Grenoble",
    "de Dijon",
    "d'Angers",
    "de Reims",
    "de Brest",
    "de Limoges",
    "de Tours",
    "d'Amiens",
    "de Besançon",
    "d'Orléans",
    "de Rouen",
    "de Caen",
    "de Nancy",
    "d'Avignon",
    "de Poitiers",
    "d'Annecy",
    "de Chambéry",
    "de Saint-Étienne",
    "de Clermont-Ferrand",
];
const FORMS: &[&str] = &["SARL", "SAS", "EURL", "SA", "SASU", "", "", ""];
const PROVIDERS: &[&str] = &[
    "orange.fr",
    "wanadoo.fr",
    "gmail.com",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "outlook.fr",
    "hotmail.fr",
];
const CITIES: &[(&str, &str)] = &[
    ("Paris", "75011"),
    ("Lyon", "69003"),
    ("Marseille", "13006"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Rennes", "35000"),
    ("Grenoble", "38000"),
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Lower-case ASCII for addresses: "Hélène Lefèvre" → "helene-lefevre".
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'a'..='z' | '0'..='9' => c,
            _ => '-',
        };
        if c != '-' || !out.ends_with('-') {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

/// 13 random digits and the Luhn key that makes them a valid SIRET.
fn siret(rng: &mut StdRng) -> String {
    let mut digits: Vec<u32> = (0..13).map(|_| rng.random_range(0..10)).collect();
    digits[0] = rng.random_range(1..10);
    // Counting from the right of the 14 digits, the key is position 0: the payload's
    // last digit is position 1, doubled.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

struct Seeded {
    email: String,
    company_name: String,
    first: String,
    last: String,
    phone: String,
    siret: Option<String>,
    city: (&'static str, &'static str),
}

fn account(rng: &mut StdRng, n: usize) -> Seeded {
    let first = pick(rng, FIRST_NAMES).to_owned();
    let last = pick(rng, SURNAMES).to_owned();
    let activity = pick(rng, ACTIVITIES);
    let form = pick(rng, FORMS);
    let company_name = match rng.random_range(0..6) {
        0 => format!("{activity} {}", pick(rng, PLACES)),
        1 => format!("{last} et Fils"),
        2 => format!("{form} {last} {}", pick(rng, SURNAMES)),
        3 => format!("{activity} {last} {}", pick(rng, PLACES)),
        _ => format!("{activity} {last} {form}"),
    }
    .trim()
    .to_owned();
    let email = if rng.random_bool(0.3) {
        format!("contact{n}@{}.fr", slug(&company_name))
    } else {
        format!(
            "{}.{}{n}@{}",
            slug(&first),
            slug(&last),
            pick(rng, PROVIDERS)
        )
    };
    let mut phone = format!(
        "0{}{:08}",
        [1, 2, 3, 4, 5, 6, 7, 9][rng.random_range(0..8)],
        rng.random_range(0..100_000_000u32)
    );
    if rng.random_bool(0.1) {
        // Typed with the country code at registration.
        phone = format!("+33{}", &phone[1..]);
    }
    let siret = rng.random_bool(0.6).then(|| siret(rng));
    let city = CITIES[rng.random_range(0..CITIES.len())];
    Seeded {
        email,
        company_name,
        first,
        last,
        phone,
        siret,
        city,
    }
}

/// Seeds `count` accounts in one transaction, a few hundred rows per INSERT.
async fn seed(url: &str, count: usize) -> Duration {
    let start = Instant::now();
    let options: SqliteConnectOptions = url.parse().unwrap();
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("PRAGMA synchronous = OFF")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("PRAGMA cache_size = -262144")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(2026);
    // Checked once: the generator's SIRETs pass the domain's own check.
    for _ in 0..1000 {
        Siret::parse(&siret(&mut rng)).expect("a valid SIRET");
    }
    let mut tx = conn.begin().await.unwrap();
    const BATCH: usize = 500;
    let mut done = 0;
    while done < count {
        let rows: Vec<Seeded> = (done..(done + BATCH).min(count))
            .map(|n| account(&mut rng, n))
            .collect();
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO accounts (email, company_name, contact_first_name, contact_last_name, \
             phone, siret, address_street, address_postal_code, address_city, address_country, \
             language, password_hash, version, created_at, updated_at) ",
        );
        insert.push_values(&rows, |mut b, a| {
            b.push_bind(&a.email)
                .push_bind(&a.company_name)
                .push_bind(&a.first)
                .push_bind(&a.last)
                .push_bind(&a.phone)
                .push_bind(&a.siret)
                .push_bind("12 rue des Lilas")
                .push_bind(a.city.1)
                .push_bind(a.city.0)
                .push_bind("FR")
                .push_bind("fr")
                .push_bind("$argon2id$v=19$m=19456,t=2,p=1$bench$bench")
                .push_bind(1)
                .push_bind(1_700_000_000)
                .push_bind(1_700_000_000);
        });
        insert.build().execute(&mut *tx).await.unwrap();
        done += rows.len();
        if done % 100_000 == 0 {
            eprintln!("  {done} accounts, {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    tx.commit().await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    start.elapsed()
}

fn file_size(path: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            std::fs::metadata(format!("{}{suffix}", path.display()))
                .ok()
                .map(|m| m.len())
        })
        .sum()
}

struct Timings {
    name: String,
    times: Vec<Duration>,
    results: usize,
}

impl Timings {
    fn row(&mut self) -> String {
        self.times.sort();
        let at = |q: f64| self.times[((self.times.len() - 1) as f64 * q).round() as usize];
        format!(
            "{:<38} {:>9.3} {:>9.3} {:>9.3} {:>9.1}",
            self.name,
            ms(at(0.5)),
            ms(at(0.99)),
            ms(*self.times.last().unwrap()),
            self.results as f64 / self.times.len() as f64
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What the console and the API do with what was typed: the same function.
async fn search(storage: &Storage, typed: &str) -> usize {
    let mut tx = storage.read().await.unwrap();
    let found = find_accounts(&mut tx, &SearchQuery::parse(typed), 20)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    found.accounts.len()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let count: usize = std::env::var("ACCOUNTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let queries: usize = std::env::var("QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let temp = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("SEARCH_BENCH_DB") {
        Some(path) => std::path::PathBuf::from(path),
        None => temp.path().join("search.db"),
    };
    let url = format!("sqlite://{}", path.display());

    // The service's own migrations, FTS triggers included.
    let storage = Storage::connect(&url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    storage.close().await;
    if existing as usize >= count {
        println!("reusing {} with {existing} accounts", path.display());
    } else {
        assert_eq!(existing, 0, "{} has too few accounts", path.display());
        println!("seeding {count} accounts into {}", path.display());
        let took = seed(&url, count).await;
        println!(
            "seeded {count} accounts in {:.1} s ({:.0} per second)",
            took.as_secs_f64(),
            count as f64 / took.as_secs_f64()
        );
    }
    let max_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!(
        "database: {:.1} MB (accounts, indexes, FTS5 trigram index)",
        file_size(&path) as f64 / 1e6
    );

    // Queries from real rows, drawn at random.
    let mut rng = StdRng::seed_from_u64(7);
    let ids: Vec<AccountId> = (0..queries)
        .map(|_| AccountId::new(rng.random_range(1..=max_id)))
        .collect();
    let mut samples = Vec::new();
    for id in &ids {
        let row: (String, String, String, Option<String>) =
            sqlx::query_as("SELECT email, company_name, phone, siret FROM accounts WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        samples.push(row);
    }
    let sirets: Vec<String> = sqlx::query_scalar(
        "SELECT siret FROM accounts WHERE siret IS NOT NULL AND id % 97 = 0 LIMIT ?",
    )
    .bind(queries as i64)
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;

    let words_of = |name: &str| -> Vec<String> {
        name.split_whitespace()
            .filter(|w| w.chars().count() >= 3 && !FORMS.contains(w))
            .map(str::to_owned)
            .collect()
    };
    let spaced = |digits: &str| -> String {
        if let Some(rest) = digits.strip_prefix("+33") {
            format!(
                "+33 {} {} {} {} {}",
                &rest[..1],
                &rest[1..3],
                &rest[3..5],
                &rest[5..7],
                &rest[7..]
            )
        } else {
            digits
                .as_bytes()
                .chunks(2)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let misheard = |id: CustomerId, rng: &mut StdRng| -> String {
        let mut digits: Vec<u8> = id.to_string().into_bytes();
        let i = rng.random_range(1..digits.len());
        digits[i] = b'0' + (digits[i] - b'0' + rng.random_range(1..10u8)) % 10;
        String::from_utf8(digits).unwrap()
    };

    let mut kinds: Vec<(&str, Vec<String>)> = vec![
        (
            "customer ID",
            ids.iter().map(|id| customer_id_of(*id).grouped()).collect(),
        ),
        (
            "misheard ID (one digit)",
            ids.iter()
                .map(|id| misheard(customer_id_of(*id), &mut rng))
                .collect(),
        ),
        (
            "phone, spaced",
            samples.iter().map(|s| spaced(&s.2)).collect(),
        ),
        ("SIRET", sirets.clone()),
        (
            "e-mail prefix (to the @)",
            samples
                .iter()
                .map(|s| s.0[..=s.0.find('@').unwrap()].to_owned())
                .collect(),
        ),
        (
            "one company-name word",
            samples
                .iter()
                .map(|s| {
                    let words = words_of(&s.1);
                    words[rng.random_range(0..words.len())].clone()
                })
                .collect(),
        ),
        (
            "two company-name words",
            samples
                .iter()
                .filter_map(|s| {
                    let words = words_of(&s.1);
                    (words.len() >= 2).then(|| format!("{} {}", words[0], words[words.len() - 1]))
                })
                .collect(),
        ),
        (
            "rare word (surname + city)",
            samples
                .iter()
                .filter_map(|s| {
                    let words = words_of(&s.1);
                    (words.len() >= 3).then(|| words[1..].join(" "))
                })
                .collect(),
        ),
    ];
    kinds.retain(|(_, q)| !q.is_empty());

    // SEARCH_BENCH_POSTGRES=postgres://…: the same accounts copied into PostgreSQL (by
    // `account-server copy`'s code, once), and every search timed there instead.
    let url = match std::env::var("SEARCH_BENCH_POSTGRES") {
        Ok(postgres) if !postgres.is_empty() => {
            let target = Storage::connect(&postgres).await.unwrap();
            let mut tx = target.read().await.unwrap();
            let copied = tx.account_by_id(AccountId::new(max_id)).await.unwrap();
            drop(tx);
            if copied.is_none() {
                let source = Storage::connect(&url).await.unwrap();
                let start = Instant::now();
                let report = target.copy_from(&source).await.unwrap();
                println!(
                    "copied into PostgreSQL in {:.1} s:\n{report}",
                    start.elapsed().as_secs_f64()
                );
                source.close().await;
            }
            target.close().await;
            println!("searching on PostgreSQL");
            postgres
        }
        _ => {
            // The file read once, so that the timings are of a service whose database the
            // system keeps in memory, as it does after a while in service. Without it, a
            // file the system had let go of (after builds, or dropped caches) was read from
            // disk during the timed pass: two-word searches at a p99 of 41–70 ms instead
            // of 9–13 ms (2026-12-01).
            std::io::copy(
                &mut std::fs::File::open(&path).unwrap(),
                &mut std::io::sink(),
            )
            .unwrap();
            url
        }
    };

    let storage = Storage::connect(&url).await.unwrap();
    let mut table = Vec::new();
    for (name, typed) in &kinds {
        // One warm-up pass so each kind is timed on a warm cache, as in service.
        for q in typed.iter().take(5) {
            search(&storage, q).await;
        }
        let mut timings = Timings {
            name: (*name).to_owned(),
            times: Vec::new(),
            results: 0,
        };
        let mut slowest = Vec::new();
        for q in typed {
            let start = Instant::now();
            timings.results += search(&storage, q).await;
            timings.times.push(start.elapsed());
            slowest.push((start.elapsed(), q));
        }
        slowest.sort();
        // The slowest of each kind, to look at with EXPLAIN.
        for (took, q) in slowest.iter().rev().take(3) {
            println!("  slow {name}: {q:?} {:.1} ms", ms(*took));
        }
        table.push(timings);
    }
    // The e-mail prefix alone, through its storage function (what the console types
    // before the @ goes to the name search instead).
    let mut timings = Timings {
        name: "e-mail prefix, 6 chars (storage)".into(),
        times: Vec::new(),
        results: 0,
    };
    for s in &samples {
        let prefix = &s.0[..6.min(s.0.len())];
        let start = Instant::now();
        let mut tx = storage.read().await.unwrap();
        timings.results += tx.accounts_by_email_prefix(prefix, 20).await.unwrap().len();
        tx.commit().await.unwrap();
        timings.times.push(start.elapsed());
    }
    table.push(timings);

    // The same searches through the real service: HTTP, token check, balances.
    let token = ApiToken::generate();
    let mut tx = storage.write().await.unwrap();
    let agent = match tx.agent_by_email("bench@support.example.fr").await.unwrap() {
        Some(agent) => agent.id,
        None => tx
            .insert_agent(
                "bench@support.example.fr",
                "Bench",
                "agent",
                "$argon2id$unused",
                "fr",
                1_700_000_000,
            )
            .await
            .unwrap(),
    };
    tx.insert_api_token(&token_hash(token.expose()), agent, "bench", 1_700_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    let mut settings = Settings::loopback(
        url.clone(),
        MailTransportSettings::File {
            dir: temp.path().join("outbox"),
        },
    );
    settings.mail.outbox_key =
        account_server::config::OutboxKeySource::File(temp.path().join("outbox.key"));
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    for (name, typed) in kinds.iter().filter(|(n, _)| {
        [
            "customer ID",
            "phone, spaced",
            "one company-name word",
            "two company-name words",
        ]
        .contains(n)
    }) {
        let mut timings = Timings {
            name: format!("HTTP: {name}"),
            times: Vec::new(),
            results: 0,
        };
        for q in typed {
            let url = reqwest::Url::parse_with_params(
                &format!("{base}/api/v1/support/accounts"),
                [("q", q)],
            )
            .unwrap();
            let start = Instant::now();
            let response = client
                .get(url)
                .bearer_auth(token.expose())
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{q}: {}", response.status());
            let body: serde_json::Value = response.json().await.unwrap();
            timings.times.push(start.elapsed());
            timings.results += body["accounts"].as_array().unwrap().len();
        }
        table.push(timings);
    }
    stop.send(()).ok();
    running.await.unwrap().unwrap();

    println!(
        "\n{count} accounts, {queries} queries of each kind (times in ms)\n{:<38} {:>9} {:>9} {:>9} {:>9}",
        "query", "median", "p99", "max", "results"
    );
    for timings in &mut table {
        println!("{}", timings.row());
    }
}
