//! What people read as the name of a request's field (the `field` of a
//! [`FieldError`](crate::error::FieldError)), in French and English. The command line uses
//! these, the service's mails and console too, and the desktop page gets them generated
//! (ui/src/generated/messages.ts).

use crate::domain::Language;

/// A name in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub fr: &'static str,
    pub en: &'static str,
}

impl Label {
    const fn new(fr: &'static str, en: &'static str) -> Self {
        Self { fr, en }
    }

    pub fn told_in(self, language: Language) -> &'static str {
        match language {
            Language::Fr => self.fr,
            Language::En => self.en,
        }
    }
}

// Glossary: "numéro client", never "identifiant client" nor "N° client".
pub const CUSTOMER_ID: Label = Label::new("Numéro client", "Customer ID");
pub const EMAIL: Label = Label::new("Adresse e-mail", "E-mail address");
pub const COMPANY_NAME: Label = Label::new("Raison sociale", "Company name");
/// The contact's whole name, where first and last name show together.
pub const CONTACT: Label = Label::new("Contact", "Contact");
pub const CONTACT_FIRST_NAME: Label = Label::new("Prénom", "First name");
pub const CONTACT_LAST_NAME: Label = Label::new("Nom", "Last name");
pub const PHONE: Label = Label::new("Téléphone", "Phone");
pub const SIRET: Label = Label::new("SIRET", "SIRET");
/// The postal address as a whole (its parts have their own labels).
pub const ADDRESS: Label = Label::new("Adresse postale", "Postal address");
pub const STREET: Label = Label::new("Adresse", "Street address");
pub const POSTAL_CODE: Label = Label::new("Code postal", "Postal code");
pub const CITY: Label = Label::new("Ville", "City");
pub const COUNTRY: Label = Label::new("Pays", "Country");
pub const PASSWORD: Label = Label::new("Mot de passe", "Password");
pub const CONFIRMATION_CODE: Label = Label::new("Code de confirmation", "Confirmation code");
pub const LANGUAGE: Label = Label::new("Langue", "Language");
pub const KEY_LABEL: Label = Label::new("Nom de la clé", "Key name");
pub const KEY_USES: Label = Label::new(
    "Nombre d'ordinateurs (1 à 500)",
    "Number of computers (1 to 500)",
);
pub const KEY_DAYS: Label =
    Label::new("Validité en jours (1 à 90)", "Valid for, in days (1 to 90)");
pub const ENROLLMENT_KEY: Label = Label::new("Clé d'enrôlement", "Enrollment key");
pub const NOT_SEEN_DAYS: Label = Label::new("Jours sans connexion", "Days not seen");

/// Field key, dotted for nested ones → its label, in form order.
pub const FIELD_LABELS: &[(&str, Label)] = &[
    ("email", EMAIL),
    ("company_name", COMPANY_NAME),
    ("contact_first_name", CONTACT_FIRST_NAME),
    ("contact_last_name", CONTACT_LAST_NAME),
    ("phone", PHONE),
    ("siret", SIRET),
    ("address.street", STREET),
    ("address.postal_code", POSTAL_CODE),
    ("address.city", CITY),
    ("address.country", COUNTRY),
    ("password", PASSWORD),
    ("code", CONFIRMATION_CODE),
    ("language", LANGUAGE),
    ("label", KEY_LABEL),
    ("uses", KEY_USES),
    ("valid_days", KEY_DAYS),
    ("enrollment_key", ENROLLMENT_KEY),
    ("not_seen_days", NOT_SEEN_DAYS),
];

/// The label of `field`; `None` for a field without one.
pub fn label_of(field: &str) -> Option<Label> {
    FIELD_LABELS
        .iter()
        .find(|(key, _)| *key == field)
        .map(|(_, label)| *label)
}

/// The label of `field` in `language`; `None` for a field without one.
pub fn field_label(field: &str, language: Language) -> Option<&'static str> {
    label_of(field).map(|label| label.told_in(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages_once() {
        for (i, (key, label)) in FIELD_LABELS.iter().enumerate() {
            assert!(!label.fr.is_empty() && !label.en.is_empty(), "{key}");
            assert!(
                FIELD_LABELS[i + 1..].iter().all(|(k, _)| k != key),
                "{key} twice"
            );
        }
        assert_eq!(field_label("address.city", Language::Fr), Some("Ville"));
        assert_eq!(field_label("nothing", Language::En), None);
    }
}
