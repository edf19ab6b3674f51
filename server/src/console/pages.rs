//! The console's HTML. maud escapes every value, so nothing typed by a customer or an
//! agent can become markup. Ids on elements are the browser tests' handles.

use std::collections::{HashMap, HashSet};

use account_api::domain::Language;
use jiff::tz::TimeZone;
use maud::{html, Markup, DOCTYPE};

use super::{session::Agent, t};
use crate::{
    accounts::customer_id,
    audit::{Action, Actor},
    labels,
    storage::{AccountRow, AuditRow, LedgerRow, MachineRow, NoteRow, RANKED_MATCHES_MAX},
    support::{format_minutes, LedgerKind, Rounding},
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

#[derive(Default)]
pub struct AccountPage {
    pub account: Option<AccountRow>,
    pub done: Option<String>,
    pub machines: Vec<MachineRow>,
    pub ledger: Vec<LedgerRow>,
    pub reversed: HashSet<i64>,
    pub balance: i64,
    pub notes: Vec<NoteRow>,
    pub history: Vec<AuditRow>,
    pub timer_started_at: Option<i64>,
    pub rounding: Rounding,
    pub support_call_form: FormState,
    pub credit_form: FormState,
    pub note_form: FormState,
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

fn done_message(l: Language, done: &str) -> Option<&'static str> {
    Some(match done {
        "support-call" => t(l, "Intervention enregistrée.", "Support call logged."),
        "credit" => t(l, "Crédit ajouté.", "Credit added."),
        "correction" => t(l, "Écriture annulée par une correction.", "Entry cancelled by a correction."),
        "note" => t(l, "Observation ajoutée.", "Note added."),
        "password" => t(
            l,
            "Un nouveau mot de passe a été envoyé à l'adresse du compte. L'actuel reste valable tant que le nouveau n'est pas utilisé.",
            "A new password was sent to the account's address. The current one keeps working until the new one is used.",
        ),
        "unlinked" => t(l, "Ordinateur délié ; le client en est averti par e-mail.", "Computer unlinked; the customer is told by e-mail."),
        "timer" => t(l, "Chronomètre lancé.", "Timer started."),
        _ => return None,
    })
}

pub fn account(agent: &Agent, page: &AccountPage) -> Markup {
    let l = agent.language;
    let Some(account) = &page.account else {
        return problem(l, t(l, "Compte introuvable.", "Account not found."));
    };
    let base = format!("/console/accounts/{}", customer_id(account));
    layout(
        l,
        &account.company_name,
        Some(agent),
        html! {
            @if let Some(message) = page.done.as_deref().and_then(|d| done_message(l, d)) {
                p.done #done role="status" { (message) }
            }
            (account_head(l, page, account))
            div.columns {
                (support_time_card(agent, page, &base))
                (details_card(agent, account, &base))
            }
            (ledger_card(agent, page, account, &base))
            div.columns {
                (machines_card(agent, page, &base))
                (notes_card(agent, page, &base))
            }
            (history_card(agent, page))
        },
    )
}

/// Who the account is, its customer ID and balance, at the top.
fn account_head(l: Language, page: &AccountPage, account: &AccountRow) -> Markup {
    let id = customer_id(account);
    html! {
        section.card.head {
            div {
                p.label { (labels::CUSTOMER_ID.told_in(l)) }
                p.customer-id #customer-id { (id.grouped()) }
            }
            div {
                h1 #company { (account.company_name) }
                p { (account.contact_first_name) " " (account.contact_last_name) " · "
                    a href={ "mailto:" (account.email) } { (account.email) } " · " (phone_display(account.phone.as_str())) }
            }
            div.right {
                p.label { (t(l, "Solde", "Balance")) }
                p #balance class=(balance_class(page.balance)) { (format_minutes(page.balance)) }
                @if page.balance < 0 {
                    p.overdraft #overdraft { (t(l, "Découvert : crédit à racheter", "Overdrawn: credit to buy")) }
                }
            }
        }
    }
}

/// The timer and the forms that log a support call or add credit.
fn support_time_card(agent: &Agent, page: &AccountPage, base: &str) -> Markup {
    let l = agent.language;
    let now = crate::now();
    html! {
        section.card #support-time {
            h2 { (t(l, "Temps d'assistance", "Support time")) }
            div #timer {
                @if let Some(started) = page.timer_started_at {
                    p { (t(l, "Chronomètre lancé à", "Timer started at")) " " (local_time(&agent.zone, started))
                        " (" (format_minutes(((now - started) / 60).max(0))) ")" }
                    form.inline method="post" action={ (base) "/timer/stop" } {
                        input type="hidden" name="csrf" value=(agent.csrf);
                        button #timer-stop type="submit" { (t(l, "Arrêter et reporter la durée", "Stop and fill in the time")) }
                    }
                } @else {
                    form.inline method="post" action={ (base) "/timer/start" } {
                        input type="hidden" name="csrf" value=(agent.csrf);
                        button.secondary #timer-start type="submit" { (t(l, "Lancer le chronomètre", "Start the timer")) }
                    }
                }
            }
            form #log-support-call method="post" action={ (base) "/support-calls" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                label for="support-call-minutes" { (t(l, "Durée de l'appel", "Length of the call")) }
                input #support-call-minutes name="minutes" value=(page.support_call_form.value("minutes")) inputmode="numeric" placeholder="17, 1h30"
                    aria-describedby="rounding-rule";
                (field_error(&page.support_call_form, "minutes", "support-call-minutes-error"))
                p.hint #rounding-rule {
                    @if page.rounding.step_minutes() > 1 {
                        (t(l, "Chaque tranche commencée de", "Each started block of")) " " (page.rounding.step_minutes()) " min "
                        (t(l, "est décomptée.", "is charged."))
                    } @else {
                        (t(l, "Décompté à la minute.", "Charged by the minute."))
                    }
                }
                label for="support-call-note" { (t(l, "Note (objet de l'appel)", "Note (what the call was about)")) }
                textarea #support-call-note name="note" rows="2" { (page.support_call_form.value("note")) }
                (field_error(&page.support_call_form, "note", "support-call-note-error"))
                button #log-support-call-submit type="submit" { (t(l, "Enregistrer l'intervention", "Log the support call")) }
            }
            form #add-credit method="post" action={ (base) "/credits" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                h3 { (t(l, "Ajouter du crédit acheté", "Add purchased credit")) }
                label for="credit-minutes" { (t(l, "Durée achetée", "Time bought")) }
                input #credit-minutes name="minutes" value=(page.credit_form.value("minutes")) placeholder="10h, 600";
                (field_error(&page.credit_form, "minutes", "credit-minutes-error"))
                label for="credit-reference" { (t(l, "Référence (commande, facture)", "Reference (order, invoice)")) }
                input #credit-reference name="reference" value=(page.credit_form.value("reference"));
                (field_error(&page.credit_form, "reference", "credit-reference-error"))
                label for="credit-note" { (t(l, "Note", "Note")) }
                input #credit-note name="note" value=(page.credit_form.value("note"));
                (field_error(&page.credit_form, "note", "credit-note-error"))
                button #add-credit-submit type="submit" { (t(l, "Ajouter le crédit", "Add the credit")) }
            }
        }
    }
}

/// The account's details, and the password request button.
fn details_card(agent: &Agent, account: &AccountRow, base: &str) -> Markup {
    let l = agent.language;
    html! {
        section.card #details {
            h2 { (t(l, "Coordonnées", "Details")) }
            dl {
                dt { (labels::COMPANY_NAME.told_in(l)) } dd { (account.company_name) }
                dt { (labels::CONTACT.told_in(l)) } dd { (account.contact_first_name) " " (account.contact_last_name) }
                dt { (labels::EMAIL.told_in(l)) } dd { (account.email) }
                dt { (labels::PHONE.told_in(l)) } dd { (phone_display(account.phone.as_str())) }
                dt { (labels::SIRET.told_in(l)) } dd { (account.siret.as_deref().map(siret_display).unwrap_or_else(|| "—".to_owned())) }
                dt { (labels::ADDRESS.told_in(l)) }
                dd { @if let Some(street) = &account.address_street {
                    @for line in street.lines() { (line) br; }
                    (account.address_postal_code.as_deref().unwrap_or("")) " " (account.address_city.as_deref().unwrap_or(""))
                    " " (account.address_country.as_deref().unwrap_or(""))
                } @else { "—" } }
                dt { (labels::LANGUAGE.told_in(l)) } dd { (account.language.as_str()) }
                dt { (t(l, "Créé le", "Created")) } dd { (local_time(&agent.zone, account.created_at)) }
            }
            p { a.button.secondary #password-request href={ (base) "/password-request" } { (t(l, "Envoyer un nouveau mot de passe", "Send a new password")) } }
        }
    }
}

/// Every ledger entry, newest first, each with its correction link.
fn ledger_card(agent: &Agent, page: &AccountPage, account: &AccountRow, base: &str) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    html! {
        section.card #ledger {
            h2 { (t(l, "Relevé du temps d'assistance", "Support-time ledger")) }
            @if page.ledger.is_empty() {
                p.notice { (t(l, "Aucune écriture pour l'instant.", "No entries yet.")) }
            } @else {
                table #ledger-entries {
                    thead { tr {
                        th { (t(l, "Date", "Date")) } th { (t(l, "Type", "Kind")) }
                        th.num { (t(l, "Minutes", "Minutes")) } th { (t(l, "Détail", "Detail")) }
                        th { (t(l, "Agent", "Agent")) } th {}
                    } }
                    tbody {
                        @for entry in page.ledger.iter().rev() {
                            tr #{ "entry-" (entry.id) } class=(if page.reversed.contains(&entry.id) { "reversed" } else { "" }) {
                                td { (local_time(&agent.zone, entry.at)) }
                                td.kind { (kind_label(l, entry.kind)) }
                                td.num { (format_minutes(entry.minutes)) }
                                td {
                                    @if let Some(worked) = entry.worked_minutes {
                                        (t(l, "travaillé", "worked")) " " (format_minutes(worked)) ". "
                                    }
                                    @if let Some(reverses) = entry.reverses {
                                        (t(l, "Annule l'écriture", "Cancels entry")) " n° " (reverses) ". "
                                    }
                                    @if !entry.reference.is_empty() { (t(l, "Réf.", "Ref.")) " " (entry.reference) ". " }
                                    (entry.note)
                                }
                                td { (entry.agent_name) }
                                td {
                                    @if entry.kind != LedgerKind::Correction && !page.reversed.contains(&entry.id) {
                                        a.correct href={ (base) "/entries/" (entry.id) "/correct" } { (t(l, "Corriger", "Correct")) }
                                    } @else if page.reversed.contains(&entry.id) {
                                        small { (t(l, "annulée", "cancelled")) }
                                    }
                                }
                            }
                        }
                    }
                    tfoot { tr { td colspan="2" { (t(l, "Solde", "Balance")) } td.num class=(balance_class(page.balance)) { (format_minutes(page.balance)) } td colspan="3" {} } }
                }
            }
            p { a href={ "/console/export?customer_id=" (id) } { (t(l, "Exporter ce relevé (CSV)", "Export this ledger (CSV)")) } }
        }
    }
}

/// The account's computers; an admin may unlink a linked one.
fn machines_card(agent: &Agent, page: &AccountPage, base: &str) -> Markup {
    let l = agent.language;
    html! {
        section.card #machines {
            h2 { (t(l, "Ordinateurs", "Computers")) }
            @if page.machines.is_empty() {
                p.notice { (t(l, "Aucun ordinateur lié.", "No computer linked.")) }
            } @else {
                table { thead { tr {
                    th { (t(l, "Nom", "Name")) } th { (t(l, "Système", "System")) }
                    th { (t(l, "Vu pour la dernière fois", "Last seen")) } th {}
                } }
                tbody { @for machine in &page.machines {
                    tr #{ "machine-" (machine.id) } {
                        td { (machine.name) }
                        td { (machine.os) " · " (machine.app_version) }
                        td { (local_time(&agent.zone, machine.last_seen_at)) }
                        td {
                            @if !machine.is_linked() {
                                small { (t(l, "délié", "unlinked")) }
                            } @else if agent.is_admin() {
                                a.unlink href={ (base) "/machines/" (machine.id) "/unlink" } { (t(l, "Délier", "Unlink")) }
                            } @else {
                                small { (t(l, "lié", "linked")) }
                            }
                        }
                    }
                } } }
            }
        }
    }
}

/// Internal notes, and the form that adds one.
fn notes_card(agent: &Agent, page: &AccountPage, base: &str) -> Markup {
    let l = agent.language;
    html! {
        section.card #notes {
            h2 { (t(l, "Observations internes", "Internal notes")) }
            form method="post" action={ (base) "/notes" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                label.visually-hidden for="note-text" { (t(l, "Nouvelle observation", "New note")) }
                textarea #note-text name="text" rows="2" { (page.note_form.value("text")) }
                (field_error(&page.note_form, "text", "note-text-error"))
                button.secondary #add-note type="submit" { (t(l, "Ajouter l'observation", "Add the note")) }
            }
            @for note in &page.notes {
                blockquote { p { (note.text) } footer { (note.agent_name) ", " (local_time(&agent.zone, note.at)) } }
            }
        }
    }
}

/// The account's history, newest first.
fn history_card(agent: &Agent, page: &AccountPage) -> Markup {
    let l = agent.language;
    html! {
        section.card #history {
            h2 { (t(l, "Historique", "History")) }
            table { tbody { @for event in page.history.iter().rev() {
                tr data-action=(event.action.as_str()) {
                    td { (local_time(&agent.zone, event.at)) }
                    td { (actor_label(l, &event.actor, &page.machines)) }
                    td { (action_label(l, event.action)) (event_detail(&event.detail)) }
                }
            } } }
        }
    }
}

/// Who did it, in words: an agent, an integration, a computer of the account, or the
/// customer before linking anything.
fn actor_label(l: Language, actor: &Actor, machines: &[MachineRow]) -> String {
    match actor {
        Actor::Agent(email) => format!("{email} ({})", t(l, "support", "support")),
        Actor::Api(email) => format!("{email} (API)"),
        Actor::Machine(id) => {
            let name = machines
                .iter()
                .find(|m| &m.id == id)
                .map_or(id.as_str(), |m| m.name.as_str());
            format!("{name} ({})", t(l, "ordinateur", "computer"))
        }
        Actor::Anonymous => t(l, "le client", "the customer").to_owned(),
    }
}

fn action_label(l: Language, action: Action) -> &'static str {
    match action {
        Action::AccountCreated => t(l, "Compte créé", "Account created"),
        Action::RegistrationForExistingAccount => t(
            l,
            "Nouvelle inscription avec l'adresse du compte",
            "Registered again with the account's address",
        ),
        Action::PasswordRequested => t(
            l,
            "Mot de passe demandé par e-mail",
            "Password asked by e-mail",
        ),
        Action::PasswordSentBySupport => t(
            l,
            "Nouveau mot de passe envoyé par le support",
            "New password sent by support",
        ),
        Action::DetailsChanged => t(l, "Coordonnées modifiées", "Details changed"),
        Action::EmailChangeRequested => t(
            l,
            "Nouvelle adresse e-mail demandée (code envoyé)",
            "New e-mail address asked for (code sent)",
        ),
        Action::EmailChanged => t(l, "Adresse e-mail modifiée", "E-mail address changed"),
        Action::EmailChangeCancelled => t(
            l,
            "Changement d'adresse e-mail annulé",
            "E-mail address change cancelled",
        ),
        Action::EmailChangeVoided => t(
            l,
            "Changement d'adresse e-mail abandonné (codes erronés)",
            "E-mail address change void (wrong codes)",
        ),
        Action::MachineLinked => t(l, "Ordinateur lié", "Computer linked"),
        Action::MachineMovedIn => t(
            l,
            "Ordinateur repris d'un autre compte",
            "Computer moved in from another account",
        ),
        Action::MachineMovedAway => t(
            l,
            "Ordinateur passé à un autre compte",
            "Computer moved to another account",
        ),
        Action::MachineUnlinked => t(l, "Ordinateur délié", "Computer unlinked"),
        Action::MachineUnlinkedBySupport => t(
            l,
            "Ordinateur délié par le support",
            "Computer unlinked by support",
        ),
        Action::SupportCallLogged => t(l, "Intervention enregistrée", "Support call logged"),
        Action::CreditAdded => t(l, "Crédit ajouté", "Credit added"),
        Action::EntryCorrected => t(l, "Écriture corrigée", "Entry corrected"),
        Action::NoteAdded => t(l, "Observation ajoutée", "Note added"),
    }
}

/// The useful part of an event's detail: the computer's name, the minutes.
fn event_detail(detail: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(detail) else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(name) = value.get("name").and_then(|v| v.as_str()) {
        parts.push(name.to_owned());
    }
    for key in ["charged_minutes", "minutes"] {
        if let Some(m) = value.get(key).and_then(|v| v.as_i64()) {
            parts.push(format_minutes(m));
        }
    }
    if let Some(reference) = value.get("reference").and_then(|v| v.as_str()) {
        parts.push(reference.to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join(", "))
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
