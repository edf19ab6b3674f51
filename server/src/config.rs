//! Configuration: command line, then environment variables, then a TOML file, then the
//! embedded defaults (SQLite file, mail written to a local folder).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, ValueEnum};
use serde::Deserialize;

pub use crate::mail::settings::{MailTransportSettings, SmtpSecurity, SmtpSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// Deliver over SMTP.
    Smtp,
    /// Write each mail as an .eml file into the mail folder (local use; listed at /outbox).
    File,
}

const AFTER_HELP: &str = "\
Every option can also be set by its environment variable (shown in brackets) or in the
TOML file given by --config, with the option's name in snake_case (listen = \"0.0.0.0:8080\").
The command line wins over the environment, which wins over the file.

Set the SMTP password with ACCOUNT_SERVER_SMTP_PASSWORD or in the file, not on the
command line (other users of the machine can read command lines).

Without options the service listens on 127.0.0.1:8080, keeps its data in
customer-account.db and writes mail into ./local/outbox, listed at http://127.0.0.1:8080/outbox.";

/// The customer account service.
#[derive(Debug, Parser, Default)]
#[command(name = "account-server", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "ACCOUNT_SERVER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ACCOUNT_SERVER_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Address and port serving /metrics (Prometheus), apart from the public one; keep
    /// it private [default: none, no metrics served].
    #[arg(long, env = "ACCOUNT_SERVER_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Database URL [default: sqlite://customer-account.db].
    #[arg(long, env = "ACCOUNT_SERVER_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The service's public address, used in e-mails [default: http://<listen>].
    #[arg(long, env = "ACCOUNT_SERVER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How mail leaves the service [default: file].
    #[arg(long, env = "ACCOUNT_SERVER_MAIL_TRANSPORT")]
    pub mail_transport: Option<MailTransportKind>,
    /// Folder for the file mail transport [default: local/outbox].
    #[arg(long, env = "ACCOUNT_SERVER_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
    /// Sender of the e-mails [default: Customer account <no-reply@localhost>].
    #[arg(long, env = "ACCOUNT_SERVER_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// SMTP server host name.
    #[arg(long, env = "ACCOUNT_SERVER_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 25 for none, 587 for starttls, 465 for tls].
    #[arg(long, env = "ACCOUNT_SERVER_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// SMTP connection security [default: starttls].
    #[arg(long, env = "ACCOUNT_SERVER_SMTP_SECURITY")]
    pub smtp_security: Option<SmtpSecurity>,
    /// SMTP user name, when the server requires authentication.
    #[arg(long, env = "ACCOUNT_SERVER_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password (environment or file only).
    #[arg(skip)]
    pub smtp_password: Option<String>,
    /// Longest wait between two delivery attempts of a mail, in seconds [default: 600].
    #[arg(long, env = "ACCOUNT_SERVER_MAIL_RETRY_MAX_SECONDS")]
    pub mail_retry_max_seconds: Option<u64>,
    /// While mail waits, the mail server is tried this often, in seconds; once it
    /// answers, everything waiting leaves [default: 20].
    #[arg(long, env = "ACCOUNT_SERVER_MAIL_PROBE_SECONDS")]
    pub mail_probe_seconds: Option<u64>,
    /// File holding the key that seals mail bodies in the outbox; created if missing
    /// [default: beside the SQLite database, <database>.outbox-key].
    #[arg(long, env = "ACCOUNT_SERVER_OUTBOX_KEY_FILE")]
    pub outbox_key_file: Option<PathBuf>,
    /// The outbox key itself, base64 of 32 bytes (environment or file only).
    #[arg(skip)]
    pub outbox_key: Option<String>,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long, env = "ACCOUNT_SERVER_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: Option<bool>,
    /// Log format [default: text].
    #[arg(long, env = "ACCOUNT_SERVER_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Support calls are charged by steps of this many minutes, each started step in
    /// full (15: 17 minutes count as 30; 1: as worked) [default: 15].
    #[arg(long, env = "ACCOUNT_SERVER_SUPPORT_ROUNDING_MINUTES")]
    pub support_rounding_minutes: Option<u32>,
    /// A console log-in ends after this many minutes without a request [default: 30].
    #[arg(long, env = "ACCOUNT_SERVER_CONSOLE_IDLE_MINUTES")]
    pub console_idle_minutes: Option<u32>,
    /// The support's time zone: times in the console, days of the export
    /// [default: Europe/Paris].
    #[arg(long, env = "ACCOUNT_SERVER_CONSOLE_TIME_ZONE")]
    pub console_time_zone: Option<String>,
    /// Manage support agents, bring the database up to date, or copy it, instead of
    /// serving.
    #[command(subcommand)]
    pub command: Option<ServiceCommand>,
}

/// Commands run against the database, then exit.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ServiceCommand {
    /// Support agents of the console.
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Applies the database migrations this version needs, then exits (the service also
    /// applies them when it starts).
    Migrate,
    /// The mail outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Copies every account, machine, audit event, agent, ledger entry and waiting mail
    /// from one database into a new, empty one (e.g. the SQLite file into PostgreSQL),
    /// then checks that every count and every balance match. Stop the service first.
    Copy {
        /// The database to copy, e.g. sqlite://customer-account.db
        #[arg(long)]
        from: String,
        /// The new, empty database, e.g. postgres://account@db.example/accounts
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AgentsCommand {
    /// Adds an agent. The password is asked for (twice, not shown) on a terminal, read
    /// as one line of standard input otherwise, or generated and shown once with
    /// --generate-password.
    Add {
        /// The agent's e-mail address (the log-in).
        #[arg(long)]
        email: String,
        /// The agent's name, shown in the ledger and the history.
        #[arg(long)]
        name: String,
        /// agent: finds accounts, logs time, adds credit; admin: also unlinks machines.
        #[arg(long, value_enum, default_value_t = crate::support::Role::Agent)]
        role: crate::support::Role,
        /// Language of the console for this agent (fr or en).
        #[arg(long, default_value = "fr")]
        language: String,
        /// Generate a password and print it once instead of reading one.
        #[arg(long)]
        generate_password: bool,
    },
    /// Lists the agents (never their passwords).
    List,
    /// Sets a new password (asked for, read from standard input, or generated with
    /// --generate-password).
    Password {
        #[arg(long)]
        email: String,
        #[arg(long)]
        generate_password: bool,
    },
    /// Disables an agent: its log-ins and API tokens stop working at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Creates an API token for an integration acting as this agent; printed once.
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for (e.g. "telephony").
        #[arg(long)]
        label: String,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum OutboxCommand {
    /// Gives up every mail still waiting (marked as failed, its body erased) and prints
    /// how many. For when the outbox key that sealed them is lost: no key can send them,
    /// and an instance with a new key refuses to start while they wait.
    GiveUp,
}

/// The same settings as `Cli`, read from the --config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    metrics_listen: Option<SocketAddr>,
    database_url: Option<String>,
    public_url: Option<String>,
    mail_transport: Option<MailTransportKind>,
    mail_dir: Option<PathBuf>,
    mail_from: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_security: Option<SmtpSecurity>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_retry_max_seconds: Option<u64>,
    mail_probe_seconds: Option<u64>,
    outbox_key_file: Option<PathBuf>,
    outbox_key: Option<String>,
    trust_forwarded_for: Option<bool>,
    log_format: Option<LogFormat>,
    support_rounding_minutes: Option<u32>,
    console_idle_minutes: Option<u32>,
    console_time_zone: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("mail_transport = \"smtp\" needs smtp_host")]
    MissingSmtpHost,
    #[error("invalid mail_from address: {0}")]
    MailFrom(String),
    #[error("invalid public_url (expected http:// or https://): {0}")]
    PublicUrl(String),
    #[error("support_rounding_minutes must be between 1 and 240")]
    Rounding,
    #[error("console_idle_minutes must be between 1 and 1440")]
    ConsoleIdle,
    #[error("unknown console_time_zone (expected an IANA name such as Europe/Paris): {0}")]
    TimeZone(String),
}

/// Where the key sealing mail bodies in the outbox comes from.
#[derive(Clone)]
pub enum OutboxKeySource {
    /// A file, created with a fresh key if missing.
    File(PathBuf),
    /// The key itself (base64), from the environment or the configuration file.
    Inline(String),
}

// The key must never reach a log line through `{:?}`.
impl std::fmt::Debug for OutboxKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutboxKeySource::File(path) => f.debug_tuple("File").field(path).finish(),
            OutboxKeySource::Inline(_) => f.write_str("Inline(<redacted>)"),
        }
    }
}

impl OutboxKeySource {
    /// Beside an SQLite database file (`<file>.outbox-key`); elsewhere in `local/`.
    pub fn beside(database_url: &str) -> Self {
        let path = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or_default())
            .filter(|path| !path.is_empty() && !path.starts_with(':'))
            .map(|path| PathBuf::from(format!("{path}.outbox-key")))
            .unwrap_or_else(|| PathBuf::from("local/outbox.key"));
        OutboxKeySource::File(path)
    }

    pub fn load(&self) -> Result<crate::secrets::OutboxKey, crate::secrets::OutboxKeyError> {
        match self {
            OutboxKeySource::File(path) => crate::secrets::OutboxKey::load_or_create(path),
            OutboxKeySource::Inline(text) => crate::secrets::OutboxKey::from_base64(text),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransportSettings,
    pub from: String,
    /// When mail that could not be delivered is tried again.
    pub retry: crate::mail::retry::RetrySchedule,
    pub outbox_key: OutboxKeySource,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// Where /metrics is served, apart from the public listener; none: not served.
    pub metrics_listen: Option<SocketAddr>,
    pub database_url: String,
    pub public_url: String,
    pub mail: MailSettings,
    pub trust_forwarded_for: bool,
    pub log_format: LogFormat,
    pub support: SupportSettings,
    /// A request still unanswered after this long gets `timeout` (408).
    pub request_timeout: Duration,
}

/// How long a request may take before it is answered `timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct SupportSettings {
    pub rounding: crate::support::Rounding,
    /// A console log-in idle this long ends.
    pub console_idle: Duration,
    pub time_zone: jiff::tz::TimeZone,
}

/// Where the support works unless told otherwise.
const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            rounding: crate::support::Rounding::default(),
            console_idle: Duration::from_secs(30 * 60),
            time_zone: jiff::tz::TimeZone::get(DEFAULT_TIME_ZONE)
                .unwrap_or(jiff::tz::TimeZone::UTC),
        }
    }
}

impl Settings {
    /// A service on a free loopback port (the OS picks it; `Application::port` tells),
    /// keeping its data at `database_url` and sending mail through `transport`, retrying
    /// every second: what tests and local tools start.
    pub fn loopback(database_url: String, transport: MailTransportSettings) -> Self {
        let outbox_key = OutboxKeySource::beside(&database_url);
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_listen: None,
            database_url,
            public_url: "http://accounts.test".to_owned(),
            mail: MailSettings {
                transport,
                from: "Customer account <no-reply@accounts.test>".to_owned(),
                retry: crate::mail::retry::RetrySchedule {
                    base: Duration::from_secs(1),
                    max: Duration::from_secs(1),
                    probe: Duration::from_secs(1),
                },
                outbox_key,
            },
            trust_forwarded_for: false,
            log_format: LogFormat::Text,
            support: SupportSettings::default(),
            request_timeout: REQUEST_TIMEOUT,
        }
    }

    /// The settings, and the command to run instead of serving, if one was given.
    pub fn from_command_line() -> Result<(Self, Option<ServiceCommand>), ConfigError> {
        let mut cli = Cli::parse();
        cli.smtp_password = std::env::var("ACCOUNT_SERVER_SMTP_PASSWORD").ok();
        cli.outbox_key = std::env::var("ACCOUNT_SERVER_OUTBOX_KEY").ok();
        let command = cli.command.take();
        Ok((Self::from_cli(cli)?, command))
    }

    pub fn from_cli(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|err| ConfigError::Parse {
                    path: path.clone(),
                    message: err.message().to_owned(),
                })?
            }
            None => FileConfig::default(),
        };
        let listen = cli
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let public_url = cli
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::PublicUrl(public_url));
        }
        let from = cli
            .mail_from
            .or(file.mail_from)
            .unwrap_or_else(|| "Customer account <no-reply@localhost>".to_owned());
        from.parse::<lettre::message::Mailbox>()
            .map_err(|err| ConfigError::MailFrom(format!("{from}: {err}")))?;
        let transport = match cli
            .mail_transport
            .or(file.mail_transport)
            .unwrap_or(MailTransportKind::File)
        {
            MailTransportKind::File => MailTransportSettings::File {
                dir: cli
                    .mail_dir
                    .or(file.mail_dir)
                    .unwrap_or_else(|| PathBuf::from("local/outbox")),
            },
            MailTransportKind::Smtp => {
                let security = cli.smtp_security.or(file.smtp_security).unwrap_or_default();
                MailTransportSettings::Smtp(SmtpSettings {
                    host: cli
                        .smtp_host
                        .or(file.smtp_host)
                        .ok_or(ConfigError::MissingSmtpHost)?,
                    port: cli.smtp_port.or(file.smtp_port).unwrap_or(match security {
                        SmtpSecurity::None => 25,
                        SmtpSecurity::Starttls => 587,
                        SmtpSecurity::Tls => 465,
                    }),
                    security,
                    username: cli.smtp_username.or(file.smtp_username),
                    password: cli.smtp_password.or(file.smtp_password),
                })
            }
        };
        let rounding = cli
            .support_rounding_minutes
            .or(file.support_rounding_minutes)
            .unwrap_or(15);
        if !(1..=240).contains(&rounding) {
            return Err(ConfigError::Rounding);
        }
        let console_idle = cli
            .console_idle_minutes
            .or(file.console_idle_minutes)
            .unwrap_or(30);
        if !(1..=1440).contains(&console_idle) {
            return Err(ConfigError::ConsoleIdle);
        }
        let zone_name = cli
            .console_time_zone
            .or(file.console_time_zone)
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned());
        let time_zone =
            jiff::tz::TimeZone::get(&zone_name).map_err(|_| ConfigError::TimeZone(zone_name))?;
        let database_url = cli
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| "sqlite://customer-account.db".to_owned());
        let outbox_key = match (
            cli.outbox_key.or(file.outbox_key),
            cli.outbox_key_file.or(file.outbox_key_file),
        ) {
            (Some(key), _) => OutboxKeySource::Inline(key),
            (None, Some(path)) => OutboxKeySource::File(path),
            (None, None) => OutboxKeySource::beside(&database_url),
        };
        let defaults = crate::mail::retry::RetrySchedule::default();
        Ok(Settings {
            listen,
            metrics_listen: cli.metrics_listen.or(file.metrics_listen),
            database_url,
            public_url,
            mail: MailSettings {
                transport,
                from,
                retry: crate::mail::retry::RetrySchedule {
                    base: defaults.base,
                    max: cli
                        .mail_retry_max_seconds
                        .or(file.mail_retry_max_seconds)
                        .map_or(defaults.max, |s| Duration::from_secs(s.max(1))),
                    probe: cli
                        .mail_probe_seconds
                        .or(file.mail_probe_seconds)
                        .map_or(defaults.probe, |s| Duration::from_secs(s.max(1))),
                },
                outbox_key,
            },
            trust_forwarded_for: cli
                .trust_forwarded_for
                .or(file.trust_forwarded_for)
                .unwrap_or(false),
            log_format: cli.log_format.or(file.log_format).unwrap_or_default(),
            support: SupportSettings {
                rounding: crate::support::Rounding::every(rounding),
                console_idle: Duration::from_secs(u64::from(console_idle) * 60),
                time_zone,
            },
            request_timeout: REQUEST_TIMEOUT,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_ones() {
        let settings = Settings::from_cli(Cli::default()).unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.database_url, "sqlite://customer-account.db");
        assert_eq!(settings.public_url, "http://127.0.0.1:8080");
        assert!(matches!(
            settings.mail.transport,
            MailTransportSettings::File { .. }
        ));
    }

    #[test]
    fn command_line_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nmail_transport = \"smtp\"\nsmtp_host = \"mail.example.com\"\nsmtp_password = \"s3cret\"\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from([
            "account-server",
            "--config",
            path.to_str().unwrap(),
            "--listen",
            "127.0.0.1:9100",
        ])
        .unwrap();
        let settings = Settings::from_cli(cli).unwrap();
        assert_eq!(settings.listen.port(), 9100);
        let MailTransportSettings::Smtp(smtp) = &settings.mail.transport else {
            panic!("expected smtp");
        };
        assert_eq!(smtp.host, "mail.example.com");
        assert_eq!(smtp.port, 587);
        assert!(!format!("{settings:?}").contains("s3cret"));
    }

    #[test]
    fn metrics_are_served_only_when_a_metrics_address_is_set() {
        assert_eq!(
            Settings::from_cli(Cli::default()).unwrap().metrics_listen,
            None
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.toml");
        std::fs::write(&path, "metrics_listen = \"127.0.0.1:9102\"\n").unwrap();
        let cli =
            Cli::try_parse_from(["account-server", "--config", path.to_str().unwrap()]).unwrap();
        let settings = Settings::from_cli(cli).unwrap();
        assert_eq!(
            settings.metrics_listen,
            Some(SocketAddr::from(([127, 0, 0, 1], 9102)))
        );
    }

    #[test]
    fn unknown_keys_and_missing_smtp_host_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "listn = \"127.0.0.1:9000\"\n").unwrap();
        let cli = Cli {
            config: Some(path),
            ..Cli::default()
        };
        assert!(matches!(
            Settings::from_cli(cli),
            Err(ConfigError::Parse { .. })
        ));
        let cli = Cli {
            mail_transport: Some(MailTransportKind::Smtp),
            ..Cli::default()
        };
        assert!(matches!(
            Settings::from_cli(cli),
            Err(ConfigError::MissingSmtpHost)
        ));
        let cli = Cli {
            console_time_zone: Some("Europe/Pariss".into()),
            ..Cli::default()
        };
        assert!(matches!(
            Settings::from_cli(cli),
            Err(ConfigError::TimeZone(_))
        ));
        let cli = Cli {
            support_rounding_minutes: Some(0),
            ..Cli::default()
        };
        assert!(matches!(
            Settings::from_cli(cli),
            Err(ConfigError::Rounding)
        ));
    }
}
