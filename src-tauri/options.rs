//! The command line: options shared by the window and the commands, and the commands.

use std::path::PathBuf;

use account_api::domain::Language;
use account_client::{
    api::normalize_service_url, host::HostContext, identity::IdentityOverrides, ClientConfig,
};
use clap::{Args, Parser, Subcommand};

pub const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:8080";

const AFTER_HELP: &str = "\
Without a command, the window opens. The host software passes the open company's details
with the options below or with --context FILE (JSON with the same names in snake_case,
e.g. {\"company_name\": \"Dupont SARL\", \"siret\": \"73282932000074\", \"language\": \"fr\"}).

Passwords are never taken from the command line: they are asked for, or read from
standard input when it is not a terminal (echo \"$PASSWORD\" | customer-account link …).

A new e-mail address (edit --email) takes effect once confirmed with the code mailed to
it: customer-account confirm-email asks for the code (or reads it from standard input, or
takes --code). Until then the account keeps its address; cancel-email-change drops the
change.";

/// Links this computer to the company's customer account (the customer ID support asks for).
#[derive(Debug, Parser)]
#[command(
    name = "customer-account",
    version,
    about,
    after_help = format!("{AFTER_HELP}\n\n{}", crate::exit::help())
)]
pub struct Options {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Address of the account service [default: the context's, else http://127.0.0.1:8080].
    #[arg(
        long,
        global = true,
        env = "CUSTOMER_ACCOUNT_SERVICE_URL",
        value_name = "URL"
    )]
    pub service_url: Option<String>,
    /// Folder for this program's data (machine ID, last account data; never a secret).
    #[arg(
        long,
        global = true,
        env = "CUSTOMER_ACCOUNT_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// Language of the messages and of new accounts' e-mails [default: the system's].
    #[arg(
        long,
        global = true,
        env = "CUSTOMER_ACCOUNT_LANG",
        value_name = "fr|en"
    )]
    pub lang: Option<String>,
    /// Answer in JSON, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// The host software's context file (JSON).
    #[arg(long, global = true, value_name = "FILE")]
    pub context: Option<PathBuf>,
    #[command(flatten)]
    pub fields: Fields,
}

/// The account's fields: the host's context when registering, the new values when editing.
#[derive(Debug, Clone, Default, Args)]
pub struct Fields {
    /// The account's e-mail address.
    #[arg(long, global = true)]
    pub email: Option<String>,
    /// Company name (raison sociale) — invoices use it.
    #[arg(long, global = true)]
    pub company_name: Option<String>,
    #[arg(long, global = true)]
    pub contact_first_name: Option<String>,
    #[arg(long, global = true)]
    pub contact_last_name: Option<String>,
    #[arg(long, global = true)]
    pub phone: Option<String>,
    #[arg(long, global = true)]
    pub siret: Option<String>,
    #[arg(long, global = true)]
    pub street: Option<String>,
    #[arg(long, global = true)]
    pub postal_code: Option<String>,
    #[arg(long, global = true)]
    pub city: Option<String>,
    /// ISO country code (FR when empty).
    #[arg(long, global = true)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print the customer ID (digits only), for scripts and the host's About box.
    Id,
    /// Show whether this computer is linked, and to which account.
    Status,
    /// Create the company's customer account; its password is e-mailed.
    Register,
    /// Link this computer to the account of --email (asks for the e-mailed password), or
    /// with an enrollment key read from a file (never from the command line, which other
    /// users can read in the process list).
    Link {
        /// Move this computer from the account it is linked to.
        #[arg(long = "move")]
        move_machine: bool,
        /// Link with the enrollment key in FILE ("-": standard input) instead of the
        /// e-mail address and password.
        #[arg(long, value_name = "FILE")]
        enrollment_key_file: Option<PathBuf>,
    },
    /// E-mail a new password to --email (the current one keeps working until it is used).
    RequestPassword,
    /// Change the account's details given as options (asks for the password). A new
    /// --email takes effect once confirmed with the code mailed to it (confirm-email).
    Edit,
    /// Confirm the account's new e-mail address with the code mailed to it (asks for
    /// the code, or reads it from standard input).
    ConfirmEmail {
        /// The code from the e-mail (e.g. K7RM-2XQD; case, spaces and the dash do not
        /// matter) instead of asking for it.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
    },
    /// Cancel the change of e-mail address waiting for confirmation: the account keeps
    /// its address.
    CancelEmailChange,
    /// List the computers linked to the account, with when each was last seen.
    Machines,
    /// List the account's enrollment keys: uses left, expiry, computers linked with each.
    EnrollmentKeys,
    /// Create an enrollment key, to link several computers without typing the password
    /// on each (asks for the password). The key is shown this once.
    CreateEnrollmentKey {
        /// What the key is for, as listed (e.g. "Salle de formation").
        #[arg(long, value_name = "TEXT")]
        label: String,
        /// How many computers it may link (1 to 500).
        #[arg(long, value_name = "N", default_value_t = account_api::wire::ENROLLMENT_KEY_DEFAULT_USES)]
        uses: i64,
        /// Days until it expires (1 to 90).
        #[arg(long, value_name = "DAYS", default_value_t = account_api::wire::ENROLLMENT_KEY_DEFAULT_DAYS)]
        days: i64,
        /// Also write the key to FILE (created, readable by this user only), ready for
        /// `link --enrollment-key-file FILE` or the installer's /ENROLLMENTKEYFILE=.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Revoke an enrollment key (its number, see `enrollment-keys`).
    RevokeEnrollmentKey {
        #[arg(value_name = "NUMBER")]
        key_id: i64,
    },
    /// Unlink, in one step, the computers not seen for --days days (lists them first and
    /// asks for confirmation, then for the password).
    UnlinkStale {
        #[arg(long, value_name = "DAYS")]
        days: i64,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Unlink this computer, or another one with --machine (asks for the password).
    Unlink {
        /// The machine ID of another computer (see `machines`).
        #[arg(long, value_name = "ID")]
        machine: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// What the window and the commands work with, once the options are read.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service_url: String,
    pub language: Language,
    pub host: HostContext,
}

impl Settings {
    /// How the window and the commands reach the service and keep the link.
    pub fn client_config(&self, data_dir: Option<PathBuf>) -> ClientConfig {
        ClientConfig {
            service_url: self.service_url.clone(),
            data_dir,
            identity: IdentityOverrides {
                // For imaging tools and for tests that play several machines on one.
                machine_uid: std::env::var("CUSTOMER_ACCOUNT_MACHINE_UID").ok(),
                machine_name: std::env::var("CUSTOMER_ACCOUNT_MACHINE_NAME").ok(),
            },
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            credential_namespace: None,
        }
    }
}

impl Global {
    pub fn host_context(&self) -> Result<HostContext, String> {
        let file = match &self.context {
            Some(path) => HostContext::from_file(path)?,
            None => HostContext::default(),
        };
        Ok(file.overridden_by(self.fields.as_context(self)))
    }

    pub fn settings(&self) -> Result<Settings, String> {
        let host = self.host_context()?;
        // The command line (or the host's context), then the registry on Windows (the
        // user's setting, then the installer's machine-wide preset), then the default.
        let url = self
            .service_url
            .clone()
            .or_else(|| host.service_url.clone())
            .or_else(crate::windows::registry_service_url)
            .unwrap_or_else(|| DEFAULT_SERVICE_URL.to_owned());
        let service_url = normalize_service_url(&url)?;
        let language = match self.lang.as_deref().or(host.language.as_deref()) {
            Some(lang) => Language::parse(lang)
                .map_err(|_| format!("unknown language {lang:?} (fr or en)"))?,
            None => system_language(),
        };
        Ok(Settings {
            service_url,
            language,
            host,
        })
    }
}

impl Fields {
    fn as_context(&self, global: &Global) -> HostContext {
        HostContext {
            company_name: self.company_name.clone(),
            siret: self.siret.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            contact_first_name: self.contact_first_name.clone(),
            contact_last_name: self.contact_last_name.clone(),
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            language: global.lang.clone(),
            service_url: global.service_url.clone(),
        }
    }
}

/// French if the system speaks French, else English.
fn system_language() -> Language {
    sys_locale::get_locale()
        .and_then(|l| Language::parse(&l).ok())
        .unwrap_or(Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Options {
        Options::try_parse_from(std::iter::once("customer-account").chain(args.iter().copied()))
            .unwrap()
    }

    #[test]
    fn options_may_come_before_or_after_the_command() {
        let options = parse(&[
            "link",
            "--email",
            "a@b.fr",
            "--move",
            "--service-url",
            "http://x:1/",
        ]);
        assert!(matches!(
            options.command,
            Some(Command::Link {
                move_machine: true,
                enrollment_key_file: None
            })
        ));
        let settings = options.global.settings().unwrap();
        assert_eq!(settings.service_url, "http://x:1");
        assert_eq!(options.global.fields.email.as_deref(), Some("a@b.fr"));
        let options = parse(&["--lang", "fr", "status"]);
        assert_eq!(options.global.settings().unwrap().language, Language::Fr);
    }

    #[test]
    fn the_e_mail_confirmation_commands_take_the_code_only_as_an_option() {
        assert!(matches!(
            parse(&["confirm-email"]).command,
            Some(Command::ConfirmEmail { code: None })
        ));
        match parse(&["confirm-email", "--code", "k7rm 2xqd"]).command {
            Some(Command::ConfirmEmail { code }) => assert_eq!(code.as_deref(), Some("k7rm 2xqd")),
            other => panic!("{other:?}"),
        }
        assert!(
            Options::try_parse_from(["customer-account", "confirm-email", "K7RM-2XQD"]).is_err()
        );
        assert!(matches!(
            parse(&["cancel-email-change", "--json"]).command,
            Some(Command::CancelEmailChange)
        ));
    }

    #[test]
    fn no_command_opens_the_window_and_bad_values_are_refused() {
        assert!(parse(&[]).command.is_none());
        assert!(parse(&["--service-url", "ftp://x"])
            .global
            .settings()
            .is_err());
        assert!(parse(&["--lang", "de"]).global.settings().is_err());
        assert!(Options::try_parse_from(["customer-account", "nonsense"]).is_err());
    }

    #[test]
    fn the_context_file_is_overridden_by_options() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ctx.json");
        std::fs::write(
            &path,
            r#"{"company_name": "Dupont SARL", "service_url": "http://ctx:9", "language": "en"}"#,
        )
        .unwrap();
        let options = parse(&[
            "--context",
            path.to_str().unwrap(),
            "--company-name",
            "Martin SAS",
        ]);
        let settings = options.global.settings().unwrap();
        assert_eq!(settings.service_url, "http://ctx:9");
        assert_eq!(settings.language, Language::En);
        assert_eq!(settings.host.company_name.as_deref(), Some("Martin SAS"));
    }
}
