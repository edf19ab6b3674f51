//! One computer, as the client library or the program sees it: its identity (machine
//! identifier and name), its data folder, its user's folders, and its credential store.
//!
//! The program uses the credential store's own namespace (the real one, so the test must
//! run in a session with a Secret Service); a machine made `with_own_store` keeps its
//! token under a namespace no other test uses, which stands for that machine's store.

use std::{
    collections::BTreeSet,
    ffi::OsString,
    path::{Path, PathBuf},
    sync::Mutex,
};

use account_client::{
    credentials::{self, CredentialStore},
    identity::{fingerprint_of, IdentityOverrides},
    AccountClient, ClientConfig,
};

use crate::program::{finish, Run};

pub struct Machine {
    /// What the OS would give as the machine identifier (a disk image clone keeps it).
    pub uid: String,
    /// The computer's name, as the service lists it.
    pub name: String,
    home: tempfile::TempDir,
    /// `None`: the credential store's default namespace, as the program uses it.
    namespace: Option<String>,
    /// Keys this machine's clients filed tokens under, forgotten when it is dropped.
    keys: Mutex<BTreeSet<String>>,
    /// More of the program's environment (an installer's preset, say).
    extra: Vec<(&'static str, OsString)>,
}

impl Machine {
    /// A machine with an identifier no other test uses.
    pub fn new(name: &str) -> Self {
        Self::with_uid(&crate::unique(name), name)
    }

    /// A machine with the identifier `uid` (two machines with the same one are clones).
    pub fn with_uid(uid: &str, name: &str) -> Self {
        Self {
            uid: uid.to_owned(),
            name: name.to_owned(),
            home: tempfile::tempdir().unwrap(),
            namespace: None,
            keys: Mutex::default(),
            extra: Vec::new(),
        }
    }

    /// The same machine, where the installer left an enrollment key at `path`.
    pub fn with_enrollment_key_preset(mut self, path: &Path) -> Self {
        self.extra.push((
            "CUSTOMER_ACCOUNT_ENROLLMENT_KEY_PRESET",
            path.as_os_str().to_owned(),
        ));
        self
    }

    /// The same machine with a credential-store namespace of its own (for the client
    /// library, which can be told one; the program always uses the default).
    pub fn with_own_store(mut self) -> Self {
        self.namespace = Some(crate::unique(&format!(
            "customer-account-test-{}",
            self.name
        )));
        self
    }

    /// The user's home on this machine: everything the program writes stays under it.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The app's data folder (machine ID, last known account).
    pub fn data_dir(&self) -> PathBuf {
        self.home().join("data")
    }

    /// Deletes everything in the data folder, as an uninstall would.
    pub fn wipe_data(&self) {
        let _ = std::fs::remove_dir_all(self.data_dir());
        std::fs::create_dir_all(self.data_dir()).unwrap();
    }

    /// Where the window's log files go (tauri-plugin-log's log folder for the app).
    pub fn log_dir(&self) -> PathBuf {
        self.home().join("share/com.customer-account.desktop/logs")
    }

    /// What the program sees on this machine: its identity, data folder and the user's
    /// folders (where the window keeps its size and place, and its log).
    /// The user's language is English unless a test says otherwise (`--lang`).
    pub fn environment(&self) -> Vec<(&'static str, OsString)> {
        let home = self.home();
        let mut environment = vec![
            ("CUSTOMER_ACCOUNT_MACHINE_UID", self.uid.clone().into()),
            ("CUSTOMER_ACCOUNT_MACHINE_NAME", self.name.clone().into()),
            ("CUSTOMER_ACCOUNT_DATA_DIR", self.data_dir().into()),
            ("CUSTOMER_ACCOUNT_LANG", "en".into()),
            // Nothing of the program may land in the user's home but its data folder.
            ("HOME", home.into()),
            ("XDG_CONFIG_HOME", home.join("config").into()),
            ("XDG_DATA_HOME", home.join("share").into()),
            ("XDG_CACHE_HOME", home.join("cache").into()),
        ];
        environment.extend(self.extra.iter().cloned());
        environment
    }

    /// `program` on this machine, talking to the service at `service_url`, as the host
    /// software or a script launches it.
    pub fn command(
        &self,
        program: impl AsRef<Path>,
        service_url: &str,
        args: &[&str],
    ) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program.as_ref());
        command
            .args(args)
            .env("CUSTOMER_ACCOUNT_SERVICE_URL", service_url)
            .envs(self.environment())
            .kill_on_drop(true);
        command
    }

    /// Runs `program` with `args` to its end, typing `stdin` and Enter first.
    pub async fn run(
        &self,
        program: impl AsRef<Path>,
        service_url: &str,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Run {
        finish(self.command(program, service_url, args), stdin).await
    }

    /// The client library on this machine, talking to the service at `service_url`.
    pub fn client(&self, service_url: &str) -> AccountClient {
        std::fs::create_dir_all(self.data_dir()).unwrap();
        let client = AccountClient::new(ClientConfig {
            service_url: service_url.into(),
            data_dir: Some(self.data_dir()),
            identity: IdentityOverrides {
                machine_uid: Some(self.uid.clone()),
                machine_name: Some(self.name.clone()),
            },
            app_version: "1.0.0-test".into(),
            credential_namespace: self.namespace.clone(),
        })
        .expect("the client starts");
        self.keys
            .lock()
            .unwrap()
            .insert(self.token_key(client.service_url()));
        client
    }

    /// The credential store this machine's token is kept in.
    pub fn store(&self) -> CredentialStore {
        match &self.namespace {
            Some(namespace) => CredentialStore::open_as(namespace),
            None => CredentialStore::open(),
        }
        .expect("a credential store")
    }

    /// The key the client files this machine's token under, for the service at
    /// `service_url`.
    pub fn token_key(&self, service_url: &str) -> String {
        credentials::token_key(service_url, &fingerprint_of(&self.uid))
    }

    /// The machine token this machine's credential store holds for `service_url`, read
    /// outside any async runtime (the store's client blocks).
    pub fn token(&self, service_url: &str) -> Option<String> {
        let store = self.store();
        let key = self.token_key(service_url);
        std::thread::spawn(move || store.load(&key))
            .join()
            .unwrap()
            .expect("the credential store answers")
    }
}

impl Drop for Machine {
    /// Leaves no entry behind in a namespace of its own (in a developer's real store).
    fn drop(&mut self) {
        let Some(namespace) = &self.namespace else {
            return;
        };
        if let Ok(store) = CredentialStore::open_as(namespace) {
            let keys = std::mem::take(&mut *self.keys.lock().unwrap());
            let _ = std::thread::spawn(move || {
                for key in keys {
                    let _ = store.delete(&key);
                }
            })
            .join();
        }
    }
}
