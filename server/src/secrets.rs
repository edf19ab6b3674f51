//! Passwords and tokens (machines', console log-ins', the support API's): generated
//! here, stored only as hashes.

use std::sync::Arc;

use tokio::sync::Semaphore;

use account_api::password::{
    format_password, PASSWORD_ALPHABET, PASSWORD_GROUPS, PASSWORD_GROUP_LEN,
};
use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use prometheus_client::metrics::histogram::Histogram;
use rand::Rng as _;
use sha2::{Digest as _, Sha256};

use crate::ids::{AccountId, MachineId};

/// A password in clear, on its way into an e-mail. Not `Debug`, not `Display`.
pub struct ClearPassword(String);

impl ClearPassword {
    /// A password someone typed (an agent's), to hash.
    pub fn typed(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A fresh password: 15 characters of a 32-character alphabet without look-alikes
/// (75 bits), grouped by five so it reads well from an e-mail.
pub fn generate_password() -> ClearPassword {
    let mut rng = rand::rng();
    let raw: String = (0..PASSWORD_GROUPS * PASSWORD_GROUP_LEN)
        .map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char)
        .collect();
    ClearPassword(format_password(&raw))
}

/// A code confirming a new e-mail address: 8 characters of the password alphabet
/// (40 bits), shown as `XXXX-XXXX`. Short-lived and limited to a few tries.
pub fn generate_email_code() -> ClearPassword {
    let mut rng = rand::rng();
    let raw: String = (0..8)
        .map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char)
        .collect();
    ClearPassword(format!("{}-{}", &raw[..4], &raw[4..]))
}

/// A fresh enrollment key: 30 characters of the password alphabet (about 148 bits),
/// grouped by five. Shown once to whoever creates it; only [`enrollment_key_hash`] is kept.
pub fn generate_enrollment_key() -> ClearPassword {
    let mut rng = rand::rng();
    let raw: String = (0..ENROLLMENT_KEY_LEN)
        .map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char)
        .collect();
    ClearPassword(format_password(&raw))
}

const ENROLLMENT_KEY_LEN: usize = 30;

/// What is stored of an enrollment key, in the form it is typed or pasted back (any case,
/// spaces or dashes). Keys are long and random: a fast hash is enough.
pub fn enrollment_key_hash(typed: &str) -> String {
    token_hash(&account_api::wire::normalize_enrollment_key(typed))
}

/// What is stored of an e-mail confirmation code: bound to its account, in the form a
/// user types it back (any case, spaces or dashes).
pub fn email_code_hash(account_id: AccountId, typed: &str) -> String {
    let canonical = account_api::password::normalize_typed_password(typed);
    hex::encode(Sha256::digest(format!(
        "email-code:{account_id}:{canonical}"
    )))
}

/// Constant-time comparison of two stored digests.
pub fn same_digest(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// 256 random bits, URL-safe: the text of every token the service hands out.
fn random_token() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token type: generated here, shown once, stored only as its [`token_hash`]. One type
/// per use so a machine's token can never be handed out as a console cookie.
macro_rules! random_token_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(random_token())
            }

            pub fn expose(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

random_token_type!(
    /// The secret a linked machine keeps in its credential store.
    MachineToken
);
random_token_type!(
    /// An agent's console log-in, in its cookie.
    SessionToken
);
random_token_type!(
    /// A console form's CSRF token (per log-in, or for the log-in form itself).
    CsrfToken
);
random_token_type!(
    /// A token of the support API, for an integration acting as an agent.
    ApiToken
);

/// What the service stores of a machine token: tokens are random and long, so a fast
/// hash is enough to make a stolen table useless.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random machine ID (128 bits, hex).
pub fn new_machine_id() -> MachineId {
    MachineId::parse(&random_hex_id()).expect("128 random bits are 32 hexadecimal digits")
}

/// A name for this run of the service, as its mail claims and heartbeat give it.
pub fn new_instance_id() -> String {
    random_hex_id()
}

fn random_hex_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// The key that seals mail bodies in the outbox (AES-256-GCM), so that a password or a
/// code waiting to be sent — for seconds, or hours during a mail server's outage — is
/// never on disk in clear. It lives outside the database: a file beside it, or a
/// setting; every instance sharing a database needs the same key.
pub struct OutboxKey(aws_lc_rs::aead::LessSafeKey);

/// What a sealed body starts with (a body without it predates sealing).
const SEALED_PREFIX: &str = "sealed-v1:";

#[derive(Debug, thiserror::Error)]
pub enum OutboxKeyError {
    #[error("the outbox key must be 32 bytes in base64 (openssl rand -base64 32)")]
    Malformed,
    #[error("cannot read or create the outbox key file {path}: {source}")]
    File {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("a mail body cannot be opened with this outbox key")]
    Open,
}

impl OutboxKey {
    pub fn from_base64(text: &str) -> Result<Self, OutboxKeyError> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| OutboxKeyError::Malformed)?;
        Self::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, OutboxKeyError> {
        use aws_lc_rs::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| OutboxKeyError::Malformed)?;
        Ok(Self(LessSafeKey::new(key)))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        Self::from_bytes(&bytes).expect("32 bytes make an AES-256 key")
    }

    /// The key in `path`; created (readable by its owner only) if the file is missing.
    pub fn load_or_create(path: &std::path::Path) -> Result<Self, OutboxKeyError> {
        use base64::Engine as _;
        let error = |source| OutboxKeyError::File {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(error)?;
                }
                let bytes: [u8; 32] = rand::rng().random();
                let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut file) => {
                        std::io::Write::write_all(&mut file, format!("{text}\n").as_bytes())
                            .map_err(error)?;
                        file.sync_all().map_err(error)?;
                        Self::from_bytes(&bytes)
                    }
                    // Another instance created it first: use theirs.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::from_base64(&std::fs::read_to_string(path).map_err(error)?)
                    }
                    Err(err) => Err(error(err)),
                }
            }
            Err(err) => Err(error(err)),
        }
    }

    /// A value that tells keys apart without revealing them (a key check value: the
    /// AES-GCM tag of nothing, under a nonce and label used for nothing else). Kept in the
    /// database, it shows whether every instance seals mail with the same key.
    pub fn check_value(&self) -> String {
        use aws_lc_rs::aead::{Aad, Nonce};
        let mut nothing = Vec::new();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key([0xff; 12]),
                Aad::from(b"customer-account outbox key check 1".as_slice()),
                &mut nothing,
            )
            .expect("AES-GCM tags an empty message");
        hex::encode(nothing)
    }

    /// The body as stored: encrypted, bound to its recipient.
    pub fn seal(&self, recipient: &str, body: &str) -> String {
        use aws_lc_rs::aead::{Aad, Nonce};
        use base64::Engine as _;
        let nonce: [u8; 12] = rand::rng().random();
        let mut sealed = body.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(recipient.as_bytes()),
                &mut sealed,
            )
            .expect("AES-GCM seals any mail-sized body");
        let mut stored = nonce.to_vec();
        stored.extend(sealed);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(stored)
        )
    }

    /// The body in clear, from what `seal` stored (or a body stored before sealing).
    pub fn open(&self, recipient: &str, stored: &str) -> Result<String, OutboxKeyError> {
        use aws_lc_rs::aead::{Aad, Nonce};
        use base64::Engine as _;
        let Some(encoded) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| OutboxKeyError::Open)?;
        if bytes.len() < 12 {
            return Err(OutboxKeyError::Open);
        }
        let mut sealed = bytes.split_off(12);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| OutboxKeyError::Open)?;
        let clear = self
            .0
            .open_in_place(nonce, Aad::from(recipient.as_bytes()), &mut sealed)
            .map_err(|_| OutboxKeyError::Open)?;
        String::from_utf8(clear.to_vec()).map_err(|_| OutboxKeyError::Open)
    }
}

/// argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), run off the async
/// runtime on threads of their own at the lowest priority, one fewer at once than the
/// cores (at least one), so that
/// however many password checks arrive, they wait their turn while the account read and
/// every other request keep a core; and a burst cannot take memory beyond 19 MiB a thread.
#[derive(Clone)]
pub struct PasswordHasher {
    /// One per hash that may run at once; held by the hash itself, to its end.
    permits: Arc<Semaphore>,
    params: Params,
    /// Verified against when the address has no account, so both cases take as long.
    dummy_hash: Arc<str>,
    /// Seconds each hash or check waited for its turn (the metrics' histogram).
    queue_wait: Histogram,
}

/// How many hashes run at once on a machine with `cores` cores.
fn hashing_threads(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHasher {
    pub fn new() -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let dummy_hash = hash_with(&params, "not-a-real-password").expect("argon2 works");
        Self {
            permits: Arc::new(Semaphore::new(hashing_threads(cores))),
            params,
            dummy_hash: dummy_hash.into(),
            queue_wait: Histogram::new([]),
        }
    }

    /// Records the time each hash or check waits for its turn in `queue_wait` (the
    /// service's metrics), instead of nowhere.
    pub fn with_queue_wait(mut self, queue_wait: Histogram) -> Self {
        self.queue_wait = queue_wait;
        self
    }

    pub async fn hash(&self, password: &ClearPassword) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        let params = self.params.clone();
        self.blocking(move || hash_with(&params, &password)).await?
    }

    /// Whether `typed` matches `phc`. Malformed stored hashes count as a mismatch.
    pub async fn verify(&self, typed: &str, phc: &str) -> Result<bool, HashError> {
        let typed = typed.to_owned();
        let phc = phc.to_owned();
        self.blocking(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            Argon2::default()
                .verify_password(typed.as_bytes(), &parsed)
                .is_ok()
        })
        .await
    }

    /// Spends the time of one verification, for answers that must not be faster.
    pub async fn verify_nothing(&self, typed: &str) -> Result<(), HashError> {
        let dummy = self.dummy_hash.to_string();
        self.verify(typed, &dummy).await.map(|_| ())
    }

    /// Hashes `password` with the salt and parameters of `like` (the account's password
    /// hash), so that [`Self::verify_among`] checks both in one run.
    pub async fn hash_like(
        &self,
        password: &ClearPassword,
        like: &str,
    ) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        let like = like.to_owned();
        let params = self.params.clone();
        self.blocking(move || {
            let salt = PasswordHash::new(&like)
                .ok()
                .and_then(|parsed| parsed.salt)
                .and_then(|salt| SaltString::from_b64(salt.as_str()).ok());
            match salt {
                Some(salt) => hash_with_salt(&params, &password, &salt),
                None => hash_with(&params, &password),
            }
        })
        .await?
    }

    /// Which of `candidates` matches `typed`, in exactly one argon2 run whatever the
    /// candidates: they share the first one's salt (see [`Self::hash_like`]), so one
    /// computed hash is compared with each (in constant time). With no candidate (no
    /// such account) the run is against a dummy hash, so every case takes as long.
    pub async fn verify_among(
        &self,
        typed: &str,
        candidates: Vec<String>,
    ) -> Result<Option<usize>, HashError> {
        let typed = typed.to_owned();
        let dummy = self.dummy_hash.to_string();
        self.blocking(move || {
            let reference = candidates
                .first()
                .and_then(|c| PasswordHash::new(c).ok())
                .and_then(|parsed| ComputeWith::of(&parsed))
                .or_else(|| {
                    PasswordHash::new(&dummy)
                        .ok()
                        .and_then(|p| ComputeWith::of(&p))
                })?;
            let computed = reference.run(&typed)?;
            let mut found = None;
            for (index, candidate) in candidates.iter().enumerate() {
                let Ok(parsed) = PasswordHash::new(candidate) else {
                    continue;
                };
                let same_input = ComputeWith::of(&parsed).is_some_and(|c| c == reference);
                // Output's equality is constant-time.
                if same_input && parsed.hash == Some(computed) && found.is_none() {
                    found = Some(index);
                }
            }
            found
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let queued = std::time::Instant::now();
        // A request that gives up while waiting (timed out, hung up) costs no hash.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|err| HashError(err.to_string()))?;
        self.queue_wait.observe(queued.elapsed().as_secs_f64());
        // A thread of its own per hash (its start costs microseconds, a hash tens of
        // milliseconds), so the lowered priority stays with hashing and never reaches
        // tokio's other blocking work. The permit goes with the work: a request dropped
        // mid-hash does not free a place while its hash still runs, and a hash that
        // panics frees it as it unwinds (where panics unwind: the release build aborts).
        let (answer, answered) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("password-hash".into())
            .spawn(move || {
                let _permit = permit;
                give_way_to_requests();
                let _ = answer.send(work());
            })
            .map_err(|err| HashError(err.to_string()))?;
        answered
            .await
            .map_err(|_| HashError("the hashing thread stopped".into()))
    }
}

/// Puts the calling thread at the lowest priority, so that hashing uses what the other
/// requests leave of the cores: a queue of password checks no longer takes a core's
/// fair share from the account reads (measured: reads under 50 checks a second, 15–35 %
/// more served and a p99 10–20 % shorter). On Linux the nice value is per thread, and
/// raising it needs no privilege.
#[cfg(target_os = "linux")]
fn give_way_to_requests() {
    // SAFETY: setpriority only reads its integer arguments; 0 is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICE);
    }
}

#[cfg(not(target_os = "linux"))]
fn give_way_to_requests() {}

/// The nice value of a hashing thread (19 is the lowest priority).
#[cfg(target_os = "linux")]
const HASHING_NICE: libc::c_int = 19;

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_with(params: &Params, password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hash_with_salt(params, password, &salt)
}

fn hash_with_salt(params: &Params, password: &str, salt: &SaltString) -> Result<String, HashError> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), salt)
        .map(|hash| hash.to_string())
        .map_err(|err| HashError(err.to_string()))
}

/// What one argon2 run takes from a stored hash: algorithm, version, parameters, salt.
#[derive(PartialEq)]
struct ComputeWith {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: SaltString,
}

impl ComputeWith {
    fn of(parsed: &PasswordHash<'_>) -> Option<Self> {
        Some(Self {
            algorithm: Algorithm::try_from(parsed.algorithm).ok()?,
            version: Version::try_from(parsed.version.unwrap_or(0x13)).ok()?,
            params: Params::try_from(parsed).ok()?,
            salt: SaltString::from_b64(parsed.salt?.as_str()).ok()?,
        })
    }

    fn run(&self, typed: &str) -> Option<argon2::password_hash::Output> {
        Argon2::new(self.algorithm, self.version, self.params.clone())
            .hash_password(typed.as_bytes(), &self.salt)
            .ok()?
            .hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use account_api::password::normalize_typed_password;

    #[test]
    fn generated_passwords_are_grouped_and_from_the_alphabet() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let password = generate_password();
            let text = password.expose();
            let groups: Vec<&str> = text.split('-').collect();
            assert_eq!(groups.len(), PASSWORD_GROUPS);
            for group in groups {
                assert_eq!(group.len(), PASSWORD_GROUP_LEN);
                assert!(group.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
            }
            // What a user types back, in lower case and without dashes, is the same.
            let typed = text.replace('-', " ").to_lowercase();
            assert_eq!(normalize_typed_password(&typed), text);
            assert!(seen.insert(text.to_owned()), "a password repeated");
        }
        let bits =
            (PASSWORD_GROUPS * PASSWORD_GROUP_LEN) as f64 * (PASSWORD_ALPHABET.len() as f64).log2();
        assert!(bits >= 60.0, "only {bits} bits");
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hasher = PasswordHasher::new();
        let password = generate_password();
        let phc = hasher.hash(&password).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains(password.expose()));
        assert!(hasher.verify(password.expose(), &phc).await.unwrap());
        assert!(!hasher.verify("WRONG-WRONG-WRONG", &phc).await.unwrap());
        assert!(!hasher.verify(password.expose(), "garbage").await.unwrap());
    }

    #[tokio::test]
    async fn one_run_checks_the_password_and_every_requested_one() {
        let hasher = PasswordHasher::new();
        let current = generate_password();
        let current_hash = hasher.hash(&current).await.unwrap();
        let requested: Vec<ClearPassword> = (0..3).map(|_| generate_password()).collect();
        let mut candidates = vec![current_hash.clone()];
        for p in &requested {
            let hash = hasher.hash_like(p, &current_hash).await.unwrap();
            assert_ne!(hash, current_hash);
            assert!(hasher.verify(p.expose(), &hash).await.unwrap());
            candidates.push(hash);
        }
        let found = |typed: String| {
            let candidates = candidates.clone();
            let hasher = hasher.clone();
            async move { hasher.verify_among(&typed, candidates).await.unwrap() }
        };
        assert_eq!(found(current.expose().to_owned()).await, Some(0));
        for (i, p) in requested.iter().enumerate() {
            assert_eq!(found(p.expose().to_owned()).await, Some(i + 1));
        }
        assert_eq!(found("WRONG-WRONG-WRONG".into()).await, None);
        // No account: nothing matches, the run still happens.
        assert_eq!(
            hasher
                .verify_among(current.expose(), Vec::new())
                .await
                .unwrap(),
            None
        );
        // A hash with another salt never matches through the shared run.
        let other = hasher.hash(&requested[0]).await.unwrap();
        assert_eq!(
            hasher
                .verify_among(requested[0].expose(), vec![current_hash.clone(), other])
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_hash_that_panics_is_an_error_and_frees_its_place() {
        let hasher = PasswordHasher::new();
        let places = hashing_threads(std::thread::available_parallelism().map_or(2, |n| n.get()));
        for _ in 0..places + 1 {
            let failed = hasher
                .blocking(|| -> bool { panic!("a hash that fails") })
                .await;
            assert!(failed.is_err());
        }
        let password = generate_password();
        let phc = hasher.hash(&password).await.unwrap();
        assert!(hasher.verify(password.expose(), &phc).await.unwrap());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_below_the_requests_priority() {
        let priority = || {
            // SAFETY: getpriority only reads its integer arguments.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
        };
        let before = priority();
        let hasher = PasswordHasher::new();
        assert_eq!(hasher.blocking(priority).await.unwrap(), HASHING_NICE);
        // The caller's own thread, and so the runtime's, keep theirs.
        assert_eq!(priority(), before);
        assert_eq!(
            tokio::task::spawn_blocking(priority).await.unwrap(),
            before,
            "tokio's blocking threads keep their priority"
        );
    }

    #[test]
    fn hashing_leaves_a_core_for_the_other_requests() {
        assert_eq!(hashing_threads(1), 1);
        assert_eq!(hashing_threads(2), 1);
        assert_eq!(hashing_threads(8), 7);
    }

    #[test]
    fn sealed_bodies_open_only_with_their_key_and_recipient() {
        let key = OutboxKey::generate();
        let body = "Mot de passe : ABCDE-FGHJK-LMNPQ";
        let sealed = key.seal("a@example.fr", body);
        assert!(!sealed.contains("ABCDE"), "{sealed}");
        assert_ne!(
            key.seal("a@example.fr", body),
            sealed,
            "a fresh nonce each time"
        );
        assert_eq!(key.open("a@example.fr", &sealed).unwrap(), body);
        assert!(key.open("b@example.fr", &sealed).is_err());
        assert!(OutboxKey::generate().open("a@example.fr", &sealed).is_err());
        // The check value tells keys apart, the same for the same key.
        assert_eq!(key.check_value(), key.check_value());
        assert_ne!(key.check_value(), OutboxKey::generate().check_value());
        assert_eq!(key.check_value().len(), 32);
        // A body stored before sealing is sent as it is.
        assert_eq!(key.open("a@example.fr", "plain").unwrap(), "plain");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/outbox.key");
        let first = OutboxKey::load_or_create(&path).unwrap();
        let again = OutboxKey::load_or_create(&path).unwrap();
        assert_eq!(
            again
                .open("a@example.fr", &first.seal("a@example.fr", body))
                .unwrap(),
            body
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        assert!(OutboxKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = MachineToken::generate();
        let b = MachineToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().len() >= 43);
        let hash = token_hash(a.expose());
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a.expose());
        assert_eq!(new_machine_id().as_str().len(), 32);
    }
}
