//! The texts of the e-mails, in the account's language (French or English).

use account_api::{
    domain::{CustomerId, Email, Language},
    fields as labels,
};

use crate::storage::OutgoingMail;

// The labels of the lines a customer copies from (and tests read), as the console has them.
const CUSTOMER_ID_FR: &str = labels::CUSTOMER_ID.fr;
const CUSTOMER_ID_EN: &str = labels::CUSTOMER_ID.en;
const PASSWORD_FR: &str = labels::PASSWORD.fr;
const PASSWORD_EN: &str = labels::PASSWORD.en;

/// How long a password request's password stays usable.
pub const PASSWORD_REQUEST_HOURS: i64 = 24;
/// How long the code confirming a new e-mail address stays usable.
pub const EMAIL_CHANGE_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub struct Templates {
    /// The service's public address, named in the footer.
    pub public_url: String,
}

struct Text {
    subject: String,
    body: String,
}

impl Templates {
    fn mail(&self, to: &Email, language: Language, text: Text) -> OutgoingMail {
        let footer = match language {
            Language::Fr => format!(
                "\n\nCeci est un e-mail généré automatiquement ; merci de ne pas y répondre.\n\
                 Service compte client — {}\n",
                self.public_url
            ),
            Language::En => format!(
                "\n\nThis e-mail was generated automatically; please do not reply to it.\n\
                 Customer account service — {}\n",
                self.public_url
            ),
        };
        OutgoingMail {
            to: to.as_str().to_owned(),
            subject: text.subject,
            body: format!("{}{footer}", text.body),
        }
    }

    /// A new account: its customer ID and its password.
    pub fn welcome(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        company: &str,
        password: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Votre compte client {id} — mot de passe"),
                body: format!(
                    "Bonjour,\n\n\
                     Le compte client de {company} est créé.\n\n\
                     {CUSTOMER_ID_FR} : {id}\n\
                     {PASSWORD_FR} : {password}\n\n\
                     Saisissez ce mot de passe dans l'écran « Compte client » pour lier cet ordinateur \
                     à votre compte. Sur les autres ordinateurs de l'entreprise, ne créez pas de \
                     nouveau compte : choisissez « Mon entreprise a déjà un compte ».\n\n\
                     Quand vous appelez l'assistance technique, donnez votre numéro client : \
                     c'est lui qui permet de décompter le temps passé avec vous."
                ),
            },
            Language::En => Text {
                subject: format!("Your customer account {id} — password"),
                body: format!(
                    "Hello,\n\n\
                     The customer account of {company} has been created.\n\n\
                     {CUSTOMER_ID_EN}: {id}\n\
                     {PASSWORD_EN}: {password}\n\n\
                     Enter this password in the \"Customer account\" screen to link this computer to \
                     your account. On the company's other computers, do not create a new account: \
                     choose \"My company already has one\".\n\n\
                     When you call technical support, give them your customer ID: it is how they \
                     count the time spent with you."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// Registration with an address that already has an account.
    pub fn already_registered(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        password: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let hours = PASSWORD_REQUEST_HOURS;
        let text = match language {
            Language::Fr => Text {
                subject: format!("Vous avez déjà le compte client {id}"),
                body: format!(
                    "Bonjour,\n\n\
                     Une demande de création de compte client a été faite avec cette adresse. \
                     Vous avez déjà le compte client {id} : il n'en faut qu'un par entreprise.\n\n\
                     Ce mot de passe lie l'ordinateur au compte existant :\n\n\
                     {PASSWORD_FR} : {password}\n\n\
                     Il est valable {hours} heures. Votre mot de passe actuel reste valable \
                     tant que celui-ci n'a pas été utilisé.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : \
                     rien n'a changé."
                ),
            },
            Language::En => Text {
                subject: format!("You already have customer account {id}"),
                body: format!(
                    "Hello,\n\n\
                     Someone asked to create a customer account with this address. You already \
                     have customer account {id}: one per company is all you need.\n\n\
                     This password links the computer to the existing account:\n\n\
                     {PASSWORD_EN}: {password}\n\n\
                     It is valid for {hours} hours. Your current password keeps working until \
                     this one is used.\n\n\
                     If you did not ask for this, ignore this message: nothing has changed."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// "E-mail my password".
    pub fn password_request(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        password: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let hours = PASSWORD_REQUEST_HOURS;
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — votre mot de passe"),
                body: format!(
                    "Bonjour,\n\n\
                     Vous avez demandé le mot de passe de votre compte client {id}.\n\n\
                     {PASSWORD_FR} : {password}\n\n\
                     Il est valable {hours} heures. Votre mot de passe actuel reste valable \
                     tant que celui-ci n'a pas été utilisé ; dès qu'il l'est, il le remplace.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : \
                     rien n'a changé."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — your password"),
                body: format!(
                    "Hello,\n\n\
                     You asked for the password of your customer account {id}.\n\n\
                     {PASSWORD_EN}: {password}\n\n\
                     It is valid for {hours} hours. Your current password keeps working until \
                     this one is used; from then on, this one replaces it.\n\n\
                     If you did not ask for this, ignore this message: nothing has changed."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// A password was asked for an address that has no account.
    pub fn no_account(&self, to: &Email, language: Language) -> OutgoingMail {
        let text = match language {
            Language::Fr => Text {
                subject: "Demande de mot de passe — aucun compte client".to_owned(),
                body: format!(
                    "Bonjour,\n\n\
                     Un mot de passe de compte client a été demandé pour l'adresse {to}, \
                     mais aucun compte client n'utilise cette adresse.\n\n\
                     Votre entreprise a peut-être enregistré son compte avec une autre adresse. \
                     Sinon, créez-le depuis l'écran « Compte client » de votre logiciel.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
                ),
            },
            Language::En => Text {
                subject: "Password request — no customer account".to_owned(),
                body: format!(
                    "Hello,\n\n\
                     A customer account password was asked for {to}, but no customer account \
                     uses this address.\n\n\
                     Your company may have registered its account with another address. \
                     Otherwise, create it from the \"Customer account\" screen of your software.\n\n\
                     If you did not ask for this, ignore this message."
                ),
            },
        };
        self.mail(to, language, text)
    }

    pub fn machine_linked(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        machine: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — ordinateur lié : {machine}"),
                body: format!(
                    "Bonjour,\n\n\
                     L'ordinateur « {machine} » vient d'être lié à votre compte client {id}.\n\n\
                     Si vous ne le reconnaissez pas, déliez-le depuis l'écran « Compte client » \
                     d'un autre ordinateur de l'entreprise, puis demandez un nouveau mot de passe."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — computer linked: {machine}"),
                body: format!(
                    "Hello,\n\n\
                     The computer \"{machine}\" has just been linked to your customer account {id}.\n\n\
                     If you do not recognise it, unlink it from the \"Customer account\" screen of \
                     another of the company's computers, then ask for a new password."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// One key's day of use: the computers it linked that day (France's time) and the uses
    /// left, so the account's owner sees what an administrator did, in one mail.
    #[allow(clippy::too_many_arguments)]
    pub fn enrollment_key_digest(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        label: &str,
        day: &str,
        uses: &[(String, String)],
        uses_left: i64,
    ) -> OutgoingMail {
        let id = id.grouped();
        let count = uses.len();
        let list: String = uses
            .iter()
            .map(|(time, name)| format!("  - {time} : {name}\n"))
            .collect();
        let text = match language {
            Language::Fr => Text {
                subject: format!(
                    "Compte client {id} — clé d'enrôlement « {label} » : {count} ordinateur(s) lié(s) le {}",
                    french_date(day)
                ),
                body: format!(
                    "Bonjour,\n\n\
                     Le {} (heure de Paris), la clé d'enrôlement « {label} » a lié {count} \
                     ordinateur(s) à votre compte client {id} :\n\n{list}\n\
                     Utilisations restantes : {uses_left}.\n\n\
                     Si vous n'êtes pas à l'origine de ces liaisons, révoquez la clé et déliez ces \
                     ordinateurs depuis la section « Ordinateurs » de l'écran « Compte client ».",
                    french_date(day)
                ),
            },
            Language::En => Text {
                subject: format!(
                    "Customer account {id} — enrollment key \"{label}\": {count} computer(s) linked on {day}"
                ),
                body: format!(
                    "Hello,\n\n\
                     On {day} (Paris time), the enrollment key \"{label}\" linked {count} \
                     computer(s) to your customer account {id}:\n\n{list}\n\
                     Uses left: {uses_left}.\n\n\
                     If you did not have these computers linked, revoke the key and unlink them \
                     from the \"Computers\" section of the \"Customer account\" screen."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// Computers not seen for a while, unlinked in one step.
    pub fn stale_machines_unlinked(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        names: &[&str],
        not_seen_days: i64,
    ) -> OutgoingMail {
        let id = id.grouped();
        let count = names.len();
        let list: String = names.iter().map(|n| format!("  - {n}\n")).collect();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — {count} ordinateur(s) inactif(s) délié(s)"),
                body: format!(
                    "Bonjour,\n\n\
                     Ces ordinateurs, qui ne s'étaient pas connectés depuis au moins \
                     {not_seen_days} jour(s), ont été déliés de votre compte client {id} :\n\n\
                     {list}\n\
                     Un ordinateur délié peut être lié de nouveau à tout moment."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — {count} inactive computer(s) unlinked"),
                body: format!(
                    "Hello,\n\n\
                     These computers, not seen for at least {not_seen_days} day(s), were unlinked \
                     from your customer account {id}:\n\n{list}\n\
                     An unlinked computer can be linked again at any time."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// Support made an enrollment key for the account (at the owner's request, normally):
    /// the owner hears of it before any computer is linked with it.
    pub fn enrollment_key_made_by_support(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        label: &str,
        uses: i64,
        expires: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — clé d'enrôlement « {label} » créée par le support"),
                body: format!(
                    "Bonjour,\n\n\
                     Le support a créé la clé d'enrôlement « {label} » pour votre compte client {id}. \
                     Elle peut lier jusqu'à {uses} ordinateur(s), jusqu'au {expires} (heure de Paris).\n\n\
                     Si vous ne l'avez pas demandée, révoquez-la depuis la section « Ordinateurs » de \
                     l'écran « Compte client », ou appelez le support."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — enrollment key \"{label}\" created by support"),
                body: format!(
                    "Hello,\n\n\
                     Support created the enrollment key \"{label}\" for your customer account {id}. \
                     It can link up to {uses} computer(s), until {expires} (Paris time).\n\n\
                     If you did not ask for it, revoke it from the \"Computers\" section of the \
                     \"Customer account\" screen, or call support."
                ),
            },
        };
        self.mail(to, language, text)
    }

    pub fn machine_unlinked(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        machine: &str,
        by: Option<&str>,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match (language, by) {
            (Language::Fr, None) => Text {
                subject: format!("Compte client {id} — ordinateur délié : {machine}"),
                body: format!(
                    "Bonjour,\n\n\
                     L'ordinateur « {machine} » n'est plus lié à votre compte client {id}."
                ),
            },
            (Language::Fr, Some(by)) => Text {
                subject: format!("Compte client {id} — ordinateur délié : {machine}"),
                body: format!(
                    "Bonjour,\n\n\
                     L'ordinateur « {machine} » a été délié de votre compte client {id} \
                     depuis l'ordinateur « {by} »."
                ),
            },
            (Language::En, None) => Text {
                subject: format!("Customer account {id} — computer unlinked: {machine}"),
                body: format!(
                    "Hello,\n\n\
                     The computer \"{machine}\" is no longer linked to your customer account {id}."
                ),
            },
            (Language::En, Some(by)) => Text {
                subject: format!("Customer account {id} — computer unlinked: {machine}"),
                body: format!(
                    "Hello,\n\n\
                     The computer \"{machine}\" was unlinked from your customer account {id} \
                     from the computer \"{by}\"."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// Support freed a computer's link (from the support console).
    pub fn machine_unlinked_by_support(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        machine: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — ordinateur délié : {machine}"),
                body: format!(
                    "Bonjour,\n\n\
                     À la demande faite à notre support, l'ordinateur « {machine} » n'est plus \
                     lié à votre compte client {id}.\n\n\
                     Pour le lier de nouveau, ouvrez le programme sur cet ordinateur et \
                     entrez l'adresse e-mail et le mot de passe du compte. Si vous n'avez rien \
                     demandé, appelez le support en donnant votre numéro client {id}."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — computer unlinked: {machine}"),
                body: format!(
                    "Hello,\n\n\
                     As asked of our support, the computer \"{machine}\" is no longer linked \
                     to your customer account {id}.\n\n\
                     To link it again, open the program on that computer and enter the \
                     account's e-mail address and password. If you asked for nothing, call \
                     support and give your customer ID {id}."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// To the account a machine was moved away from.
    pub fn machine_moved_away(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        machine: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — ordinateur transféré : {machine}"),
                body: format!(
                    "Bonjour,\n\n\
                     L'ordinateur « {machine} » a été lié à un autre compte client ; il n'est plus \
                     lié à votre compte client {id}.\n\n\
                     Si ce transfert n'était pas voulu, contactez l'assistance technique."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — computer moved: {machine}"),
                body: format!(
                    "Hello,\n\n\
                     The computer \"{machine}\" was linked to another customer account; it is no \
                     longer linked to your customer account {id}.\n\n\
                     If this move was not intended, contact technical support."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// The account's details changed; `changed` lists the changed fields' names.
    pub fn details_changed(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        changed: &[&str],
        machine: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let list = changed
            .iter()
            .map(|field| format!("  - {}", field_label(field, language)))
            .collect::<Vec<_>>()
            .join("\n");
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — coordonnées modifiées"),
                body: format!(
                    "Bonjour,\n\n\
                     Les coordonnées de votre compte client {id} ont été modifiées depuis \
                     l'ordinateur « {machine} » :\n\n{list}\n\n\
                     Si vous n'êtes pas à l'origine de ce changement, contactez l'assistance technique."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — details changed"),
                body: format!(
                    "Hello,\n\n\
                     The details of your customer account {id} were changed from the computer \
                     \"{machine}\":\n\n{list}\n\n\
                     If you did not make this change, contact technical support."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// To the old address when the account's address changes.
    pub fn email_changed_old(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        new_email: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — adresse e-mail modifiée"),
                body: format!(
                    "Bonjour,\n\n\
                     L'adresse e-mail de votre compte client {id} est désormais {new_email}. \
                     Cette adresse-ci ne recevra plus les messages du compte.\n\n\
                     Si vous n'êtes pas à l'origine de ce changement, contactez l'assistance technique."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — e-mail address changed"),
                body: format!(
                    "Hello,\n\n\
                     The e-mail address of your customer account {id} is now {new_email}. This \
                     address will no longer receive the account's messages.\n\n\
                     If you did not make this change, contact technical support."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// To the new address: the code that confirms it.
    pub fn email_change_code(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        code: &str,
        computer: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — code de confirmation de l'adresse e-mail"),
                body: format!(
                    "Bonjour,\n\n\
                     Depuis l'ordinateur « {computer} », quelqu'un a demandé que cette adresse \
                     devienne celle du compte client {id}.\n\n\
                     Code de confirmation : {code}\n\n\
                     Saisissez ce code dans l'écran « Compte client » (ou avec la commande \
                     customer-account confirm-email) pour utiliser cette adresse. Il est valable \
                     {EMAIL_CHANGE_HOURS} heures.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : \
                     rien ne change sans ce code."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — e-mail address confirmation code"),
                body: format!(
                    "Hello,\n\n\
                     From the computer \"{computer}\", someone asked for this address to become \
                     the address of customer account {id}.\n\n\
                     Confirmation code: {code}\n\n\
                     Enter this code in the \"Customer account\" screen (or with the command \
                     customer-account confirm-email) to use this address. It is valid for \
                     {EMAIL_CHANGE_HOURS} hours.\n\n\
                     If you did not ask for this, ignore this message: nothing changes without \
                     this code."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// To the new address, when it already belongs to another account: no code. The
    /// requester's answer is the same, so it learns nothing about the address.
    pub fn email_change_taken(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — changement d'adresse impossible"),
                body: format!(
                    "Bonjour,\n\n\
                     Quelqu'un a demandé que cette adresse devienne celle du compte client {id}. \
                     Cette adresse est déjà celle d'un autre compte client : elle ne peut pas \
                     servir à deux comptes, et rien n'a changé.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — address change not possible"),
                body: format!(
                    "Hello,\n\n\
                     Someone asked for this address to become the address of customer account \
                     {id}. This address already belongs to another customer account: it cannot \
                     serve two accounts, and nothing has changed.\n\n\
                     If you did not ask for this, ignore this message."
                ),
            },
        };
        self.mail(to, language, text)
    }

    /// To the account's address: a change to another address was asked for.
    pub fn email_change_requested_old(
        &self,
        to: &Email,
        language: Language,
        id: CustomerId,
        new_email: &str,
        computer: &str,
    ) -> OutgoingMail {
        let id = id.grouped();
        let text = match language {
            Language::Fr => Text {
                subject: format!("Compte client {id} — changement d'adresse e-mail demandé"),
                body: format!(
                    "Bonjour,\n\n\
                     Depuis l'ordinateur « {computer} », un changement de l'adresse e-mail du \
                     compte client {id} vers {new_email} a été demandé. Il ne prendra effet \
                     qu'une fois confirmé avec le code envoyé à cette nouvelle adresse ; \
                     d'ici là, les messages du compte arrivent ici.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, contactez l'assistance \
                     technique."
                ),
            },
            Language::En => Text {
                subject: format!("Customer account {id} — e-mail address change requested"),
                body: format!(
                    "Hello,\n\n\
                     From the computer \"{computer}\", a change of the e-mail address of \
                     customer account {id} to {new_email} was requested. It takes effect only \
                     once confirmed with the code sent to that new address; until then, the \
                     account's messages come here.\n\n\
                     If you did not ask for this, contact technical support."
                ),
            },
        };
        self.mail(to, language, text)
    }
}

/// "2026-07-01" as "01/07/2026".
fn french_date(day: &str) -> String {
    let parts: Vec<&str> = day.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => day.to_owned(),
    }
}

fn field_label(field: &str, language: Language) -> &str {
    // The mail names the postal address as a whole; the form labels its parts.
    let label = if field == "address" {
        Some(labels::ADDRESS)
    } else {
        labels::label_of(field)
    };
    label.map_or(field, |label| label.told_in(language))
}
