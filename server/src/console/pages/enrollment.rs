//! Enrollment keys on the account page (listed for every agent; created and revoked by
//! admins), the page that shows a new key once, and the admins' confirmation pages
//! (revoke a key, unlink the computers not seen for N days).

use account_api::{
    domain::Language,
    wire::{EnrollmentKeyView, ENROLLMENT_KEY_DEFAULT_DAYS, ENROLLMENT_KEY_DEFAULT_USES},
};
use jiff::tz::TimeZone;
use maud::{html, Markup};

use super::{confirm_page, field_error, local_time, AccountPage};
use crate::{
    accounts::customer_id,
    console::{session::Agent, t},
    storage::{AccountRow, MachineRow},
};

/// What the customer's administrator runs on each computer, the key saved in a file.
pub const LINK_COMMAND: &str = "customer-account link --enrollment-key-file <file>";

/// A time the API writes (RFC 3339), as the console shows times.
fn shown_time(zone: &TimeZone, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|ts| local_time(zone, ts.as_second()))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn status_label(l: Language, status: &str) -> &'static str {
    match status {
        "active" => t(l, "active", "active"),
        "expired" => t(l, "expirée", "expired"),
        "used_up" => t(l, "épuisée", "used up"),
        "revoked" => t(l, "révoquée", "revoked"),
        _ => "",
    }
}

fn created_by(l: Language, by: &str) -> String {
    match by {
        "support" => t(l, "le support", "support").to_owned(),
        "" => "—".to_owned(),
        name => format!("{name} ({})", t(l, "ordinateur", "computer")),
    }
}

/// The account's keys, each with the computers it linked; admins create and revoke.
pub(super) fn enrollment_keys_card(agent: &Agent, page: &AccountPage, base: &str) -> Markup {
    let l = agent.language;
    let form = &page.enrollment_key_form;
    html! {
        section.card #enrollment-keys {
            h2 { (t(l, "Clés d'enrôlement", "Enrollment keys")) }
            p.hint { (t(l, "Une clé lie plusieurs ordinateurs sans taper le mot de passe du compte sur chacun.",
                        "A key links several computers without typing the account password on each.")) }
            @if page.enrollment_keys.is_empty() {
                p.notice #no-enrollment-keys { (t(l, "Aucune clé d'enrôlement.", "No enrollment key.")) }
            } @else {
                table #enrollment-key-list {
                    thead { tr {
                        th { (t(l, "Libellé", "Label")) }
                        th.num { (t(l, "Utilisations restantes", "Uses left")) }
                        th { (t(l, "Expire le", "Expires")) }
                        th { (t(l, "État", "Status")) }
                        th { (t(l, "Créée par", "Created by")) }
                        th { (t(l, "Ordinateurs liés avec", "Computers linked with it")) }
                        th {}
                    } }
                    tbody { @for key in &page.enrollment_keys {
                        tr #{ "enrollment-key-" (key.id) } data-status=(key.status) {
                            td.key-label { (key.label) }
                            td.num.uses { (key.uses_left) " / " (key.uses_allowed) }
                            td { (shown_time(&agent.zone, &key.expires_at)) }
                            td.status { (status_label(l, &key.status)) }
                            td { (created_by(l, &key.created_by)) br; small { (shown_time(&agent.zone, &key.created_at)) } }
                            td.uses-list {
                                @if key.uses.is_empty() { "—" }
                                @for used in &key.uses {
                                    (used.machine_name) " " small { (shown_time(&agent.zone, &used.at)) } br;
                                }
                            }
                            td {
                                @if agent.is_admin() && key.status == "active" {
                                    a.revoke href={ (base) "/enrollment-keys/" (key.id) "/revoke" } { (t(l, "Révoquer", "Revoke")) }
                                }
                            }
                        }
                    } }
                }
            }
            @if agent.is_admin() {
                form #create-enrollment-key method="post" action={ (base) "/enrollment-keys" } {
                    input type="hidden" name="csrf" value=(agent.csrf);
                    h3 { (t(l, "Créer une clé d'enrôlement", "Create an enrollment key")) }
                    label for="enrollment-key-label" { (t(l, "Libellé (à quoi sert la clé)", "Label (what the key is for)")) }
                    input #enrollment-key-label name="label" value=(form.value("label")) placeholder=(t(l, "Salle de formation", "Training room"));
                    (field_error(form, "label", "enrollment-key-label-error"))
                    div.row {
                        div {
                            label for="enrollment-key-uses" { (t(l, "Nombre d'ordinateurs", "Number of computers")) }
                            input #enrollment-key-uses name="uses" inputmode="numeric"
                                value=(value_or(form.value("uses"), ENROLLMENT_KEY_DEFAULT_USES));
                            (field_error(form, "uses", "enrollment-key-uses-error"))
                        }
                        div {
                            label for="enrollment-key-valid-days" { (t(l, "Valable (jours)", "Valid for (days)")) }
                            input #enrollment-key-valid-days name="valid_days" inputmode="numeric"
                                value=(value_or(form.value("valid_days"), ENROLLMENT_KEY_DEFAULT_DAYS));
                            (field_error(form, "valid_days", "enrollment-key-valid-days-error"))
                        }
                    }
                    button #create-enrollment-key-submit type="submit" { (t(l, "Créer la clé", "Create the key")) }
                }
            }
        }
    }
}

/// What was typed, or the default on a fresh form.
fn value_or(typed: &str, default: i64) -> String {
    if typed.is_empty() {
        default.to_string()
    } else {
        typed.to_owned()
    }
}

/// The new key, this once: nothing shows it again.
pub fn enrollment_key_created(
    agent: &Agent,
    account: &AccountRow,
    key: &str,
    view: &EnrollmentKeyView,
) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    confirm_page(
        agent,
        t(l, "Clé d'enrôlement créée", "Enrollment key created"),
        html! {
            h1 { (t(l, "Clé d'enrôlement créée", "Enrollment key created")) }
            p { (account.company_name) " · " (id.grouped()) }
            p { "« " (view.label) " » · " (view.uses_allowed) " " (t(l, "ordinateur(s)", "computer(s)")) " · "
                (t(l, "expire le", "expires")) " " (shown_time(&agent.zone, &view.expires_at)) }
            p.warning #enrollment-key-once role="alert" {
                (t(l, "Transmettez-la maintenant à l'administrateur du client : elle ne sera plus jamais affichée.",
                   "Pass it on to the customer's administrator now: it will never be shown again."))
            }
            p { code #enrollment-key { (key) } }
            p { (t(l, "Sur chaque ordinateur, enregistrer la clé dans un fichier puis lancer :",
                   "On each computer, save the key in a file, then run:")) }
            p { code #enrollment-key-command { (LINK_COMMAND) } }
            p { a.button #back-to-account href={ (base) "#enrollment-keys" } { (t(l, "Retour au compte", "Back to the account")) } }
        },
    )
}

pub fn confirm_revoke_enrollment_key(
    agent: &Agent,
    account: &AccountRow,
    key: &EnrollmentKeyView,
) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    confirm_page(
        agent,
        t(
            l,
            "Révoquer une clé d'enrôlement",
            "Revoke an enrollment key",
        ),
        html! {
            h1 { (t(l, "Révoquer cette clé d'enrôlement ?", "Revoke this enrollment key?")) }
            p { strong { "« " (key.label) " »" } " · " (key.uses_left) " / " (key.uses_allowed) " "
                (t(l, "utilisations restantes", "uses left")) " · " (account.company_name) }
            p { (t(l, "Plus aucun ordinateur ne pourra se lier avec elle ; ceux déjà liés le restent.",
                   "No computer can link with it any more; those already linked stay linked.")) }
            form method="post" action={ (base) "/enrollment-keys/" (key.id) "/revoke" } {
                input type="hidden" name="csrf" value=(agent.csrf);
                div.row {
                    button.danger #confirm type="submit" { (t(l, "Révoquer", "Revoke")) }
                    a.button.secondary href=(base) { (t(l, "Ne rien changer", "Change nothing")) }
                }
            }
        },
    )
}

/// The computers that would be unlinked, listed before anything is done.
pub fn confirm_unlink_stale(
    agent: &Agent,
    account: &AccountRow,
    not_seen_days: i64,
    machines: &[MachineRow],
) -> Markup {
    let l = agent.language;
    let id = customer_id(account);
    let base = format!("/console/accounts/{id}");
    let ids: Vec<&str> = machines.iter().map(|m| m.id.as_str()).collect();
    confirm_page(
        agent,
        t(
            l,
            "Délier les ordinateurs non vus",
            "Unlink computers not seen",
        ),
        html! {
            h1 { (t(l, "Délier les ordinateurs non vus depuis", "Unlink the computers not seen for")) " " (not_seen_days) " "
                (t(l, "jours ?", "days?")) }
            p { (account.company_name) " · " (id.grouped()) }
            @if machines.is_empty() {
                p.notice #no-stale-machines { (t(l, "Aucun ordinateur lié n'est resté sans nouvelles aussi longtemps.",
                                                  "No linked computer has gone unseen that long.")) }
                p { a.button.secondary href=(base) { (t(l, "Retour au compte", "Back to the account")) } }
            } @else {
                table #stale-machines {
                    thead { tr {
                        th { (t(l, "Nom", "Name")) } th { (t(l, "Système", "System")) }
                        th { (t(l, "Vu pour la dernière fois", "Last seen")) }
                    } }
                    tbody { @for machine in machines {
                        tr #{ "stale-" (machine.id) } {
                            td { (machine.name) }
                            td { (machine.os) }
                            td { (local_time(&agent.zone, machine.last_seen_at)) }
                        }
                    } }
                }
                p { (t(l, "Ces ordinateurs ne seront plus liés au compte ; le client en sera averti par un seul e-mail et pourra les lier de nouveau. Un ordinateur vu entre-temps reste lié.",
                       "These computers will no longer be linked to the account; the customer will be told in one e-mail and can link them again. A computer seen meanwhile stays linked.")) }
                form method="post" action={ (base) "/machines/unlink-stale" } {
                    input type="hidden" name="csrf" value=(agent.csrf);
                    input type="hidden" name="not_seen_days" value=(not_seen_days);
                    input type="hidden" name="machine_ids" value=(ids.join(","));
                    div.row {
                        button.danger #confirm type="submit" {
                            (t(l, "Délier ces ordinateurs", "Unlink these computers")) " (" (machines.len()) ")"
                        }
                        a.button.secondary href=(base) { (t(l, "Ne rien changer", "Change nothing")) }
                    }
                }
            }
        },
    )
}

/// The admins' form on the machines card: how many days unseen.
pub(super) fn unlink_stale_form(agent: &Agent, page: &AccountPage, base: &str) -> Markup {
    let l = agent.language;
    let form = &page.unlink_stale_form;
    html! {
        form #unlink-stale method="get" action={ (base) "/machines/unlink-stale" } {
            h3 { (t(l, "Délier les ordinateurs non vus depuis N jours", "Unlink computers not seen for N days")) }
            label for="unlink-stale-days" { (t(l, "Non vus depuis (jours)", "Not seen for (days)")) }
            div.row {
                input #unlink-stale-days name="not_seen_days" inputmode="numeric" value=(form.value("not_seen_days")) placeholder="90";
                button.secondary #unlink-stale-submit type="submit" { (t(l, "Voir la liste", "See the list")) }
            }
            (field_error(form, "not_seen_days", "unlink-stale-days-error"))
        }
    }
}
