//! How mail leaves the service: the settings of each transport, read by `crate::config`
//! from the command line, environment and file, and used by `transport`.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
}

// The password must never reach a log line through `{:?}`.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl SmtpSettings {
    /// Plain SMTP without authentication (a relay on this host, a test server).
    pub fn plain(host: &str, port: u16) -> Self {
        Self {
            host: host.to_owned(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum MailTransportSettings {
    Smtp(SmtpSettings),
    File { dir: PathBuf },
}
