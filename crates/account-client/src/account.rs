//! The operations a user performs, each keeping the service, the credential store and
//! the data folder consistent.

use std::path::PathBuf;

use account_api::{
    domain::Language,
    wire::{
        AccountDetails, AccountView, EditRequest, EmailConfirmationRequest, EnrollmentKeyCreated,
        EnrollmentKeyRequest, EnrollmentKeyView, KeyLinkRequest, LinkRequest, LinkResponse,
        MachineInfo, PasswordRequest, UnlinkStaleRequest,
    },
};

use crate::{
    api::ApiClient,
    credentials::{CredentialError, CredentialStore},
    error::ClientError,
    identity::{IdentityOverrides, MachineIdentity},
    local::{LocalState, Snapshot},
};

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub service_url: String,
    /// The data folder; `None`: the per-user default.
    pub data_dir: Option<PathBuf>,
    pub identity: IdentityOverrides,
    pub app_version: String,
    /// The credential store's service name; `None`: the product's.
    pub credential_namespace: Option<String>,
}

impl ClientConfig {
    /// The data folder this configuration's client keeps its local state in.
    fn local_state(&self) -> Result<LocalState, ClientError> {
        let dir = self
            .data_dir
            .clone()
            .or_else(LocalState::default_dir)
            .ok_or_else(|| ClientError::Unexpected("no data folder for this user".into()))?;
        Ok(LocalState::new(dir))
    }

    /// The last account snapshot this configuration's client kept, read from the data
    /// folder alone — no credential store, no network, no client to build: what a window
    /// can show at once, marked as being refreshed, until `AccountClient::status` answers.
    pub fn last_snapshot(&self) -> Option<Snapshot> {
        let service_url = crate::api::normalize_service_url(&self.service_url).ok()?;
        self.local_state().ok()?.load(&service_url).snapshot
    }
}

/// Where this machine stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotLinked,
    Linked(AccountView),
    /// The service cannot be reached: the last account data this machine saw.
    Offline {
        snapshot: Snapshot,
        reason: String,
    },
}

pub struct AccountClient {
    api: ApiClient,
    /// Opened when first needed: registering or asking for a password needs no token.
    store: Result<CredentialStore, CredentialError>,
    identity: MachineIdentity,
    local: LocalState,
    app_version: String,
}

impl AccountClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let api = ApiClient::new(&config.service_url, &config.app_version)?;
        let store = match &config.credential_namespace {
            Some(namespace) => CredentialStore::open_as(namespace),
            None => CredentialStore::open(),
        };
        Ok(Self {
            api,
            store,
            identity: MachineIdentity::detect(&config.identity)?,
            local: config.local_state()?,
            app_version: config.app_version,
        })
    }

    pub fn service_url(&self) -> &str {
        self.api.base_url()
    }

    pub fn identity(&self) -> &MachineIdentity {
        &self.identity
    }

    /// The credential entry of this machine's token: one per service and machine.
    fn token_key(&self) -> String {
        crate::credentials::token_key(self.api.base_url(), &self.identity.fingerprint)
    }

    fn store(&self) -> Result<CredentialStore, ClientError> {
        self.store.clone().map_err(ClientError::from)
    }

    async fn token(&self) -> Result<Option<String>, ClientError> {
        let store = self.store()?;
        let key = self.token_key();
        Ok(blocking(move || store.load(&key)).await??)
    }

    async fn forget_link(&self) -> Result<(), ClientError> {
        let store = self.store()?;
        let key = self.token_key();
        blocking(move || store.delete(&key)).await??;
        self.local
            .update(self.api.base_url(), |s| s.snapshot = None)
    }

    fn forget_snapshot(&self) -> Result<(), ClientError> {
        let base = self.api.base_url();
        if self.local.load(base).snapshot.is_none() {
            return Ok(());
        }
        self.local.update(base, |s| s.snapshot = None)
    }

    fn remember(&self, account: &AccountView) -> Result<(), ClientError> {
        let snapshot = Snapshot {
            account: account.clone(),
            fetched_at: now_rfc3339(),
        };
        self.local.update(self.api.base_url(), |s| {
            s.machine_id = Some(account.this_machine_id.clone());
            s.snapshot = Some(snapshot);
        })
    }

    /// The account as the service sees it now, or the last one seen when the service
    /// cannot be reached. A token the service no longer knows (this machine was unlinked
    /// from elsewhere) is forgotten.
    pub async fn status(&self) -> Result<Status, ClientError> {
        let Some(token) = self.token().await? else {
            // No token (the credential store lost it): a snapshot left would be painted at
            // the next start as this computer's account.
            self.forget_snapshot()?;
            return Ok(Status::NotLinked);
        };
        match self.api.account(&token).await {
            Ok(account) => {
                self.remember(&account)?;
                Ok(Status::Linked(account))
            }
            Err(ClientError::NotLinked) => {
                self.forget_link().await?;
                Ok(Status::NotLinked)
            }
            Err(ClientError::Unreachable(reason)) => {
                match self.local.load(self.api.base_url()).snapshot {
                    Some(snapshot) => Ok(Status::Offline { snapshot, reason }),
                    None => Err(ClientError::Unreachable(reason)),
                }
            }
            Err(err) => Err(err),
        }
    }

    /// The account, fresh from the service (no cached fallback).
    pub async fn account(&self) -> Result<AccountView, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let account = self.api.account(&token).await?;
        self.remember(&account)?;
        Ok(account)
    }

    pub async fn register(&self, details: &AccountDetails) -> Result<(), ClientError> {
        self.api.register(details).await
    }

    pub async fn request_password(
        &self,
        email: &str,
        language: Option<Language>,
    ) -> Result<(), ClientError> {
        self.api
            .request_password(&PasswordRequest {
                email: email.to_owned(),
                language: language.map(|l| l.as_str().to_owned()),
            })
            .await
    }

    /// Links this machine; the token goes to the credential store, the machine ID and the
    /// account snapshot to the data folder.
    pub async fn link(
        &self,
        email: &str,
        password: &str,
        move_machine: bool,
    ) -> Result<AccountView, ClientError> {
        let token = self.token().await?;
        let request = LinkRequest {
            email: email.to_owned(),
            password: password.to_owned(),
            machine: self.machine_info(),
            move_machine,
        };
        let linked = self.api.link(&request, token.as_deref()).await?;
        self.keep_link(linked).await
    }

    /// Links this machine with an enrollment key (as typed or read from a file: case,
    /// spaces and dashes do not matter); kept like a password link.
    pub async fn link_with_key(
        &self,
        enrollment_key: &str,
        move_machine: bool,
    ) -> Result<AccountView, ClientError> {
        let token = self.token().await?;
        let request = KeyLinkRequest {
            enrollment_key: enrollment_key.trim().to_owned(),
            machine: self.machine_info(),
            move_machine,
        };
        let linked = self.api.link_with_key(&request, token.as_deref()).await?;
        self.keep_link(linked).await
    }

    fn machine_info(&self) -> MachineInfo {
        MachineInfo {
            fingerprint: self.identity.fingerprint.clone(),
            name: self.identity.name.clone(),
            os: self.identity.os().to_owned(),
            app_version: self.app_version.clone(),
            machine_id: self.local.load(self.api.base_url()).machine_id,
        }
    }

    /// The token to the credential store, the account to the data folder.
    async fn keep_link(&self, linked: LinkResponse) -> Result<AccountView, ClientError> {
        let store = self.store()?;
        let key = self.token_key();
        let token = linked.token.clone();
        if let Err(err) = blocking(move || store.save(&key, &token)).await? {
            // A link nobody can use would stay listed on the account: revoke it.
            let _ = self.api.unlink_this_machine(&linked.token).await;
            return Err(err.into());
        }
        self.remember(&linked.account)?;
        Ok(linked.account)
    }

    /// Creates an enrollment key for the account (password required); the key is in the
    /// answer only.
    pub async fn create_enrollment_key(
        &self,
        password: &str,
        label: &str,
        uses: Option<i64>,
        valid_days: Option<i64>,
    ) -> Result<EnrollmentKeyCreated, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let request = EnrollmentKeyRequest {
            password: password.to_owned(),
            label: label.to_owned(),
            uses,
            valid_days,
        };
        self.api.create_enrollment_key(&token, &request).await
    }

    pub async fn enrollment_keys(&self) -> Result<Vec<EnrollmentKeyView>, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        self.api.enrollment_keys(&token).await
    }

    pub async fn revoke_enrollment_key(&self, key_id: i64) -> Result<(), ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        self.api.revoke_enrollment_key(&token, key_id).await
    }

    /// Unlinks, in one step, the computers listed to the user as not seen for
    /// `not_seen_days` days (password required). The IDs unlinked.
    pub async fn unlink_stale_machines(
        &self,
        password: &str,
        not_seen_days: i64,
        machine_ids: &[String],
    ) -> Result<Vec<String>, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let request = UnlinkStaleRequest {
            password: password.to_owned(),
            not_seen_days,
            machine_ids: machine_ids.to_vec(),
        };
        let answer = self.api.unlink_stale_machines(&token, &request).await?;
        self.remember(&answer.account)?;
        Ok(answer.unlinked)
    }

    /// Validate: saves the details the user edited from `version`.
    pub async fn edit(
        &self,
        password: &str,
        version: i64,
        details: &AccountDetails,
    ) -> Result<AccountView, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let request = EditRequest {
            password: password.to_owned(),
            version,
            details: details.clone(),
        };
        let account = self.api.edit(&token, &request).await?;
        self.remember(&account)?;
        Ok(account)
    }

    /// Makes the pending new e-mail address the account's, with the code mailed to it
    /// (sent as typed: the service ignores case, spaces and dashes). A wrong or expired
    /// code, or no pending change: `EmailCodeInvalid`.
    pub async fn confirm_email(&self, code: &str) -> Result<AccountView, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let request = EmailConfirmationRequest {
            code: code.trim().to_owned(),
        };
        let account = self.api.confirm_email(&token, &request).await?;
        self.remember(&account)?;
        Ok(account)
    }

    /// Drops the pending change of e-mail address, if any: the account keeps its address.
    pub async fn cancel_email_change(&self) -> Result<AccountView, ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        let account = self.api.cancel_email_change(&token).await?;
        self.remember(&account)?;
        Ok(account)
    }

    /// Unlinks this machine: revoked on the service, then forgotten here. If the service
    /// cannot be reached, nothing changes (the link would stay valid on the service).
    pub async fn unlink(&self) -> Result<(), ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        match self.api.unlink_this_machine(&token).await {
            Ok(()) | Err(ClientError::NotLinked) => self.forget_link().await,
            Err(err) => Err(err),
        }
    }

    /// Frees another machine's link (password required).
    pub async fn unlink_machine(
        &self,
        machine_id: &str,
        password: &str,
    ) -> Result<(), ClientError> {
        let token = self.token().await?.ok_or(ClientError::NotLinked)?;
        self.api
            .unlink_machine(&token, machine_id, password)
            .await?;
        // Keep the cached list of machines right.
        if let Ok(account) = self.api.account(&token).await {
            self.remember(&account)?;
        }
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ClientError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ClientError::Unexpected(format!("credential store task failed: {e}")))
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use account_api::wire::{AccountDetails, SupportTime};

    use super::*;

    fn config(service_url: &str, data_dir: &std::path::Path) -> ClientConfig {
        ClientConfig {
            service_url: service_url.into(),
            data_dir: Some(data_dir.into()),
            identity: IdentityOverrides::default(),
            app_version: "1.0.0-test".into(),
            credential_namespace: None,
        }
    }

    /// The window paints the snapshot before anything else is opened: it is read from
    /// the data folder alone, under the service address as the client normalizes it, and
    /// holds account data only (the token stays in the credential store).
    #[test]
    fn the_last_snapshot_is_read_from_the_data_folder_alone() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            config("http://127.0.0.1:1", dir.path()).last_snapshot(),
            None
        );
        let snapshot = Snapshot {
            account: AccountView {
                customer_id: "100017".into(),
                details: AccountDetails {
                    company_name: "Dupont Bâtiment SARL".into(),
                    ..AccountDetails::default()
                },
                support_time: SupportTime::default(),
                machines: vec![],
                this_machine_id: "m1".into(),
                version: 3,
                pending_email: None,
                created_at: "2026-01-02T03:04:05Z".into(),
                updated_at: "2026-01-02T03:04:05Z".into(),
            },
            fetched_at: "2026-01-02T03:04:06Z".into(),
        };
        LocalState::new(dir.path())
            .update("http://127.0.0.1:1", |s| {
                s.machine_id = Some("m1".into());
                s.snapshot = Some(snapshot.clone());
            })
            .unwrap();
        // The address as typed, trailing slash included; another service has none.
        assert_eq!(
            config("http://127.0.0.1:1/", dir.path()).last_snapshot(),
            Some(snapshot)
        );
        assert_eq!(
            config("http://127.0.0.1:2", dir.path()).last_snapshot(),
            None
        );
        let kept = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
        assert!(!kept.to_lowercase().contains("token"), "{kept}");
    }
}
