//! Passwords and machine tokens: generated here, stored only as hashes.

use std::sync::Arc;

use account_api::password::{
    format_password, PASSWORD_ALPHABET, PASSWORD_GROUPS, PASSWORD_GROUP_LEN,
};
use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use tokio::sync::Semaphore;

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

/// A machine token: 256 random bits, URL-safe.
pub struct MachineToken(String);

impl MachineToken {
    pub fn generate() -> Self {
        use base64::Engine as _;
        let bytes: [u8; 32] = rand::rng().random();
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// What the service stores of a machine token: tokens are random and long, so a fast
/// hash is enough to make a stolen table useless.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random machine ID (128 bits, hex).
pub fn new_machine_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), run off the async
/// runtime, a bounded number at a time so a burst of logins cannot exhaust memory.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    /// Verified against when the address has no account, so both cases take as long.
    dummy_hash: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHasher {
    pub fn new() -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
        let concurrency = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .max(2);
        let dummy_hash = hash_with(&params, "not-a-real-password").expect("argon2 works");
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            params,
            dummy_hash: dummy_hash.into(),
        }
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

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|err| HashError(err.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|err| HashError(err.to_string()))
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_with(params: &Params, password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| HashError(err.to_string()))
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

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = MachineToken::generate();
        let b = MachineToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().len() >= 43);
        let hash = token_hash(a.expose());
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a.expose());
        assert_eq!(new_machine_id().len(), 32);
    }
}
