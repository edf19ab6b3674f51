//! The commands of `customer-account` for scripts and administrators: human-readable
//! output by default, JSON with `--json`, documented exit codes (`exit`).

use std::io::{BufRead, IsTerminal, Write};

use account_api::{
    domain::Language,
    wire::{AccountDetails, AccountView},
};
use account_client::{messages, AccountClient, ClientError, Status};
use serde_json::{json, Value};

use crate::{
    exit,
    options::{Command, Global, Settings},
};

/// Runs `command` and returns the process's exit code.
pub fn run(global: Global, command: Command) -> i32 {
    let settings = match global.settings() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("customer-account: {message}");
            return exit::USAGE;
        }
    };
    let out = Output {
        json: global.json,
        language: settings.language,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("customer-account: {e}");
            return exit::UNEXPECTED;
        }
    };
    match runtime.block_on(execute(&global, &settings, &out, command)) {
        Ok(code) => code,
        Err(Failure::Client(err)) => out.error(&err),
        Err(Failure::Usage(message)) => {
            eprintln!("customer-account: {message}");
            exit::USAGE
        }
        Err(Failure::Refused { code, message }) => out.refused(code, &message),
    }
}

enum Failure {
    Client(ClientError),
    Usage(String),
    /// Refused before asking the service: a stable code for scripts, words for people.
    Refused {
        code: &'static str,
        message: String,
    },
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        Failure::Client(err)
    }
}

/// What every command works with.
struct Context<'a> {
    global: &'a Global,
    settings: &'a Settings,
    out: &'a Output,
    client: AccountClient,
    fr: bool,
}

async fn execute(
    global: &Global,
    settings: &Settings,
    out: &Output,
    command: Command,
) -> Result<i32, Failure> {
    let client = AccountClient::new(settings.client_config(global.data_dir.clone()))?;
    let cx = Context {
        global,
        settings,
        out,
        client,
        fr: settings.language == Language::Fr,
    };
    // The installer's preset key, on the first start that finds it (not when linking by
    // hand: that command says how it links).
    if !matches!(command, Command::Link { .. }) && crate::preset::preset_path().is_some() {
        let status = cx.client.status().await?;
        if let Some(linked) = crate::preset::link_with_preset(&cx.client, &status).await {
            let account = linked?;
            eprintln!("{}", linked_text(&account, cx.fr));
        }
    }
    match command {
        Command::Id => customer_id(&cx).await,
        Command::Status => status(&cx).await,
        Command::Register => register(&cx).await,
        Command::RequestPassword => request_password(&cx).await,
        Command::Link {
            move_machine,
            enrollment_key_file: Some(file),
        } => link_with_key(&cx, &file, move_machine).await,
        Command::Link { move_machine, .. } => link(&cx, move_machine).await,
        Command::Edit => edit(&cx).await,
        Command::ConfirmEmail { code } => confirm_email(&cx, code).await,
        Command::CancelEmailChange => cancel_email_change(&cx).await,
        Command::Machines => machines(&cx).await,
        Command::EnrollmentKeys => enrollment_keys(&cx).await,
        Command::CreateEnrollmentKey {
            label,
            uses,
            days,
            output,
        } => create_enrollment_key(&cx, &label, uses, days, output.as_deref()).await,
        Command::RevokeEnrollmentKey { key_id } => revoke_enrollment_key(&cx, key_id).await,
        Command::UnlinkStale { days, yes } => unlink_stale(&cx, days, yes).await,
        Command::Unlink {
            machine: Some(machine_id),
            ..
        } => unlink_machine(&cx, &machine_id).await,
        Command::Unlink { machine: None, yes } => unlink(&cx, yes).await,
    }
}

/// Prints the customer ID.
async fn customer_id(cx: &Context<'_>) -> Result<i32, Failure> {
    match cx.client.status().await? {
        Status::Linked(account) => {
            cx.out.print(
                &account.customer_id,
                json!({ "customer_id": account.customer_id, "stale": false }),
            );
            Ok(exit::OK)
        }
        Status::Offline { snapshot, reason } => {
            cx.out.warn_offline(&snapshot.fetched_at, &reason);
            let id = &snapshot.account.customer_id;
            cx.out.print(
                id,
                json!({ "customer_id": id, "stale": true, "fetched_at": snapshot.fetched_at }),
            );
            Ok(exit::OFFLINE_DATA)
        }
        Status::NotLinked => Err(ClientError::NotLinked.into()),
    }
}

/// Tells whether this machine is linked, and to which account.
async fn status(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    match cx.client.status().await? {
        Status::Linked(account) => {
            cx.out.print(
                &describe_account(&account, cx.settings.language),
                json!({ "linked": true, "stale": false, "account": account }),
            );
            Ok(exit::OK)
        }
        Status::Offline { snapshot, reason } => {
            cx.out.warn_offline(&snapshot.fetched_at, &reason);
            cx.out.print(
            &describe_account(&snapshot.account, cx.settings.language),
            json!({ "linked": true, "stale": true, "fetched_at": snapshot.fetched_at, "account": snapshot.account }),
        );
            Ok(exit::OFFLINE_DATA)
        }
        Status::NotLinked => {
            let text = if fr {
                "Cet ordinateur n'est lié à aucun compte client."
            } else {
                "This computer is not linked to a customer account."
            };
            cx.out.print(text, json!({ "linked": false }));
            Ok(exit::NOT_LINKED)
        }
    }
}

/// Creates the account from the host's context; its password is e-mailed.
async fn register(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let mut form = cx.settings.host.registration_form();
    form.language = Some(cx.settings.language.as_str().to_owned());
    cx.client.register(&form).await?;
    let text = if fr {
        format!("Le mot de passe a été envoyé à {}. Liez ensuite cet ordinateur : customer-account link --email {}", form.email.trim(), form.email.trim())
    } else {
        format!("The password was e-mailed to {}. Then link this computer: customer-account link --email {}", form.email.trim(), form.email.trim())
    };
    cx.out.print(
        &text,
        json!({ "status": "password_sent", "email": form.email.trim() }),
    );
    Ok(exit::OK)
}

/// A password request for --email.
async fn request_password(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let email = required_email(cx.global)?;
    cx.client
        .request_password(&email, Some(cx.settings.language))
        .await?;
    let text = if fr {
        format!(
            "Un nouveau mot de passe a été envoyé à {email} s'il correspond à un compte client."
        )
    } else {
        format!("A new password was e-mailed to {email} if it is a customer account's address.")
    };
    cx.out
        .print(&text, json!({ "status": "password_sent", "email": email }));
    Ok(exit::OK)
}

/// Links this machine with the e-mailed password.
async fn link(cx: &Context<'_>, move_machine: bool) -> Result<i32, Failure> {
    let fr = cx.fr;
    let email = required_email(cx.global)?;
    let password = read_password(if fr {
        "Mot de passe reçu par e-mail : "
    } else {
        "Password from the e-mail: "
    })?;
    let account = cx.client.link(&email, &password, move_machine).await?;
    cx.out.print(
        &linked_text(&account, fr),
        json!({ "linked": true, "account": account }),
    );
    Ok(exit::OK)
}

fn linked_text(account: &AccountView, fr: bool) -> String {
    if fr {
        format!(
            "Cet ordinateur est lié au compte client {}.",
            account.customer_id
        )
    } else {
        format!(
            "This computer is linked to customer account {}.",
            account.customer_id
        )
    }
}

/// Links with the enrollment key in `file` ("-": standard input).
async fn link_with_key(
    cx: &Context<'_>,
    file: &std::path::Path,
    move_machine: bool,
) -> Result<i32, Failure> {
    let fr = cx.fr;
    let key = if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut text)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        text
    } else {
        std::fs::read_to_string(file).map_err(|e| {
            Failure::Usage(if fr {
                format!("impossible de lire la clé dans {} : {e}", file.display())
            } else {
                format!("cannot read the key from {}: {e}", file.display())
            })
        })?
    };
    // The first line that is not empty: a file may end with a line break, or carry a
    // comment line after the key.
    let key = key
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if key.is_empty() {
        return Err(Failure::Usage(if fr {
            "aucune clé d'enrôlement dans le fichier".into()
        } else {
            "no enrollment key in the file".into()
        }));
    }
    let account = cx.client.link_with_key(key, move_machine).await?;
    cx.out.print(
        &linked_text(&account, fr),
        json!({ "linked": true, "account": account }),
    );
    Ok(exit::OK)
}

/// Lists the account's enrollment keys.
async fn enrollment_keys(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let keys = cx.client.enrollment_keys().await?;
    let mut text = String::new();
    if keys.is_empty() {
        text.push_str(if fr {
            "Aucune clé d'enrôlement."
        } else {
            "No enrollment key."
        });
    }
    for key in &keys {
        let status = key_status_text(&key.status, fr);
        if fr {
            text.push_str(&format!(
                "{}  « {} »  {status}  {} utilisation(s) restante(s) sur {}  expire le {}\n",
                key.id, key.label, key.uses_left, key.uses_allowed, key.expires_at
            ));
        } else {
            text.push_str(&format!(
                "{}  \"{}\"  {status}  {} of {} uses left  expires {}\n",
                key.id, key.label, key.uses_left, key.uses_allowed, key.expires_at
            ));
        }
        for used in &key.uses {
            text.push_str(&format!("      {}  {}\n", used.at, used.machine_name));
        }
    }
    cx.out
        .print(text.trim_end(), json!({ "enrollment_keys": keys }));
    Ok(exit::OK)
}

fn key_status_text(status: &str, fr: bool) -> &'static str {
    match (status, fr) {
        ("active", true) => "active",
        ("active", false) => "active",
        ("expired", true) => "expirée",
        ("expired", false) => "expired",
        ("used_up", true) => "épuisée",
        ("used_up", false) => "used up",
        ("revoked", true) => "révoquée",
        ("revoked", false) => "revoked",
        (_, _) => "?",
    }
}

/// Creates an enrollment key and shows it once (and writes it to `output`).
async fn create_enrollment_key(
    cx: &Context<'_>,
    label: &str,
    uses: i64,
    days: i64,
    output: Option<&std::path::Path>,
) -> Result<i32, Failure> {
    let fr = cx.fr;
    let password = read_password(account_password_prompt(fr))?;
    let created = cx
        .client
        .create_enrollment_key(&password, label, Some(uses), Some(days))
        .await?;
    if let Some(path) = output {
        write_private(path, &format!("{}\n", created.key)).map_err(|e| {
            Failure::Usage(format!(
                "{} {}: {e} ({})",
                if fr {
                    "clé créée mais non écrite dans"
                } else {
                    "key created but not written to"
                },
                path.display(),
                created.key
            ))
        })?;
    }
    let key = &created.key;
    let text = if fr {
        format!(
            "Clé d'enrôlement « {label} » : {key}\n\
             Elle lie jusqu'à {uses} ordinateur(s) et expire le {}. Elle ne sera plus affichée : conservez-la.\n\
             Sur chaque ordinateur, enregistrez-la dans un fichier, puis :\n  \
             customer-account link --enrollment-key-file FICHIER\n\
             ou à l'installation : /S /ENROLLMENTKEYFILE=FICHIER",
            created.enrollment_key.expires_at
        )
    } else {
        format!(
            "Enrollment key \"{label}\": {key}\n\
             It links up to {uses} computer(s) and expires on {}. It will not be shown again: keep it.\n\
             On each computer, save it in a file, then:\n  \
             customer-account link --enrollment-key-file FILE\n\
             or when installing: /S /ENROLLMENTKEYFILE=FILE",
            created.enrollment_key.expires_at
        )
    };
    cx.out.print(
        &text,
        json!({ "key": created.key, "enrollment_key": created.enrollment_key }),
    );
    Ok(exit::OK)
}

/// Creates `path` (never overwrites one), readable by this user only where the system
/// has such permissions.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

async fn revoke_enrollment_key(cx: &Context<'_>, key_id: i64) -> Result<i32, Failure> {
    cx.client.revoke_enrollment_key(key_id).await?;
    let text = if cx.fr {
        format!("La clé d'enrôlement {key_id} est révoquée : elle ne lie plus aucun ordinateur.")
    } else {
        format!("Enrollment key {key_id} is revoked: it links no more computers.")
    };
    cx.out.print(&text, json!({ "revoked": key_id }));
    Ok(exit::OK)
}

/// Lists the computers not seen for `days` days, asks, then unlinks them in one step.
async fn unlink_stale(cx: &Context<'_>, days: i64, yes: bool) -> Result<i32, Failure> {
    let fr = cx.fr;
    if !(1..=account_api::wire::STALE_DAYS_MAX).contains(&days) {
        return Err(Failure::Usage(if fr {
            "--days : de 1 à 3650 jours".into()
        } else {
            "--days: 1 to 3650 days".into()
        }));
    }
    let account = cx.client.account().await?;
    let stale = stale_machines(&account, days);
    if stale.is_empty() {
        let text = if fr {
            format!("Aucun ordinateur sans connexion depuis {days} jour(s) : rien à délier.")
        } else {
            format!("No computer unseen for {days} day(s): nothing to unlink.")
        };
        cx.out.print(&text, json!({ "unlinked": [] }));
        return Ok(exit::OK);
    }
    let mut list = String::new();
    for m in &stale {
        let seen = if fr { "vu le" } else { "last seen" };
        list.push_str(&format!(
            "  {}  {}  {seen} {}\n",
            m.machine_id, m.name, m.last_seen_at
        ));
    }
    eprint!(
        "{}\n{list}",
        if fr {
            format!("Ordinateurs sans connexion depuis {days} jour(s) :")
        } else {
            format!("Computers not seen for {days} day(s):")
        }
    );
    if !yes
        && !confirm(&if fr {
            format!("Délier ces {} ordinateur(s) ? [o/N] ", stale.len())
        } else {
            format!("Unlink these {} computer(s)? [y/N] ", stale.len())
        })?
    {
        return Err(cancelled(fr));
    }
    let password = read_password(account_password_prompt(fr))?;
    let ids: Vec<String> = stale.iter().map(|m| m.machine_id.clone()).collect();
    let unlinked = cx
        .client
        .unlink_stale_machines(&password, days, &ids)
        .await?;
    let text = if fr {
        format!("{} ordinateur(s) délié(s).", unlinked.len())
    } else {
        format!("{} computer(s) unlinked.", unlinked.len())
    };
    cx.out.print(&text, json!({ "unlinked": unlinked }));
    Ok(exit::OK)
}

/// The account's other computers not seen for `days` days, longest unseen first.
fn stale_machines(account: &AccountView, days: i64) -> Vec<account_api::wire::MachineView> {
    let limit = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    let mut stale: Vec<_> = account
        .machines
        .iter()
        .filter(|m| m.machine_id != account.this_machine_id)
        .filter(|m| {
            time::OffsetDateTime::parse(
                &m.last_seen_at,
                &time::format_description::well_known::Rfc3339,
            )
            .is_ok_and(|seen| seen < limit)
        })
        .cloned()
        .collect();
    stale.sort_by(|a, b| a.last_seen_at.cmp(&b.last_seen_at));
    stale
}

/// Changes the details given as options.
async fn edit(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let current = cx.client.account().await?;
    let details = edited(&current, &cx.global.fields, cx.global.lang.as_deref());
    if details == current.details {
        return Err(Failure::Usage(if fr {
            "rien à modifier : donnez les nouvelles valeurs (--phone, --company-name…)".into()
        } else {
            "nothing to change: give the new values (--phone, --company-name…)".into()
        }));
    }
    let password = read_password(account_password_prompt(fr))?;
    let account = cx.client.edit(&password, current.version, &details).await?;
    // A new address waits for the code mailed to it; the rest is saved.
    let new_email = details.email.trim() != current.details.email;
    let others_changed = AccountDetails {
        email: current.details.email.clone(),
        ..details.clone()
    } != current.details;
    let mut lines = Vec::new();
    if others_changed || !new_email || account.pending_email.is_none() {
        lines.push(if fr {
            "Modifications enregistrées.".to_owned()
        } else {
            "Changes saved.".to_owned()
        });
    }
    let sent_to = account.pending_email.clone().filter(|_| new_email);
    if let Some(pending) = &account.pending_email {
        lines.push(pending_email_text(
            pending,
            &account.details.email,
            new_email,
            cx.settings.language,
        ));
    }
    let mut value = json!({ "saved": true, "account": account });
    if let Some(sent_to) = sent_to {
        value["confirmation_sent_to"] = json!(sent_to);
    }
    cx.out.print(&lines.join("\n"), value);
    Ok(exit::OK)
}

/// Confirms the new e-mail address with the code mailed to it.
async fn confirm_email(cx: &Context<'_>, code: Option<String>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let current = cx.client.account().await?;
    let Some(pending) = current.pending_email.clone() else {
        return Err(no_pending_change(&current.details.email, fr));
    };
    let code = match code {
        Some(code) => code,
        None => read_input(
            &if fr {
                format!("Code reçu à {pending} : ")
            } else {
                format!("Code received at {pending}: ")
            },
            false,
        )?,
    };
    let code = code.trim();
    if code.is_empty() {
        return Err(Failure::Usage(if fr {
            "aucun code saisi".into()
        } else {
            "no code given".into()
        }));
    }
    let account = cx.client.confirm_email(code).await?;
    let email = &account.details.email;
    let text = if fr {
        format!("L'adresse e-mail du compte est désormais {email}.")
    } else {
        format!("The account's e-mail address is now {email}.")
    };
    cx.out
        .print(&text, json!({ "confirmed": true, "account": account }));
    Ok(exit::OK)
}

/// Drops the change of e-mail address waiting for its code.
async fn cancel_email_change(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let current = cx.client.account().await?;
    let account = cx.client.cancel_email_change().await?;
    let email = &account.details.email;
    let text = match (&current.pending_email, fr) {
        (Some(pending), true) => format!(
            "Le changement d'adresse e-mail vers {pending} est annulé : l'adresse du compte reste {email}."
        ),
        (Some(pending), false) => format!(
            "The change of e-mail address to {pending} is cancelled: the account's address stays {email}."
        ),
        (None, true) => format!(
            "Aucun changement d'adresse e-mail n'était en attente : l'adresse du compte reste {email}."
        ),
        (None, false) => format!(
            "No change of e-mail address was waiting: the account's address stays {email}."
        ),
    };
    cx.out.print(
        &text,
        json!({ "cancelled": current.pending_email, "account": account }),
    );
    Ok(exit::OK)
}

/// Lists the linked machines.
async fn machines(cx: &Context<'_>) -> Result<i32, Failure> {
    let fr = cx.fr;
    let account = cx.client.account().await?;
    let mut text = String::new();
    for m in &account.machines {
        let this = if m.machine_id == account.this_machine_id {
            if fr {
                "  (cet ordinateur)"
            } else {
                "  (this computer)"
            }
        } else {
            ""
        };
        let seen = if fr { "vu le" } else { "last seen" };
        text.push_str(&format!(
            "{}  {}  {}  {seen} {}{this}\n",
            m.machine_id, m.name, m.os, m.last_seen_at
        ));
    }
    cx.out.print(
        text.trim_end(),
        json!({ "machines": account.machines, "this_machine_id": account.this_machine_id }),
    );
    Ok(exit::OK)
}

/// Unlinks another machine of the account.
async fn unlink_machine(cx: &Context<'_>, machine_id: &str) -> Result<i32, Failure> {
    let fr = cx.fr;
    let password = read_password(account_password_prompt(fr))?;
    cx.client.unlink_machine(machine_id, &password).await?;
    let text = if fr {
        format!("L'ordinateur {machine_id} est délié.")
    } else {
        format!("Computer {machine_id} is unlinked.")
    };
    cx.out.print(&text, json!({ "unlinked": machine_id }));
    Ok(exit::OK)
}

/// Unlinks this machine.
async fn unlink(cx: &Context<'_>, yes: bool) -> Result<i32, Failure> {
    let fr = cx.fr;
    if !yes
        && !confirm(if fr {
            "Délier cet ordinateur du compte client ? [o/N] "
        } else {
            "Unlink this computer from the customer account? [y/N] "
        })?
    {
        return Err(cancelled(fr));
    }
    cx.client.unlink().await?;
    let text = if fr {
        "Cet ordinateur n'est plus lié. À la prochaine ouverture, un nouveau lien sera proposé."
    } else {
        "This computer is no longer linked. Next time, a new link will be offered."
    };
    cx.out.print(text, json!({ "unlinked": "this_machine" }));
    Ok(exit::OK)
}

fn required_email(global: &Global) -> Result<String, Failure> {
    global
        .fields
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| Failure::Usage("--email is required".into()))
}

/// The account's details with the values given as options.
fn edited(
    current: &AccountView,
    fields: &crate::options::Fields,
    lang: Option<&str>,
) -> account_api::wire::AccountDetails {
    let mut details = current.details.clone();
    let set = |target: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            *target = value.clone();
        }
    };
    set(&mut details.email, &fields.email);
    set(&mut details.company_name, &fields.company_name);
    set(&mut details.contact_first_name, &fields.contact_first_name);
    set(&mut details.contact_last_name, &fields.contact_last_name);
    set(&mut details.phone, &fields.phone);
    if let Some(siret) = &fields.siret {
        details.siret = Some(siret.clone());
    }
    if fields.street.is_some()
        || fields.postal_code.is_some()
        || fields.city.is_some()
        || fields.country.is_some()
    {
        let mut address = details.address.clone().unwrap_or_default();
        set(&mut address.street, &fields.street);
        set(&mut address.postal_code, &fields.postal_code);
        set(&mut address.city, &fields.city);
        set(&mut address.country, &fields.country);
        details.address = Some(address);
    }
    if let Some(lang) = lang {
        details.language = Some(lang.to_owned());
    }
    details
}

fn account_password_prompt(fr: bool) -> &'static str {
    if fr {
        "Mot de passe du compte : "
    } else {
        "Account password: "
    }
}

/// The user answered no to a confirmation.
fn cancelled(fr: bool) -> Failure {
    Failure::Usage(if fr {
        "abandon : rien n'a changé".into()
    } else {
        "cancelled: nothing changed".into()
    })
}

/// From a prompt on a terminal (typed unseen), else the first line of standard input.
fn read_password(prompt: &str) -> Result<String, Failure> {
    let password = read_input(prompt, true)?;
    if password.is_empty() {
        return Err(Failure::Usage("no password given".into()));
    }
    Ok(password)
}

/// From a prompt on a terminal (shown as typed unless `secret`), else the first line of
/// standard input; trimmed.
fn read_input(prompt: &str, secret: bool) -> Result<String, Failure> {
    let failed = |e: std::io::Error| Failure::Usage(e.to_string());
    let text = if std::io::stdin().is_terminal() {
        if secret {
            rpassword::prompt_password(prompt).map_err(failed)?
        } else {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(failed)?;
            line
        }
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(failed)?;
        line
    };
    Ok(text.trim().to_owned())
}

/// What the account's pending change of address means for the user.
fn pending_email_text(pending: &str, current: &str, just_sent: bool, language: Language) -> String {
    match (language, just_sent) {
        (Language::Fr, true) => format!(
            "Un code de confirmation a été envoyé à {pending}. L'adresse du compte reste {current} tant que ce code n'est pas saisi : customer-account confirm-email"
        ),
        (Language::En, true) => format!(
            "A confirmation code was sent to {pending}. The account's address stays {current} until the code is entered: customer-account confirm-email"
        ),
        (Language::Fr, false) => format!(
            "Nouvelle adresse e-mail en attente de confirmation : {pending} (saisissez le code qui lui a été envoyé : customer-account confirm-email)"
        ),
        (Language::En, false) => format!(
            "New e-mail address waiting for confirmation: {pending} (enter the code mailed to it: customer-account confirm-email)"
        ),
    }
}

fn no_pending_change(email: &str, fr: bool) -> Failure {
    Failure::Refused {
        code: "no_email_change_pending",
        message: if fr {
            format!("Aucun changement d'adresse e-mail n'attend de confirmation : l'adresse du compte est {email}. Pour en changer : customer-account edit --email NOUVELLE-ADRESSE")
        } else {
            format!("No change of e-mail address is waiting for confirmation: the account's address is {email}. To change it: customer-account edit --email NEW-ADDRESS")
        },
    }
}

/// Asks on a terminal; without one, confirmation must be given with --yes.
fn confirm(question: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage("not a terminal: confirm with --yes".into()));
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "o" | "oui"
    ))
}

fn describe_account(account: &AccountView, language: Language) -> String {
    let d = &account.details;
    let id = account_api::domain::CustomerId::parse(&account.customer_id)
        .map(|id| id.grouped())
        .unwrap_or_else(|_| account.customer_id.clone());
    let this = account
        .machines
        .iter()
        .find(|m| m.machine_id == account.this_machine_id)
        .map(|m| m.name.as_str())
        .unwrap_or("?");
    let balance = account.support_time.balance_minutes;
    let pending = account
        .pending_email
        .as_deref()
        .map(|p| format!("\n{}", pending_email_text(p, &d.email, false, language)))
        .unwrap_or_default();
    match language {
        Language::Fr => format!(
            "Compte client {id} — {}\nNuméro client : {id} (à donner à l'assistance)\nContact : {} {} — {} — {}{pending}\nTemps d'assistance restant : {balance} min\nOrdinateurs liés : {} (celui-ci : {this})",
            d.company_name, d.contact_first_name, d.contact_last_name, d.email, d.phone, account.machines.len()
        ),
        Language::En => format!(
            "Customer account {id} — {}\nCustomer ID: {id} (give it to support)\nContact: {} {} — {} — {}{pending}\nSupport time left: {balance} min\nLinked computers: {} (this one: {this})",
            d.company_name, d.contact_first_name, d.contact_last_name, d.email, d.phone, account.machines.len()
        ),
    }
}

struct Output {
    json: bool,
    language: Language,
}

impl Output {
    fn print(&self, text: &str, value: Value) {
        if self.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    }

    fn warn_offline(&self, fetched_at: &str, reason: &str) {
        let text = match self.language {
            Language::Fr => format!(
                "Service injoignable : données connues le {fetched_at} (lecture seule). ({reason})"
            ),
            Language::En => {
                format!("Service unreachable: data as of {fetched_at} (read-only). ({reason})")
            }
        };
        eprintln!("{text}");
    }

    /// Prints a refusal made here (stdout in JSON, stderr otherwise); exit code 10.
    fn refused(&self, code: &str, message: &str) -> i32 {
        if self.json {
            println!(
                "{}",
                json!({ "error": { "code": code, "message": message } })
            );
        } else {
            eprintln!("{message}");
        }
        exit::REFUSED
    }

    /// Prints the error (stdout in JSON, stderr otherwise) and returns its exit code.
    fn error(&self, err: &ClientError) -> i32 {
        let message = messages::describe(err, self.language);
        if self.json {
            let mut body = json!({ "error": { "code": err.code(), "message": message } });
            match err {
                ClientError::Fields(fields) => body["error"]["fields"] = json!(fields),
                ClientError::RateLimited {
                    retry_after_seconds,
                } => body["error"]["retry_after_seconds"] = json!(retry_after_seconds),
                _ => {}
            }
            println!("{body}");
        } else {
            eprintln!("{message}");
        }
        exit_code(err)
    }
}

fn exit_code(err: &ClientError) -> i32 {
    match err {
        ClientError::NotLinked => exit::NOT_LINKED,
        ClientError::Unreachable(_) => exit::UNREACHABLE,
        ClientError::WrongPassword => exit::WRONG_PASSWORD,
        ClientError::RateLimited { .. } => exit::RATE_LIMITED,
        ClientError::ChangedElsewhere => exit::CHANGED_ELSEWHERE,
        ClientError::LinkedElsewhere => exit::LINKED_ELSEWHERE,
        ClientError::Fields(_)
        | ClientError::EmailUnavailable
        | ClientError::MachineNotFound
        | ClientError::EmailCodeInvalid
        | ClientError::EnrollmentKeyNotFound => exit::REFUSED,
        ClientError::EnrollmentKey(_) => exit::KEY_REFUSED,
        ClientError::CredentialStore(_) => exit::NO_CREDENTIAL_STORE,
        ClientError::Service { .. } | ClientError::Unexpected(_) => exit::UNEXPECTED,
    }
}
