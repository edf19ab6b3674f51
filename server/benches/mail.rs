//! Register → the password mail at a real SMTP server: the time from the registration
//! request to the mail's arrival at the SMTP server, one registration at a time (idle),
//! then at a steady rate (several in flight, the outbox worker busy).
//!
//! `scripts/bench-mail.sh`, which builds the release service and passes it as
//! MAIL_BENCH_SERVER. The service runs as its own process with SMTP delivery to
//! test-support's SMTP server on loopback, and trusts X-Forwarded-For so that each
//! registration comes from a network of its own: the per-network limit on password
//! e-mails stays as it is, and no registration is refused by it.
//!   MAIL_BENCH_DATABASE_URL  the service's database [default: a new SQLite file]
//!   MAIL_BENCH_IDLE          registrations one at a time [default: 50]
//!   MAIL_BENCH_RATE          registrations per second under load [default: 20]
//!   MAIL_BENCH_SECONDS       seconds of load [default: 15]

use std::{
    collections::HashMap,
    process::{Child, Command},
    sync::Arc,
    time::{Duration, Instant},
};

use base64::Engine;
use rand::RngCore;
use test_support::smtp::SmtpServer;
use tokio::sync::Mutex;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The release service, delivering over SMTP to `smtp_port`.
async fn start_service(database_url: &str, smtp_port: u16) -> (Service, String) {
    let program = std::env::var("MAIL_BENCH_SERVER")
        .expect("MAIL_BENCH_SERVER: the release account-server (scripts/bench-mail.sh)");
    let port = free_port();
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let child = Command::new(program)
        .env("ACCOUNT_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("ACCOUNT_SERVER_DATABASE_URL", database_url)
        .env("ACCOUNT_SERVER_MAIL_TRANSPORT", "smtp")
        .env("ACCOUNT_SERVER_SMTP_HOST", "127.0.0.1")
        .env("ACCOUNT_SERVER_SMTP_PORT", smtp_port.to_string())
        .env("ACCOUNT_SERVER_SMTP_SECURITY", "none")
        .env(
            "ACCOUNT_SERVER_OUTBOX_KEY",
            base64::engine::general_purpose::STANDARD.encode(key),
        )
        // A bench client plays many networks: see the module's comment.
        .env("ACCOUNT_SERVER_TRUST_FORWARDED_FOR", "true")
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start the service");
    let service = Service(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "service not ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (service, base)
}

/// Registers `n`; returns when the request left and how long the answer took.
async fn register(
    client: &reqwest::Client,
    base: &str,
    run: &str,
    n: u32,
) -> (String, Instant, Duration) {
    let email = format!("bench-{run}-{n}@example.fr");
    let body = serde_json::json!({
        "email": email,
        "company_name": "Bench SARL",
        "contact_first_name": "Marie",
        "contact_last_name": "Dupont",
        "phone": "01 23 45 67 89",
    });
    let sent = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/accounts"))
        .header(
            "x-forwarded-for",
            format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "registration {n}: {}",
        response.status()
    );
    (email, sent, sent.elapsed())
}

/// When each address's mail arrived, waiting at most `timeout` for all of them.
async fn arrivals(
    smtp: &SmtpServer,
    sent: &HashMap<String, Instant>,
    timeout: Duration,
) -> Vec<Duration> {
    let deadline = Instant::now() + timeout;
    loop {
        let mails = smtp.mails();
        let mut times = Vec::new();
        for mail in &mails {
            for to in &mail.to {
                if let Some(at) = sent.get(to.as_str()) {
                    times.push(mail.received_at.duration_since(*at));
                }
            }
        }
        if times.len() >= sent.len() || Instant::now() >= deadline {
            return times;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn line(label: &str, expected: usize, mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    if times.is_empty() {
        return format!("{label}: mails 0/{expected}");
    }
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "{label}: mails {}/{expected}  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*times.last().unwrap())
    )
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let idle: u32 = env_or("MAIL_BENCH_IDLE", 50);
    let rate: u32 = env_or("MAIL_BENCH_RATE", 20);
    let seconds: u32 = env_or("MAIL_BENCH_SECONDS", 15);
    let temp = tempfile::tempdir().unwrap();
    let database_url = std::env::var("MAIL_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("sqlite://{}", temp.path().join("mail.db").display()));
    let smtp = SmtpServer::start();
    let (_service, base) = start_service(&database_url, smtp.port()).await;
    let client = reqwest::Client::new();
    // Distinct addresses on every run, so a reused database never answers "already
    // registered" (that mail is another one).
    let run = format!("{:x}", rand::rng().next_u32());
    let mut n = 0;

    // Warm-up: the first connections (HTTP, SMTP, database) are not what is measured.
    let mut warm = HashMap::new();
    for _ in 0..3 {
        n += 1;
        let (email, at, _) = register(&client, &base, &run, n).await;
        warm.insert(email, at);
        arrivals(&smtp, &warm, Duration::from_secs(30)).await;
    }

    // Idle: one registration, its mail, a pause; the worker waits for work each time.
    let mut idle_times = Vec::new();
    let mut idle_answers = Vec::new();
    for _ in 0..idle {
        n += 1;
        let (email, at, answered) = register(&client, &base, &run, n).await;
        idle_answers.push(answered);
        let one = HashMap::from([(email, at)]);
        idle_times.extend(arrivals(&smtp, &one, Duration::from_secs(30)).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "{}",
        line("register → password mail, idle", idle as usize, idle_times)
    );

    // Load: a steady `rate` per second, each registration on time whatever the others
    // take (an open loop), for `seconds`.
    let total = rate * seconds;
    let sent = Arc::new(Mutex::new(HashMap::new()));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut requests = Vec::new();
    for _ in 0..total {
        tick.tick().await;
        n += 1;
        let (client, base, run, sent, answers) = (
            client.clone(),
            base.clone(),
            run.clone(),
            sent.clone(),
            answers.clone(),
        );
        requests.push(tokio::spawn(async move {
            let (email, at, answered) = register(&client, &base, &run, n).await;
            sent.lock().await.insert(email, at);
            answers.lock().await.push(answered);
        }));
    }
    for request in requests {
        request.await.unwrap();
    }
    let sent = sent.lock().await.clone();
    let times = arrivals(&smtp, &sent, Duration::from_secs(60)).await;
    println!(
        "{}",
        line(
            &format!("register → password mail, {rate}/s"),
            total as usize,
            times
        )
    );
    let answers = answers.lock().await.clone();
    println!(
        "{}",
        line(
            &format!("  registration answered, {rate}/s"),
            total as usize,
            answers
        )
    );
}
