//! The account service for a test: started for real on a loopback port (port 0) by
//! `Application::build`, as in production, with a fresh database — an SQLite file in a
//! temporary folder, or, when `TEST_POSTGRES_URL` names a PostgreSQL server (the test
//! command starts one), a database of its own there — and a real SMTP server receiving
//! its mail; its HTTP API called as any client would.

use std::{
    net::IpAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use crate::smtp::{ReceivedMail, SmtpServer};
use account_api::wire::{AccountView, LinkResponse, MachineInfo};
use account_server::{
    config::{MailTransportSettings, OutboxKeySource, Settings, SmtpSettings},
    Application,
};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::{sync::oneshot, task::JoinHandle};

/// How long a test waits for mail that should come at once.
pub const MAIL_WAIT: Duration = Duration::from_secs(20);

/// The running service: its address, a client for its API, the SMTP server receiving
/// its mail, and the folder of its SQLite file.
pub struct TestApp {
    pub address: String,
    /// Where /metrics is served (`http://127.0.0.1:<port>`), when `metrics_listen` is set.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub smtp: Arc<SmtpServer>,
    pub data: Arc<tempfile::TempDir>,
    smtp_port: u16,
    stop: Option<oneshot::Sender<()>>,
    running: Option<JoinHandle<Result<(), String>>>,
}

/// The SQLite file of a test's data folder (when the tests run on SQLite).
pub fn database_path(data: &tempfile::TempDir) -> PathBuf {
    data.path().join("accounts.db")
}

/// The PostgreSQL server the tests run on, if any (`postgres://user@host:port`).
fn postgres_server() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_owned())
}

/// Whether the tests run on PostgreSQL rather than SQLite.
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// The database of a test's data folder: its SQLite file, or on PostgreSQL a database
/// named once for the folder (kept in it, so a restart finds the same one).
pub fn database_url(data: &tempfile::TempDir) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", database_path(data).display());
    };
    let named = data.path().join("postgres-database");
    let name = std::fs::read_to_string(&named).unwrap_or_else(|_| {
        let name = crate::unique("t").replace('-', "_");
        std::fs::write(&named, &name).unwrap();
        name
    });
    format!("{server}/{name}")
}

/// Creates the PostgreSQL database `url` names unless it exists (SQLite creates its file).
/// After it, `sqlx::AnyPool` opens either kind of database.
pub async fn create_database(url: &str) {
    sqlx::any::install_default_drivers();
    let Some(server) = postgres_server() else {
        return;
    };
    let Some(name) = url.strip_prefix(&format!("{server}/")) else {
        return;
    };
    let admin = sqlx::AnyPool::connect(&format!("{server}/postgres"))
        .await
        .expect("the test PostgreSQL server answers");
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&admin)
        .await
        .unwrap();
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&admin)
            .await
            .expect("a test database is created");
    }
    admin.close().await;
}

/// The outbox key of a test's data folder, given to every instance of its service (on
/// SQLite, where the service would put it by itself: beside the file).
pub fn outbox_key_path(data: &tempfile::TempDir) -> PathBuf {
    data.path().join("accounts.db.outbox-key")
}

/// The environment of a service binary started on a test's database.
pub fn service_env(data: &tempfile::TempDir) -> [(&'static str, String); 2] {
    [
        ("ACCOUNT_SERVER_DATABASE_URL", database_url(data)),
        (
            "ACCOUNT_SERVER_OUTBOX_KEY_FILE",
            outbox_key_path(data).display().to_string(),
        ),
    ]
}

/// Everything the test's database holds, as bytes: on SQLite its files as they are on
/// disk (main, WAL, shared memory); on PostgreSQL a full dump of it (`pg_dump`).
pub fn database_contents(data: &tempfile::TempDir) -> Vec<u8> {
    if on_postgres() {
        let dump = std::process::Command::new("pg_dump")
            .arg(database_url(data))
            .output()
            .expect("pg_dump runs");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        return dump.stdout;
    }
    let main = database_path(data);
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(content) = std::fs::read(format!("{}{suffix}", main.display())) {
            bytes.extend(content);
        }
    }
    bytes
}

/// `port` 0: any free one.
fn settings(data: &tempfile::TempDir, smtp_port: u16, port: u16) -> Settings {
    let mut settings = Settings::loopback(
        database_url(data),
        MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", smtp_port)),
    );
    settings.mail.outbox_key = OutboxKeySource::File(outbox_key_path(data));
    settings.listen.set_port(port);
    settings
}

/// The service with a fresh database and its own SMTP server.
pub async fn spawn_app() -> TestApp {
    let smtp = Arc::new(SmtpServer::start());
    let port = smtp.port();
    start(Arc::new(tempfile::tempdir().unwrap()), smtp, port, 0).await
}

/// `n` instances of the service on one fresh database (as behind a load balancer), all
/// delivering to the same SMTP server, each on its own port.
pub async fn spawn_instances(n: usize) -> Vec<TestApp> {
    let smtp = Arc::new(SmtpServer::start());
    let port = smtp.port();
    let data = Arc::new(tempfile::tempdir().unwrap());
    let mut instances = Vec::with_capacity(n);
    for _ in 0..n {
        instances.push(start(data.clone(), smtp.clone(), port, 0).await);
    }
    instances
}

/// The service told to deliver to `smtp_port`, where nothing listens yet.
pub async fn spawn_app_without_smtp(smtp_port: u16, data: Arc<tempfile::TempDir>) -> TestApp {
    // A placeholder that receives nothing: tests start the real one on `smtp_port` later.
    let placeholder = Arc::new(SmtpServer::start());
    start(data, placeholder, smtp_port, 0).await
}

/// The service with a fresh database and its own SMTP server, its settings first changed
/// by `adjust` (given them and the test's data folder): another mail schedule or
/// transport, another listening address…
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings, &Path)) -> TestApp {
    let smtp = Arc::new(SmtpServer::start());
    let smtp_port = smtp.port();
    let data = Arc::new(tempfile::tempdir().unwrap());
    let mut settings = settings(&data, smtp_port, 0);
    adjust(&mut settings, data.path());
    run(settings, data, smtp, smtp_port).await
}

async fn start(
    data: Arc<tempfile::TempDir>,
    smtp: Arc<SmtpServer>,
    smtp_port: u16,
    port: u16,
) -> TestApp {
    let settings = settings(&data, smtp_port, port);
    run(settings, data, smtp, smtp_port).await
}

async fn run(
    settings: Settings,
    data: Arc<tempfile::TempDir>,
    smtp: Arc<SmtpServer>,
    smtp_port: u16,
) -> TestApp {
    // TEST_LOG=1 shows the service's logs.
    if std::env::var_os("TEST_LOG").is_some() {
        account_server::telemetry::init(account_server::config::LogFormat::Text);
    }
    create_database(&settings.database_url).await;
    let app = Application::build(settings)
        .await
        .expect("the service starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let (stop, stopped) = oneshot::channel();
    let running = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .map_err(|e| format!("{e:#}"))
    });
    TestApp {
        address,
        metrics_address,
        client: client_from("127.0.0.1".parse().unwrap()),
        smtp,
        data,
        smtp_port,
        stop: Some(stop),
        running: Some(running),
    }
}

/// See [`TestApp::lock_database`].
pub struct DatabaseLock {
    connection: sqlx::pool::PoolConnection<sqlx::Any>,
}

impl DatabaseLock {
    pub async fn release(mut self) {
        sqlx::query("ROLLBACK")
            .execute(&mut *self.connection)
            .await
            .expect("the database unlocked");
    }
}

/// The service stopped by [`TestApp::stop_for_a_while`]: its address refuses connections.
pub struct StoppedApp {
    pub address: String,
    port: u16,
    smtp: Arc<SmtpServer>,
    smtp_port: u16,
    data: Arc<tempfile::TempDir>,
}

impl StoppedApp {
    /// The same service back at the same address.
    pub async fn start_again(self) -> TestApp {
        start(self.data, self.smtp, self.smtp_port, self.port).await
    }
}

/// A client whose requests come from `source` (any 127.x.y.z address is this machine):
/// to the service, another office.
pub fn client_from(source: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl TestApp {
    /// Stops the service gracefully; its database stays for a restart.
    pub async fn stop(mut self) -> Arc<tempfile::TempDir> {
        self.stop.take().unwrap().send(()).ok();
        self.running
            .take()
            .unwrap()
            .await
            .unwrap()
            .expect("the service stops cleanly");
        self.data.clone()
    }

    /// Stops the service; [`StoppedApp::start_again`] starts it at the same address, with
    /// the same database and SMTP server (a client meanwhile finds it unreachable).
    pub async fn stop_for_a_while(self) -> StoppedApp {
        let address = self.address.clone();
        let port = address.rsplit(':').next().unwrap().parse().unwrap();
        let smtp = self.smtp.clone();
        let smtp_port = self.smtp_port;
        let data = self.stop().await;
        StoppedApp {
            address,
            port,
            smtp,
            smtp_port,
            data,
        }
    }

    /// Another program's write lock on the service's database (a backup, a migration
    /// by hand…), held until [`DatabaseLock::release`]: meanwhile the service's writes
    /// wait, then give up.
    pub async fn lock_database(&self) -> DatabaseLock {
        let mut connection = self.db().await.acquire().await.unwrap();
        let lock = if on_postgres() {
            "BEGIN; LOCK TABLE accounts, machines, outbox, limit_attempts, password_requests, \
             ledger_entries, agents IN ACCESS EXCLUSIVE MODE"
        } else {
            "BEGIN EXCLUSIVE"
        };
        sqlx::raw_sql(lock)
            .execute(&mut *connection)
            .await
            .expect("the database locked");
        DatabaseLock { connection }
    }

    /// The service's database URL.
    pub fn database_url(&self) -> String {
        database_url(&self.data)
    }

    /// The service's database, opened a second time as raw SQL (to damage or inspect it;
    /// `$1` placeholders work on both databases).
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url()).await.unwrap()
    }

    /// The service's storage, opened a second time on the same database, for what no
    /// route creates (agents, API tokens).
    pub async fn storage(&self) -> account_server::storage::Storage {
        account_server::storage::Storage::connect(&self.database_url())
            .await
            .expect("the service's database opens")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn register(&self, body: &Value) -> Response {
        self.post("/api/v1/accounts", body).await
    }

    pub async fn request_password(&self, email: &str) -> Response {
        self.post("/api/v1/password-requests", &json!({ "email": email }))
            .await
    }

    pub async fn link(
        &self,
        email: &str,
        password: &str,
        machine: &MachineInfo,
        token: Option<&str>,
        move_machine: bool,
    ) -> Response {
        let mut request = self.client.post(self.url("/api/v1/links")).json(&json!({
            "email": email,
            "password": password,
            "machine": machine,
            "move_machine": move_machine,
        }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn account(&self, token: &str) -> Response {
        self.client
            .get(self.url("/api/v1/account"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn account_view(&self, token: &str) -> AccountView {
        let response = self.account(token).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn edit(&self, token: &str, body: &Value) -> Response {
        self.client
            .put(self.url("/api/v1/account"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn confirm_email(&self, token: &str, code: &str) -> Response {
        self.client
            .post(self.url("/api/v1/account/email-confirmation"))
            .bearer_auth(token)
            .json(&json!({ "code": code }))
            .send()
            .await
            .unwrap()
    }

    pub async fn unlink(&self, token: &str) -> Response {
        self.client
            .delete(self.url("/api/v1/link"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn unlink_other(&self, token: &str, machine_id: &str, password: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/account/machines/{machine_id}/unlink")))
            .bearer_auth(token)
            .json(&json!({ "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Makes the service believe `machine_id` was last seen `days` days ago.
    pub async fn last_seen_days_ago(&self, machine_id: &str, days: i64) {
        sqlx::query("UPDATE machines SET last_seen_at = $1 WHERE id = $2")
            .bind(account_server::now() - days * 24 * 3600)
            .bind(machine_id)
            .execute(&self.db().await)
            .await
            .unwrap();
    }

    /// Creates an enrollment key from a linked machine: `body` has the password, label…
    pub async fn create_key(&self, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url("/api/v1/account/enrollment-keys"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Links `machine` with an enrollment key (and the machine's token, if it has one).
    pub async fn link_with_key(
        &self,
        key: &str,
        machine: &MachineInfo,
        token: Option<&str>,
        move_machine: bool,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url("/api/v1/enrollment-links"))
            .json(&json!({
                "enrollment_key": key,
                "machine": machine,
                "move_machine": move_machine,
            }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Registers `email` and returns the password read from the mail it received.
    pub async fn register_and_read_password(&self, email: &str) -> (String, ReceivedMail) {
        let before = self.smtp.mails_to(email).len();
        let response = self.register(&registration(email)).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let mail = self.smtp.wait_for_nth(email, before + 1).await;
        let password = mail.password().expect("the mail gives a password");
        (password, mail)
    }

    /// Registers `email` for `company_name`, mails in `language`, and returns the
    /// password read from the mail it received.
    pub async fn register_as(&self, email: &str, company_name: &str, language: &str) -> String {
        let mut form = registration(email);
        form["company_name"] = company_name.into();
        form["language"] = language.into();
        let before = self.smtp.mails_to(email).len();
        let response = self.register(&form).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        self.smtp
            .wait_for_nth(email, before + 1)
            .await
            .password()
            .expect("the mail gives a password")
    }

    /// A registered account with `machine` linked to it.
    pub async fn linked(&self, email: &str, machine: &MachineInfo) -> (String, LinkResponse) {
        let (password, _) = self.register_and_read_password(email).await;
        let link = self.link_ok(email, &password, machine, None).await;
        (password, link)
    }

    pub async fn link_ok(
        &self,
        email: &str,
        password: &str,
        machine: &MachineInfo,
        token: Option<&str>,
    ) -> LinkResponse {
        let response = self.link(email, password, machine, token, false).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "link refused: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// A valid registration form for `email`.
pub fn registration(email: &str) -> Value {
    json!({
        "email": email,
        "company_name": "Dupont Bâtiment SARL",
        "contact_first_name": "Marie",
        "contact_last_name": "Dupont",
        "phone": "01 23 45 67 89",
        "siret": "732 829 320 00074",
        "address": { "street": "12 rue des Lilas", "postal_code": "75011", "city": "Paris" },
        "language": "fr",
    })
}

/// A machine whose identity is derived from `n` (tests need many distinct machines).
pub fn machine(n: u8) -> MachineInfo {
    MachineInfo {
        fingerprint: format!("{n:02x}").repeat(32),
        name: format!("POSTE-{n:02}"),
        os: "Windows 11 Pro 23H2".into(),
        app_version: "1.0.0".into(),
        machine_id: None,
    }
}

/// The error code of an error response, and its body.
pub async fn error_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.expect("errors are JSON");
    assert!(body["code"].is_string(), "no code in {body}");
    assert!(body["message"].is_string(), "no message in {body}");
    (status, body)
}

/// The CSRF token a console page's forms carry (the hidden `csrf` field).
pub fn hidden_csrf(page_html: &str) -> String {
    page_html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token in the page")
        .to_owned()
}
