//! Service commands run from a shell on the server: managing support agents, bringing the
//! database up to date, copying it to another database.
//! Passwords are typed at a prompt or come from standard input (never the command line,
//! which other users of the machine can read), or are generated and shown once.

use std::io::{BufRead as _, IsTerminal as _};

use account_api::domain::{Email, Language};

use crate::{
    config::{AgentsCommand, OutboxCommand, ServiceCommand},
    secrets::{generate_password, token_hash, ApiToken, ClearPassword, PasswordHasher},
    storage::{copy::CopyError, Storage, StorageError},
};

/// Agents' passwords: long enough that the log-in limits make guessing hopeless.
const MIN_AGENT_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("invalid e-mail address: {0}")]
    Email(String),
    #[error("the name is empty")]
    Name,
    #[error("the language must be fr or en")]
    Language,
    #[error("the password must have at least {MIN_AGENT_PASSWORD_CHARS} characters")]
    ShortPassword,
    #[error("no password on standard input (or use --generate-password)")]
    NoPassword,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("an agent already has this e-mail address")]
    AgentExists,
    #[error("no agent has this e-mail address")]
    NoSuchAgent,
    #[error("the label is empty")]
    Label,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn email(text: &str) -> Result<String, CommandError> {
    Email::parse(text)
        .map(|e| e.as_str().to_owned())
        .map_err(|_| CommandError::Email(text.to_owned()))
}

/// The password to set: generated (and printed once); asked twice, without echo, on a
/// terminal; or one line of standard input (scripts).
fn password(generate: bool) -> Result<(ClearPassword, bool), CommandError> {
    if generate {
        return Ok((generate_password(), true));
    }
    let typed = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (12 characters or more): ")
            .map_err(|e| CommandError::Unexpected(e.into()))?;
        let again = rpassword::prompt_password("Password, again: ")
            .map_err(|e| CommandError::Unexpected(e.into()))?;
        if first != again {
            return Err(CommandError::PasswordsDiffer);
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CommandError::Unexpected(e.into()))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if typed.is_empty() {
        return Err(CommandError::NoPassword);
    }
    if typed.chars().count() < MIN_AGENT_PASSWORD_CHARS {
        return Err(CommandError::ShortPassword);
    }
    Ok((ClearPassword::typed(typed), false))
}

/// Runs `command` against the database at `database_url`; what to print on success.
pub async fn run(database_url: &str, command: ServiceCommand) -> Result<String, CommandError> {
    match command {
        ServiceCommand::Agents(command) => {
            let storage = Storage::connect(database_url).await?;
            let result = run_with(&storage, command).await;
            storage.close().await;
            result
        }
        ServiceCommand::Migrate => {
            let storage = Storage::connect(database_url).await?;
            storage.close().await;
            Ok("the database is up to date".to_owned())
        }
        ServiceCommand::Outbox(OutboxCommand::GiveUp) => {
            let storage = Storage::connect(database_url).await?;
            let given_up = storage.give_up_waiting_mail(crate::now()).await;
            storage.close().await;
            Ok(format!("{} waiting mail(s) given up", given_up?))
        }
        ServiceCommand::Copy { from, to } => copy(&from, &to).await,
    }
}

/// Both databases are brought up to date first: the copy is of this version's schema.
async fn copy(from: &str, to: &str) -> Result<String, CommandError> {
    let source = Storage::connect(from).await?;
    let target = Storage::connect(to).await?;
    let copied = target.copy_from(&source).await;
    source.close().await;
    target.close().await;
    let report = copied?;
    Ok(format!(
        "{report}\nGive the new database's service instances the outbox key of the old \
         one (ACCOUNT_SERVER_OUTBOX_KEY_FILE): mail still waiting is sealed with it."
    ))
}

async fn run_with(storage: &Storage, command: AgentsCommand) -> Result<String, CommandError> {
    let hasher = PasswordHasher::new();
    let now = crate::now();
    match command {
        AgentsCommand::Add {
            email: raw_email,
            name,
            role,
            language,
            generate_password,
        } => {
            let email = email(&raw_email)?;
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(CommandError::Name);
            }
            let language = Language::parse(&language).map_err(|_| CommandError::Language)?;
            let (password, generated) = password(generate_password)?;
            let hash = hasher
                .hash(&password)
                .await
                .map_err(|e| CommandError::Unexpected(e.into()))?;
            let mut tx = storage.write().await?;
            match tx
                .insert_agent(&email, &name, role.as_str(), &hash, language.as_str(), now)
                .await
            {
                Err(StorageError::AgentExists) => return Err(CommandError::AgentExists),
                other => other?,
            };
            tx.commit().await?;
            let mut out = format!("Agent {email} added ({}).", role.as_str());
            if generated {
                out.push_str(&format!(
                    "\nPassword (shown only now): {}",
                    password.expose()
                ));
            }
            Ok(out)
        }
        AgentsCommand::List => {
            let mut tx = storage.read().await?;
            let agents = tx.agents().await?;
            tx.commit().await?;
            let mut out = String::new();
            for agent in agents {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    agent.email,
                    agent.name,
                    agent.role.as_str(),
                    if agent.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                ));
            }
            Ok(out.trim_end().to_owned())
        }
        AgentsCommand::Password {
            email: raw_email,
            generate_password,
        } => {
            let email = email(&raw_email)?;
            let (password, generated) = password(generate_password)?;
            let hash = hasher
                .hash(&password)
                .await
                .map_err(|e| CommandError::Unexpected(e.into()))?;
            let mut tx = storage.write().await?;
            let agent = tx
                .agent_by_email(&email)
                .await?
                .ok_or(CommandError::NoSuchAgent)?;
            tx.set_agent_password(agent.id, &hash).await?;
            tx.commit().await?;
            let mut out = format!("Password of {email} changed.");
            if generated {
                out.push_str(&format!(
                    "\nPassword (shown only now): {}",
                    password.expose()
                ));
            }
            Ok(out)
        }
        AgentsCommand::Disable { email: raw_email } => {
            let email = email(&raw_email)?;
            let mut tx = storage.write().await?;
            let agent = tx
                .agent_by_email(&email)
                .await?
                .ok_or(CommandError::NoSuchAgent)?;
            tx.disable_agent(agent.id, now).await?;
            tx.commit().await?;
            Ok(format!(
                "Agent {email} disabled; its log-ins and tokens ended."
            ))
        }
        AgentsCommand::Token {
            email: raw_email,
            label,
        } => {
            let email = email(&raw_email)?;
            let label = label.trim().to_owned();
            if label.is_empty() {
                return Err(CommandError::Label);
            }
            let token = ApiToken::generate();
            let mut tx = storage.write().await?;
            let agent = tx
                .agent_by_email(&email)
                .await?
                .filter(|a| a.disabled_at.is_none())
                .ok_or(CommandError::NoSuchAgent)?;
            tx.insert_api_token(&token_hash(token.expose()), agent.id, &label, now)
                .await?;
            tx.commit().await?;
            Ok(format!(
                "API token for {email} ({label}), shown only now:\n{}",
                token.expose()
            ))
        }
    }
}
