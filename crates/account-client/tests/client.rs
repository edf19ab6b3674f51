//! The client library against the real account service (in this process, on loopback),
//! a real SMTP server and the real OS credential store.
//!
//! The credential store must be reachable: on a headless Linux machine run
//! `dbus-run-session -- bash -c 'export XDG_DATA_HOME=$(mktemp -d); eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"; cargo test -p account-client'`.
//!
//! Each test has its own service, database and SMTP server. Each simulated machine has
//! its own data folder and its own credential-store namespace (a unique service name),
//! which stands for that machine's credential store.

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use account_api::{
    domain::RawPostalAddress,
    wire::{AccountDetails, AccountView},
};
use account_client::{
    credentials::CredentialStore,
    identity::{fingerprint_of, IdentityOverrides},
    local::LocalState,
    AccountClient, ClientConfig, ClientError, Status,
};
use account_server::{
    config::{MailTransportSettings, Settings, SmtpSettings},
    Application,
};
use test_support::smtp::SmtpServer;
use tokio::{sync::oneshot, task::JoinHandle};

// ---------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------

/// The account service with a fresh database, delivering its mail to its own SMTP server.
struct Service {
    url: String,
    smtp: SmtpServer,
    _database: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    running: Option<JoinHandle<Result<(), String>>>,
}

impl Service {
    async fn start() -> Self {
        let smtp = SmtpServer::start();
        let database = tempfile::tempdir().unwrap();
        let settings = Settings::loopback(
            format!("sqlite://{}", database.path().join("accounts.db").display()),
            MailTransportSettings::Smtp(SmtpSettings::plain("127.0.0.1", smtp.port())),
        );
        let app = Application::build(settings)
            .await
            .expect("the service starts");
        let url = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .map_err(|e| format!("{e:#}"))
        });
        Self {
            url,
            smtp,
            _database: database,
            stop: Some(stop),
            running: Some(running),
        }
    }

    /// Stops the service; its address then refuses connections.
    async fn stop(&mut self) {
        self.stop.take().expect("running").send(()).ok();
        self.running
            .take()
            .expect("running")
            .await
            .unwrap()
            .expect("the service stops cleanly");
    }

    /// Registers an account for `email` and returns the password its mail gives.
    async fn register(&self, machine: &Machine, email: &str) -> String {
        let before = self.smtp.mails_to(email).len();
        machine
            .client
            .register(&details(email))
            .await
            .expect("registration accepted");
        self.smtp
            .wait_for_nth(email, before + 1)
            .await
            .password()
            .expect("the mail gives a password")
    }
}

/// A valid registration form.
fn details(email: &str) -> AccountDetails {
    AccountDetails {
        email: email.into(),
        company_name: "Dupont Bâtiment SARL".into(),
        contact_first_name: "Marie".into(),
        contact_last_name: "Dupont".into(),
        phone: "01 23 45 67 89".into(),
        siret: Some("732 829 320 00074".into()),
        address: Some(RawPostalAddress {
            street: "12 rue des Lilas".into(),
            postal_code: "75011".into(),
            city: "Paris".into(),
            country: String::new(),
        }),
        language: Some("fr".into()),
    }
}

// ---------------------------------------------------------------------------------------
// Simulated machines
// ---------------------------------------------------------------------------------------

/// One installation of the app: its machine identifier, data folder and credential store.
struct Machine {
    client: AccountClient,
    service_url: String,
    uid: String,
    name: String,
    namespace: String,
    data: tempfile::TempDir,
}

/// A credential-store service name no other test or run uses.
fn unique_namespace(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "customer-account-test-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Machine {
    /// A machine with its own identifier (`uid`), data folder and credential store.
    fn new(service: &Service, uid: &str, name: &str) -> Self {
        Self::with_store(service, uid, name, &unique_namespace(name))
    }

    fn with_store(service: &Service, uid: &str, name: &str, namespace: &str) -> Self {
        let data = tempfile::tempdir().unwrap();
        let client = client(service, uid, name, namespace, data.path());
        Self {
            client,
            service_url: service.url.clone(),
            uid: uid.into(),
            name: name.into(),
            namespace: namespace.into(),
            data,
        }
    }

    /// The app reinstalled: the data folder is gone (and with it the machine ID), the
    /// credential store and the machine identifier are the same.
    fn reinstall(&mut self) {
        self.wipe_data();
        self.client = client_at(
            &self.service_url,
            &self.uid,
            &self.name,
            &self.namespace,
            self.data.path(),
        );
    }

    /// Deletes everything in the data folder.
    fn wipe_data(&self) {
        std::fs::remove_dir_all(self.data.path()).unwrap();
        std::fs::create_dir_all(self.data.path()).unwrap();
    }

    fn store(&self) -> CredentialStore {
        CredentialStore::open_as(&self.namespace).expect("a credential store")
    }

    /// The key `AccountClient` files this machine's token under.
    fn token_key(&self) -> String {
        format!(
            "{} {}",
            self.client.service_url(),
            &fingerprint_of(&self.uid)[..16]
        )
    }

    /// The token in this machine's credential store, read outside the runtime.
    fn stored_token(&self) -> Option<String> {
        let store = self.store();
        let key = self.token_key();
        std::thread::spawn(move || store.load(&key))
            .join()
            .unwrap()
            .expect("the credential store answers")
    }

    async fn linked(&self) -> AccountView {
        match self.client.status().await {
            Ok(Status::Linked(account)) => account,
            other => panic!("{} should be linked: {other:?}", self.name),
        }
    }
}

impl Drop for Machine {
    /// Leaves no entry behind in a developer's real credential store.
    fn drop(&mut self) {
        if let Ok(store) = CredentialStore::open_as(&self.namespace) {
            let key = self.token_key();
            let _ = std::thread::spawn(move || store.delete(&key)).join();
        }
    }
}

fn client(service: &Service, uid: &str, name: &str, namespace: &str, data: &Path) -> AccountClient {
    client_at(&service.url, uid, name, namespace, data)
}

fn client_at(url: &str, uid: &str, name: &str, namespace: &str, data: &Path) -> AccountClient {
    AccountClient::new(ClientConfig {
        service_url: url.into(),
        data_dir: Some(data.to_path_buf()),
        identity: IdentityOverrides {
            machine_uid: Some(uid.into()),
            machine_name: Some(name.into()),
        },
        app_version: "1.0.0-test".into(),
        credential_namespace: Some(namespace.into()),
    })
    .expect("the client starts")
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The files under `dir` whose bytes contain `secret`.
fn files_containing(dir: &Path, secret: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|f| {
            std::fs::read(f)
                .unwrap()
                .windows(secret.len())
                .any(|w| w == secret.as_bytes())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_machine_keeps_its_token_in_the_credential_store_and_nowhere_else() {
    let service = Service::start().await;
    let machine = Machine::new(&service, "uid-linked", "POSTE-ACCUEIL");
    assert_eq!(machine.client.status().await.unwrap(), Status::NotLinked);

    let email = "accueil@dupont-batiment.test";
    let password = service.register(&machine, email).await;
    let account = machine.client.link(email, &password, false).await.unwrap();

    let status = machine.linked().await;
    assert_eq!(status.customer_id, account.customer_id);
    assert!(status.customer_id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(status.details.email, email);
    assert_eq!(status.this_machine_id, account.this_machine_id);
    assert_eq!(status.machines.len(), 1);
    assert_eq!(status.machines[0].machine_id, account.this_machine_id);
    assert_eq!(status.machines[0].name, "POSTE-ACCUEIL");
    assert!(!status.machines[0].shares_identity);

    let token = machine
        .stored_token()
        .expect("the token is in the credential store");
    assert!(token.len() >= 16, "a token worth the name: {token:?}");
    let files = files_under(machine.data.path());
    assert!(!files.is_empty(), "the machine ID and snapshot are kept");
    assert_eq!(
        files_containing(machine.data.path(), &token),
        Vec::<PathBuf>::new()
    );
    assert_eq!(
        files_containing(machine.data.path(), &password),
        Vec::<PathBuf>::new()
    );
    // What is kept there is the machine ID and the account, for offline use.
    assert_ne!(
        files_containing(machine.data.path(), &account.this_machine_id),
        Vec::<PathBuf>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reinstall_that_lost_the_data_folder_relinks_the_same_machine() {
    let service = Service::start().await;
    let mut machine = Machine::new(&service, "uid-reinstall", "POSTE-COMPTA");
    let email = "compta@dupont-batiment.test";
    let password = service.register(&machine, email).await;
    let first = machine.client.link(email, &password, false).await.unwrap();

    machine.reinstall();
    assert!(machine.stored_token().is_some(), "the store kept the token");
    let again = machine.client.link(email, &password, false).await.unwrap();

    assert_eq!(again.this_machine_id, first.this_machine_id);
    let account = machine.linked().await;
    assert_eq!(account.this_machine_id, first.this_machine_id);
    assert_eq!(account.machines.len(), 1, "{:#?}", account.machines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relinking_after_an_unlink_and_a_lost_data_folder_reuses_the_machine_record() {
    let service = Service::start().await;
    let mut machine = Machine::new(&service, "uid-unlinked", "POSTE-ATELIER");
    let email = "atelier@dupont-batiment.test";
    let password = service.register(&machine, email).await;
    let first = machine.client.link(email, &password, false).await.unwrap();

    machine.client.unlink().await.unwrap();
    assert_eq!(machine.stored_token(), None, "unlink forgets the token");
    assert_eq!(machine.client.status().await.unwrap(), Status::NotLinked);

    machine.reinstall();
    let again = machine.client.link(email, &password, false).await.unwrap();
    assert_eq!(again.this_machine_id, first.this_machine_id);
    let account = machine.linked().await;
    assert_eq!(account.machines.len(), 1, "{:#?}", account.machines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloned_machines_both_stay_linked_and_are_told_apart() {
    let service = Service::start().await;
    let original = Machine::new(&service, "uid-cloned-image", "POSTE-1");
    let email = "clones@dupont-batiment.test";
    let password = service.register(&original, email).await;
    let first = original.client.link(email, &password, false).await.unwrap();

    // The clone: same machine identifier, a copy of the disk (data folder with the
    // machine ID), but a credential store of its own.
    let clone = Machine::new(&service, "uid-cloned-image", "POSTE-2");
    for file in files_under(original.data.path()) {
        let name = file.file_name().unwrap();
        std::fs::copy(&file, clone.data.path().join(name)).unwrap();
    }
    let second = clone.client.link(email, &password, false).await.unwrap();

    assert_ne!(second.this_machine_id, first.this_machine_id);
    let seen_by_original = original.linked().await;
    let seen_by_clone = clone.linked().await;
    assert_eq!(seen_by_original.this_machine_id, first.this_machine_id);
    assert_eq!(seen_by_clone.this_machine_id, second.this_machine_id);
    assert_eq!(seen_by_original.machines.len(), 2);
    assert!(
        seen_by_original.machines.iter().all(|m| m.shares_identity),
        "{:#?}",
        seen_by_original.machines
    );
    assert_ne!(original.stored_token(), clone.stored_token());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_from_a_stale_version_is_refused_and_saves_nothing() {
    let service = Service::start().await;
    let a = Machine::new(&service, "uid-edit-a", "POSTE-A");
    let b = Machine::new(&service, "uid-edit-b", "POSTE-B");
    let email = "edits@dupont-batiment.test";
    let password = service.register(&a, email).await;
    a.client.link(email, &password, false).await.unwrap();
    b.client.link(email, &password, false).await.unwrap();

    let read_by_a = a.client.account().await.unwrap();
    let read_by_b = b.client.account().await.unwrap();
    assert_eq!(read_by_a.version, read_by_b.version);

    let mut from_a = read_by_a.details.clone();
    from_a.company_name = "Dupont Bâtiment et Fils SARL".into();
    let saved = a
        .client
        .edit(&password, read_by_a.version, &from_a)
        .await
        .unwrap();
    assert_eq!(saved.version, read_by_a.version + 1);
    assert_eq!(saved.details.company_name, from_a.company_name);

    let mut from_b = read_by_b.details.clone();
    from_b.phone = "09 87 65 43 21".into();
    from_b.contact_first_name = "Paul".into();
    let refused = b.client.edit(&password, read_by_b.version, &from_b).await;
    assert!(
        matches!(refused, Err(ClientError::ChangedElsewhere)),
        "{refused:?}"
    );

    let now = b.client.account().await.unwrap();
    assert_eq!(now.version, saved.version);
    assert_eq!(now.details.company_name, from_a.company_name);
    assert_eq!(now.details.phone, read_by_b.details.phone);
    assert_eq!(
        now.details.contact_first_name,
        read_by_b.details.contact_first_name
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_last_known_account_is_shown() {
    let mut service = Service::start().await;
    let machine = Machine::new(&service, "uid-offline", "POSTE-NOMADE");
    let never_linked = Machine::new(&service, "uid-offline-new", "POSTE-NEUF");
    let email = "offline@dupont-batiment.test";
    let password = service.register(&machine, email).await;
    let account = machine.client.link(email, &password, false).await.unwrap();

    service.stop().await;

    match machine.client.status().await {
        Ok(Status::Offline { snapshot, reason }) => {
            assert_eq!(snapshot.account.customer_id, account.customer_id);
            assert_eq!(snapshot.account.details.email, email);
            assert!(!snapshot.fetched_at.is_empty());
            assert!(!reason.is_empty());
        }
        other => panic!("expected the offline snapshot: {other:?}"),
    }
    assert!(
        machine.stored_token().is_some(),
        "being offline does not unlink"
    );
    // Editing is impossible offline, and says so.
    let edit = machine
        .client
        .edit(&password, account.version, &account.details)
        .await;
    assert!(matches!(edit, Err(ClientError::Unreachable(_))), "{edit:?}");

    // No token: not linked, without asking the service.
    assert_eq!(
        never_linked.client.status().await.unwrap(),
        Status::NotLinked
    );

    // Linked, but nothing to show: the service is unreachable, and that is the answer.
    machine.wipe_data();
    let status = machine.client.status().await;
    assert!(
        matches!(status, Err(ClientError::Unreachable(_))),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_unlinked_from_elsewhere_forgets_its_token() {
    let service = Service::start().await;
    let a = Machine::new(&service, "uid-admin", "POSTE-ADMIN");
    let b = Machine::new(&service, "uid-dead", "POSTE-MORT");
    let email = "admin@dupont-batiment.test";
    let password = service.register(&a, email).await;
    a.client.link(email, &password, false).await.unwrap();
    let b_id = b
        .client
        .link(email, &password, false)
        .await
        .unwrap()
        .this_machine_id;

    let wrong = a.client.unlink_machine(&b_id, "WRONG-WRONG-WRONG").await;
    assert!(
        matches!(wrong, Err(ClientError::WrongPassword)),
        "{wrong:?}"
    );
    assert!(b.stored_token().is_some());

    a.client.unlink_machine(&b_id, &password).await.unwrap();

    let remaining = a.linked().await.machines;
    assert_eq!(remaining.len(), 1);
    assert_ne!(remaining[0].machine_id, b_id);
    assert_eq!(b.client.status().await.unwrap(), Status::NotLinked);
    assert_eq!(b.stored_token(), None);
    let again = a.client.unlink_machine(&b_id, &password).await;
    assert!(
        matches!(again, Err(ClientError::MachineNotFound)),
        "{again:?}"
    );
}

/// Waits past the end of the service's current 15-minute limit window if it is about to
/// end, so that a handful of attempts all count in the same one.
async fn away_from_a_limit_window_boundary() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let left = 900 - now.as_secs() % 900;
    if left <= 10 {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_refused_then_limited_with_the_time_to_wait() {
    let service = Service::start().await;
    let machine = Machine::new(&service, "uid-typos", "POSTE-TYPO");
    let email = "typos@dupont-batiment.test";
    let password = service.register(&machine, email).await;

    // An unknown address gets the same answer as a wrong password.
    let unknown = machine
        .client
        .link("nobody@dupont-batiment.test", &password, false)
        .await;
    assert!(
        matches!(unknown, Err(ClientError::WrongPassword)),
        "{unknown:?}"
    );

    away_from_a_limit_window_boundary().await;
    for attempt in 1..=5 {
        let result = machine.client.link(email, "ABCD-EFGH-JKLM", false).await;
        assert!(
            matches!(result, Err(ClientError::WrongPassword)),
            "attempt {attempt}: {result:?}"
        );
    }
    for password in ["ABCD-EFGH-JKLM", password.as_str()] {
        match machine.client.link(email, password, false).await {
            Err(ClientError::RateLimited {
                retry_after_seconds,
            }) => assert!(
                (1..=900).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            ),
            other => panic!("expected the limit: {other:?}"),
        }
    }
    assert_eq!(machine.stored_token(), None);
    assert_eq!(machine.client.status().await.unwrap(), Status::NotLinked);
}

// ---------------------------------------------------------------------------------------
// A new e-mail address, confirmed with the code mailed to it
// ---------------------------------------------------------------------------------------

impl Service {
    /// The code in the `nth` mail to `address`.
    async fn code_mailed_to(&self, address: &str, nth: usize) -> String {
        let mail = self.smtp.wait_for_nth(address, nth).await;
        mail.confirmation_code()
            .unwrap_or_else(|| panic!("no code in: {}", mail.text))
    }

    /// Waits for a mail to `address` whose text contains `words`.
    async fn wait_for_mail_saying(&self, address: &str, words: &str) {
        let started = std::time::Instant::now();
        while !self
            .smtp
            .mails_to(address)
            .iter()
            .any(|m| m.text.contains(words))
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no mail to {address} says {words:?}: {:#?}",
                self.smtp.mails_to(address)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The account this machine last saw, as kept in its data folder.
fn snapshot_of(machine: &Machine) -> AccountView {
    LocalState::new(machine.data.path())
        .load(machine.client.service_url())
        .snapshot
        .expect("a snapshot")
        .account
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_email_address_takes_effect_once_confirmed_with_the_code_mailed_to_it() {
    let service = Service::start().await;
    let a = Machine::new(&service, "uid-email-a", "POSTE-A");
    let b = Machine::new(&service, "uid-email-b", "POSTE-B");
    let old = "ancienne@dupont-batiment.test";
    let new = "nouvelle@dupont-batiment.test";
    let password = service.register(&a, old).await;
    a.client.link(old, &password, false).await.unwrap();
    b.client.link(old, &password, false).await.unwrap();

    let read = a.client.account().await.unwrap();
    let mut edited = read.details.clone();
    edited.email = new.into();
    edited.phone = "09 87 65 43 21".into();
    let saved = a
        .client
        .edit(&password, read.version, &edited)
        .await
        .unwrap();
    // The other details are saved; the address waits for its code.
    assert_eq!(saved.details.email, old);
    assert_eq!(saved.details.phone, "0987654321");
    assert_eq!(saved.pending_email.as_deref(), Some(new));
    assert_eq!(snapshot_of(&a).pending_email.as_deref(), Some(new));
    assert_eq!(b.linked().await.pending_email.as_deref(), Some(new));
    let code = service.code_mailed_to(new, 1).await;
    // The account's address is told.
    service.wait_for_mail_saying(old, new).await;

    // A wrong code, then an empty one: refused, and the change still waits.
    let wrong = a
        .client
        .confirm_email(&test_support::wrong_code(&code))
        .await;
    assert!(
        matches!(wrong, Err(ClientError::EmailCodeInvalid)),
        "{wrong:?}"
    );
    match a.client.confirm_email("  ").await {
        Err(ClientError::Fields(fields)) => {
            assert_eq!(fields.len(), 1, "{fields:?}");
            assert_eq!(
                (fields[0].field.as_str(), fields[0].code.as_str()),
                ("code", "empty")
            );
        }
        other => panic!("expected the empty code refused: {other:?}"),
    }
    assert_eq!(a.linked().await.pending_email.as_deref(), Some(new));

    // The right one, typed loosely, from the other machine.
    let loose = code.to_lowercase().replace('-', " ");
    let confirmed = b.client.confirm_email(&loose).await.unwrap();
    assert_eq!(confirmed.details.email, new);
    assert_eq!(confirmed.pending_email, None);
    assert_eq!(snapshot_of(&b).details.email, new, "the snapshot follows");
    assert_eq!(snapshot_of(&b).pending_email, None);
    let seen = a.linked().await;
    assert_eq!(
        (seen.details.email.as_str(), seen.pending_email),
        (new, None)
    );

    // A code works once; the new address links, the old one no longer does.
    let again = a.client.confirm_email(&code).await;
    assert!(
        matches!(again, Err(ClientError::EmailCodeInvalid)),
        "{again:?}"
    );
    let c = Machine::new(&service, "uid-email-c", "POSTE-C");
    let refused = c.client.link(old, &password, false).await;
    assert!(
        matches!(refused, Err(ClientError::WrongPassword)),
        "{refused:?}"
    );
    c.client.link(new, &password, false).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_address_change_is_replaced_kept_or_cancelled() {
    let service = Service::start().await;
    let machine = Machine::new(&service, "uid-email-cancel", "POSTE-ADMIN");
    let old = "admin@leroy.test";
    let first = "direction@leroy.test";
    let second = "gerant@leroy.test";
    let password = service.register(&machine, old).await;
    machine.client.link(old, &password, false).await.unwrap();

    let read = machine.client.account().await.unwrap();
    let mut edited = read.details.clone();
    edited.email = first.into();
    let saved = machine
        .client
        .edit(&password, read.version, &edited)
        .await
        .unwrap();
    assert_eq!(saved.pending_email.as_deref(), Some(first));
    let first_code = service.code_mailed_to(first, 1).await;

    // Another new address replaces the first: its code no longer works.
    edited.email = second.into();
    let saved = machine
        .client
        .edit(&password, saved.version, &edited)
        .await
        .unwrap();
    assert_eq!(saved.pending_email.as_deref(), Some(second));
    let second_code = service.code_mailed_to(second, 1).await;
    let stale = machine.client.confirm_email(&first_code).await;
    assert!(
        matches!(stale, Err(ClientError::EmailCodeInvalid)),
        "{stale:?}"
    );

    // An edit with the account's current address leaves the change waiting.
    let mut other = saved.details.clone();
    other.company_name = "Leroy et Fils SAS".into();
    let saved = machine
        .client
        .edit(&password, saved.version, &other)
        .await
        .unwrap();
    assert_eq!(saved.details.company_name, "Leroy et Fils SAS");
    assert_eq!(saved.pending_email.as_deref(), Some(second));

    // Cancelled: the account keeps its address, the code no longer works; twice is fine.
    let cancelled = machine.client.cancel_email_change().await.unwrap();
    assert_eq!(cancelled.details.email, old);
    assert_eq!(cancelled.pending_email, None);
    assert_eq!(snapshot_of(&machine).pending_email, None);
    let again = machine.client.cancel_email_change().await.unwrap();
    assert_eq!(again.pending_email, None);
    let late = machine.client.confirm_email(&second_code).await;
    assert!(
        matches!(late, Err(ClientError::EmailCodeInvalid)),
        "{late:?}"
    );
    assert_eq!(machine.linked().await.details.email, old);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_address_gets_the_same_answer_but_no_code() {
    let service = Service::start().await;
    let mine = Machine::new(&service, "uid-email-mine", "POSTE-MOI");
    let theirs = Machine::new(&service, "uid-email-theirs", "POSTE-EUX");
    let old = "moi@dupont.test";
    let taken = "eux@martin.test";
    let free = "libre@dupont.test";
    let password = service.register(&mine, old).await;
    service.register(&theirs, taken).await;
    mine.client.link(old, &password, false).await.unwrap();

    let read = mine.client.account().await.unwrap();
    let mut edited = read.details.clone();
    edited.email = taken.into();
    let to_taken = mine
        .client
        .edit(&password, read.version, &edited)
        .await
        .unwrap();
    assert_eq!(to_taken.details.email, old);
    assert_eq!(to_taken.pending_email.as_deref(), Some(taken));
    // The mail to that address says so and carries no code: nothing confirms it.
    let mail = service.smtp.wait_for_nth(taken, 2).await;
    assert_eq!(mail.confirmation_code(), None, "{}", mail.text);
    let refused = mine.client.confirm_email("ABCD-EFGH").await;
    assert!(
        matches!(refused, Err(ClientError::EmailCodeInvalid)),
        "{refused:?}"
    );

    // A free address answers alike.
    let cancelled = mine.client.cancel_email_change().await.unwrap();
    edited.email = free.into();
    let to_free = mine
        .client
        .edit(&password, cancelled.version, &edited)
        .await
        .unwrap();
    assert_eq!(to_free.pending_email.as_deref(), Some(free));
    assert_eq!(to_free.details, to_taken.details);
    assert_eq!(to_free.customer_id, to_taken.customer_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_void_the_change() {
    let service = Service::start().await;
    let machine = Machine::new(&service, "uid-email-typos", "POSTE-TYPO");
    let old = "typos@dupont.test";
    let new = "nouveau-typos@dupont.test";
    let password = service.register(&machine, old).await;
    machine.client.link(old, &password, false).await.unwrap();
    let read = machine.client.account().await.unwrap();
    let mut edited = read.details.clone();
    edited.email = new.into();
    machine
        .client
        .edit(&password, read.version, &edited)
        .await
        .unwrap();
    let code = service.code_mailed_to(new, 1).await;

    away_from_a_limit_window_boundary().await;
    for attempt in 1..=5 {
        let wrong = machine
            .client
            .confirm_email(&test_support::wrong_code(&code))
            .await;
        assert!(
            matches!(wrong, Err(ClientError::EmailCodeInvalid)),
            "attempt {attempt}: {wrong:?}"
        );
    }
    // Voided: even the right code is refused now, and nothing waits any more (or the
    // service says to wait first).
    match machine.client.confirm_email(&code).await {
        Err(ClientError::EmailCodeInvalid) | Err(ClientError::RateLimited { .. }) => {}
        other => panic!("expected the change voided: {other:?}"),
    }
    let account = machine.linked().await;
    assert_eq!(
        (account.details.email.as_str(), account.pending_email),
        (old, None)
    );
}
