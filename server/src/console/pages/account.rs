//! The account page: everything an agent needs while the customer is on the phone, in
//! named parts (head, support time, details, ledger, computers, notes, history).

use std::collections::HashSet;

use account_api::{domain::Language, fields as labels, wire::EnrollmentKeyView};
use maud::{html, Markup};

use super::{
    balance_class,
    enrollment::{enrollment_keys_card, unlink_stale_form},
    field_error, kind_label, layout, local_time, phone_display, problem, siret_display, FormState,
};
use crate::{
    accounts::customer_id,
    audit::{Action, Actor},
    console::{session::Agent, t},
    storage::{AccountRow, AuditRow, LedgerRow, MachineRow, NoteRow},
    support::{format_minutes, LedgerKind, Rounding},
};

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
    pub enrollment_keys: Vec<EnrollmentKeyView>,
    pub enrollment_key_form: FormState,
    pub unlink_stale_form: FormState,
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
        "enrollment-key-revoked" => t(l, "Clé d'enrôlement révoquée.", "Enrollment key revoked."),
        "stale-unlinked" => t(
            l,
            "Ordinateurs déliés ; le client en est averti par un e-mail.",
            "Computers unlinked; the customer is told in one e-mail.",
        ),
        "stale-none" => t(
            l,
            "Aucun ordinateur délié : ceux de la liste ont été vus entre-temps ou sont déjà déliés.",
            "No computer unlinked: those listed were seen meanwhile or are already unlinked.",
        ),
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
            (enrollment_keys_card(agent, page, &base))
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
            @if agent.is_admin() {
                (unlink_stale_form(agent, page, base))
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
        Action::EnrollmentKeyCreated => t(l, "Clé d'enrôlement créée", "Enrollment key created"),
        Action::EnrollmentKeyRevoked => t(l, "Clé d'enrôlement révoquée", "Enrollment key revoked"),
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
    // A key's label: the key's own events, or a computer linked with it.
    let label = value
        .get("label")
        .or_else(|| value.pointer("/enrollment_key/label"))
        .and_then(|v| v.as_str());
    if let Some(label) = label {
        parts.push(format!("« {label} »"));
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
