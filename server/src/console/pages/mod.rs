//! The console's HTML. maud escapes every value, so nothing typed by a customer or an
//! agent can become markup. Ids on elements are the browser tests' handles.

mod account;
mod enrollment;

use std::collections::HashMap;

use account_api::{domain::Language, fields as labels};
use jiff::tz::TimeZone;
use maud::{html, Markup, DOCTYPE};

pub use account::{account, AccountPage};
pub use enrollment::{confirm_revoke_enrollment_key, confirm_unlink_stale, enrollment_key_created};

use super::{session::Agent, t};
use crate::{
    accounts::customer_id,
    storage::{AccountRow, LedgerRow, MachineRow, RANKED_MATCHES_MAX},
    support::{format_minutes, LedgerKind},
};

/// "22/11/2026 14:05", in the agents' time zone.
pub fn local_time(zone: &TimeZone, unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|ts| {
            ts.to_zoned(zone.clone())
                .strftime("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A "YYYY-MM-DD" day: the date, the Unix time it starts, and the one the next starts.
pub fn day_start(zone: &TimeZone, text: &str) -> Option<(jiff::civil::Date, i64, i64)> {
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let start = date.to_zoned(zone.clone()).ok()?.timestamp().as_second();
    let next = date
        .tomorrow()
        .ok()?
        .to_zoned(zone.clone())
        .ok()?
        .timestamp()
        .as_second();
    Some((date, start, next))
}

/// The first and last days of the previous month: what invoicing usually asks for.
pub fn last_month(zone: &TimeZone) -> (String, String) {
    let today = jiff::Zoned::now().with_time_zone(zone.clone()).date();
    let first_this = today.first_of_month();
    let last_prev = first_this.yesterday().unwrap_or(first_this);
    (
        last_prev.first_of_month().to_string(),
        last_prev.to_string(),
    )
}

/// "01 23 45 67 89" for a French number; others as stored.
fn phone_display(phone: &str) -> String {
    if phone.len() == 10 && phone.starts_with('0') && phone.bytes().all(|b| b.is_ascii_digit()) {
        phone
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        phone.to_owned()
    }
}

/// "732 829 320 00074": SIREN by threes, then the establishment number.
fn siret_display(siret: &str) -> String {
    if siret.len() == 14 && siret.is_ascii() {
        format!(
            "{} {} {} {}",
            &siret[..3],
            &siret[3..6],
            &siret[6..9],
            &siret[9..]
        )
    } else {
        siret.to_owned()
    }
}

pub fn kind_label(language: Language, kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Credit => t(language, "Crédit acheté", "Credit bought"),
        LedgerKind::SupportCall => t(language, "Intervention", "Support call"),
        LedgerKind::Correction => t(language, "Correction", "Correction"),
    }
}

/// Typed values and field messages of one form, so a refused form comes back as typed.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: HashMap<&'static str, String>,
    errors: HashMap<&'static str, String>,
}

impl FormState {
    pub fn set(&mut self, field: &'static str, value: String) {
        self.values.insert(field, value);
    }

    pub fn error(&mut self, field: &'static str, message: &str) {
        self.errors.insert(field, message.to_owned());
    }

    pub fn error_owned(&mut self, field: &'static str, message: String) {
        self.errors.insert(field, message);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    fn message(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// What a search found.
pub enum Found {
    Accounts(Vec<(AccountRow, i64)>),
    /// Too many matches to rank: the first ones, and a request for another word.
    Many(Vec<(AccountRow, i64)>),
    /// The check digit is wrong; these accounts are one slip away.
    Misheard(Vec<(AccountRow, i64)>),
    UnknownId,
    TooShort,
}

fn layout(language: Language, title: &str, agent: Option<&Agent>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(language.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (t(language, "Console du support", "Support console")) }
                link rel="stylesheet" href="/console/console.css";
            }
            body {
                header.top {
                    a.brand href="/console/" { (t(language, "Comptes clients · support", "Customer accounts · support")) }
                    @if let Some(agent) = agent {
                        form.search role="search" method="get" action="/console/" {
                            label.visually-hidden for="top-q" { (t(language, "Rechercher un compte", "Find an account")) }
                            input #top-q type="search" name="q" autocomplete="off"
                                placeholder=(t(language, "Numéro client, e-mail, société, téléphone, SIRET", "Customer ID, e-mail, company, phone, SIRET"));
                        }
                        nav {
                            a href="/console/export" { (t(language, "Export", "Export")) }
                            a.who #agent-name href="/console/password" title=(t(language, "Changer mon mot de passe", "Change my password")) {
                                (agent.name) @if agent.is_admin() { " · admin" }
                            }
                            form.inline method="post" action="/console/logout" {
                                input type="hidden" name="csrf" value=(agent.csrf);
                                button.link #logout type="submit" { (t(language, "Se déconnecter", "Log out")) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

fn field_error(form: &FormState, field: &str, id: &str) -> Markup {
    html! {
        @if let Some(message) = form.message(field) {
            p.field-error id=(id) role="alert" { (message) }
        }
    }
}

pub fn problem(language: Language, message: &str) -> Markup {
    layout(
        language,
        t(language, "Erreur", "Error"),
        None,
        html! {
            section.card {
                h1 { (t(language, "Action impossible", "This could not be done")) }
                p #problem { (message) }
                p { a href="/console/" { (t(language, "Retour à la recherche", "Back to the search")) } }
            }
        },
    )
}

pub fn login(
    language: Language,
    csrf: &str,
    email: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Markup {
    layout(
        language,
        t(language, "Connexion", "Log in"),
        None,
        html! {
            section.card.narrow {
                h1 { (t(language, "Connexion des agents", "Agents' log-in")) }
                @if let Some(notice) = notice { p.notice #notice { (notice) } }
                @if let Some(error) = error { p.field-error #login-error role="alert" { (error) } }
                form method="post" action="/console/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="email" { (t(language, "Adresse e-mail", "E-mail address")) }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { (t(language, "Mot de passe", "Password")) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button #log-in type="submit" { (t(language, "Se connecter", "Log in")) }
                }
            }
        },
    )
}

fn balance_class(minutes: i64) -> &'static str {
    if minutes < 0 {
        "balance overdrawn"
    } else {
        "balance"
    }
}

pub fn find(agent: &Agent, typed: &str, found: Option<Found>) -> Markup {
    let l = agent.language;
    layout(
        l,
        t(l, "Rechercher", "Find"),
        Some(agent),
        html! {
            section.card {
                h1 { (t(l, "Trouver le compte de l'appelant", "Find the caller's account")) }
                form method="get" action="/console/" {
                    label for="q" { (t(l, "Numéro client, e-mail, société, contact, téléphone ou SIRET", "Customer ID, e-mail, company, contact, phone or SIRET")) }
                    div.row {
                        input #q type="search" name="q" value=(typed) autofocus autocomplete="off";
                        button #find type="submit" { (t(l, "Rechercher", "Find")) }
                    }
                }
                @match found {
                    None => {}
                    Some(Found::TooShort) => p.notice #search-message { (t(l, "Tapez au moins trois caractères.", "Type at least three characters.")) },
                    Some(Found::UnknownId) => p.notice #search-message { (t(l, "Ce numéro est valide, mais aucun compte ne le porte.", "This number is valid, but no account has it.")) },
                    Some(Found::Misheard(accounts)) => {
                        p.warning #search-message role="alert" {
                            (t(l, "Le chiffre de contrôle ne correspond pas : un chiffre a sans doute été mal entendu ou inversé. Faites répéter le numéro.",
                               "The check digit does not match: a digit was probably misheard or swapped. Ask the caller to repeat the number."))
                        }
                        @if !accounts.is_empty() {
                            p { (t(l, "Comptes à un chiffre près :", "Accounts one digit away:")) }
                            (results(l, &accounts))
                        }
                    },
                    Some(Found::Many(accounts)) => {
                        p.notice #search-message {
                            (t(l, "Plus de", "More than")) " " (RANKED_MATCHES_MAX) " "
                            (t(l, "comptes correspondent : ajoutez un mot (ville, nom du contact…). Les premiers :",
                               "accounts match: add a word (city, contact's name…). The first ones:"))
                        }
                        (results(l, &accounts))
                    },
                    Some(Found::Accounts(accounts)) => {
                        @if accounts.is_empty() {
                            p.notice #search-message { (t(l, "Aucun compte ne correspond.", "No account matches.")) }
                        } @else {
                            (results(l, &accounts))
                        }
                    },
                }
            }
        },
    )
}

fn results(l: Language, accounts: &[(AccountRow, i64)]) -> Markup {
    html! {
        table #results {
            thead { tr {
                th { (labels::CUSTOMER_ID.told_in(l)) }
                th { (labels::COMPANY_NAME.told_in(l)) }
                th { (labels::CONTACT.told_in(l)) }
                th { (labels::PHONE.told_in(l)) }
                th.num { (t(l, "Solde", "Balance")) }
            } }
            tbody {
                @for (account, balance) in accounts {
                    @let id = customer_id(account);
                    tr {
                        td { a href={ "/console/accounts/" (id) } { (id.grouped()) } }
                        td { (account.company_name) }
                        td { (account.contact_first_name) " " (account.contact_last_name) br; small { (account.email) } }
                        td { (phone_display(account.phone.as_str())) }
                        td.num class=(balance_class(*balance)) { (format_minutes(*balance)) }
                    }
                }
            }
        }
    }
}

fn confirm_page(agent: &Agent, title: &str, body: Markup) -> Markup {
    layout(
        agent.language,
        title,
        Some(agent),
        html! { section.card.narrow { (body) } },
    )
}

pub fn confirm_correction(
    agent: &Agent,
    account: &AccountRow,
    entry: &LedgerRow,
    reversed: bool,
    form: &FormState,
) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    confirm_page(
        agent,
        t(l, "Corriger une écriture", "Correct an entry"),
        html! {
            h1 { (t(l, "Corriger une écriture", "Correct an entry")) }
            p { (account.company_name) " · " (id.grouped()) }
            p { (local_time(&agent.zone, entry.at)) " · " (kind_label(l, entry.kind)) " · " strong { (format_minutes(entry.minutes)) } " · " (entry.note) }
            @if reversed || entry.kind == LedgerKind::Correction {
                p.warning #problem { (t(l, "Cette écriture est déjà annulée, ou est elle-même une correction.", "This entry is already cancelled, or is itself a correction.")) }
                p { a href=(base) { (t(l, "Retour au compte", "Back to the account")) } }
            } @else {
                p { (t(l, "Une écriture inverse de", "An opposite entry of")) " " strong { (format_minutes(-entry.minutes)) } " "
                    (t(l, "sera ajoutée ; l'écriture d'origine reste visible.", "will be added; the original entry stays visible.")) }
                form method="post" action={ (base) "/entries/" (entry.id) "/correct" } {
                    input type="hidden" name="csrf" value=(agent.csrf);
                    label for="reason" { (t(l, "Motif", "Reason")) }
                    input #reason name="reason" value=(form.value("reason")) required autofocus;
                    (field_error(form, "reason", "reason-error"))
                    div.row {
                        button.danger #confirm type="submit" { (t(l, "Annuler cette écriture", "Cancel this entry")) }
                        a.button.secondary href=(base) { (t(l, "Ne rien changer", "Change nothing")) }
                    }
                }
            }
        },
    )
}

pub fn confirm_password_request(agent: &Agent, account: &AccountRow) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    confirm_page(
        agent,
        t(l, "Envoyer un nouveau mot de passe", "Send a new password"),
        html! {
            h1 { (t(l, "Envoyer un nouveau mot de passe ?", "Send a new password?")) }
            p { (t(l, "Un nouveau mot de passe sera envoyé à", "A new password will be sent to")) " " strong { (account.email) } ". "
                (t(l, "Ni vous ni personne d'autre ne le verra. Le mot de passe actuel reste valable tant que le nouveau n'est pas utilisé.",
                   "Neither you nor anyone else will see it. The current password keeps working until the new one is used.")) }
            form method="post" action={ (base) "/password-request" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                div.row {
                    button #confirm type="submit" { (t(l, "Envoyer", "Send")) }
                    a.button.secondary href=(base) { (t(l, "Ne rien envoyer", "Send nothing")) }
                }
            }
        },
    )
}

pub fn confirm_unlink(agent: &Agent, account: &AccountRow, machine: &MachineRow) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    confirm_page(
        agent,
        t(l, "Délier un ordinateur", "Unlink a computer"),
        html! {
            h1 { (t(l, "Délier cet ordinateur ?", "Unlink this computer?")) }
            p { strong { (machine.name) } " (" (machine.os) "), "
                (t(l, "vu pour la dernière fois le", "last seen on")) " " (local_time(&agent.zone, machine.last_seen_at)) "." }
            p { (t(l, "Il ne sera plus lié au compte de", "It will no longer be linked to the account of")) " " (account.company_name)
                " ; " (t(l, "le client en sera averti par e-mail et pourra le lier de nouveau avec son mot de passe.",
                          "the customer will be told by e-mail and can link it again with the password.")) }
            form method="post" action={ (base) "/machines/" (machine.id) "/unlink" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                div.row {
                    button.danger #confirm type="submit" { (t(l, "Délier", "Unlink")) }
                    a.button.secondary href=(base) { (t(l, "Ne rien changer", "Change nothing")) }
                }
            }
        },
    )
}

pub fn own_password(agent: &Agent, done: bool, form: &FormState) -> Markup {
    let l = agent.language;
    layout(
        l,
        t(l, "Mon mot de passe", "My password"),
        Some(agent),
        html! {
            section.card.narrow {
                h1 { (t(l, "Changer mon mot de passe", "Change my password")) }
                @if done {
                    p.done #done role="status" { (t(l, "Mot de passe changé ; vos autres sessions ont été fermées.",
                                                  "Password changed; your other sessions were closed.")) }
                }
                form method="post" action="/console/password" {
                    input type="hidden" name="csrf" value=(agent.csrf);
                    input type="hidden" name="username" value=(agent.email) autocomplete="username";
                    label for="current" { (t(l, "Mot de passe actuel", "Current password")) }
                    input #current type="password" name="current" autocomplete="current-password" required;
                    (field_error(form, "current", "current-error"))
                    label for="new" { (t(l, "Nouveau mot de passe (12 caractères au moins)", "New password (12 characters or more)")) }
                    input #new type="password" name="new" autocomplete="new-password" required minlength="12";
                    (field_error(form, "new", "new-error"))
                    label for="again" { (t(l, "Nouveau mot de passe, encore", "New password, again")) }
                    input #again type="password" name="again" autocomplete="new-password" required;
                    (field_error(form, "again", "again-error"))
                    button #change-password type="submit" { (t(l, "Changer le mot de passe", "Change the password")) }
                }
            }
        },
    )
}

pub fn export(agent: &Agent, form: &FormState) -> Markup {
    let l = agent.language;
    layout(
        l,
        t(l, "Export", "Export"),
        Some(agent),
        html! {
            section.card.narrow {
                h1 { (t(l, "Exporter le temps d'assistance", "Export support time")) }
                p { (t(l, "Fichier CSV (séparateur point-virgule) de toutes les écritures de la période, pour la facturation.",
                       "CSV file (semicolon-separated) of every entry of the period, for invoicing.")) }
                form method="get" action="/console/export.csv" {
                    label for="from" { (t(l, "Du", "From")) }
                    input #from type="date" name="from" value=(form.value("from")) required;
                    (field_error(form, "from", "from-error"))
                    label for="to" { (t(l, "Au (inclus)", "To (included)")) }
                    input #to type="date" name="to" value=(form.value("to")) required;
                    (field_error(form, "to", "to-error"))
                    label for="customer_id" { (t(l, "Numéro client (vide : tous les comptes)", "Customer ID (empty: every account)")) }
                    input #customer_id name="customer_id" value=(form.value("customer_id")) inputmode="numeric";
                    (field_error(form, "customer_id", "customer_id-error"))
                    button #export-submit type="submit" { (t(l, "Télécharger le CSV", "Download the CSV")) }
                }
            }
        },
    )
}
