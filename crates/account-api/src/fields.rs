//! What people read as the name of a request's field (the `field` of a
//! [`FieldError`](crate::error::FieldError)), in French and English. The command line uses
//! these, and the desktop page gets them generated (ui/src/generated/messages.ts).

use crate::domain::Language;

/// Field key, dotted for nested ones → (French, English), in form order.
pub const FIELD_LABELS: &[(&str, &str, &str)] = &[
    ("email", "Adresse e-mail", "E-mail address"),
    ("company_name", "Raison sociale", "Company name"),
    ("contact_first_name", "Prénom", "First name"),
    ("contact_last_name", "Nom", "Last name"),
    ("phone", "Téléphone", "Phone"),
    ("siret", "SIRET", "SIRET"),
    ("address.street", "Adresse", "Street address"),
    ("address.postal_code", "Code postal", "Postal code"),
    ("address.city", "Ville", "City"),
    ("address.country", "Pays", "Country"),
    ("password", "Mot de passe", "Password"),
    ("code", "Code de confirmation", "Confirmation code"),
    ("language", "Langue", "Language"),
];

/// The label of `field`; `None` for a field without one.
pub fn field_label(field: &str, language: Language) -> Option<&'static str> {
    FIELD_LABELS
        .iter()
        .find(|(key, _, _)| *key == field)
        .map(|(_, fr, en)| match language {
            Language::Fr => *fr,
            Language::En => *en,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages_once() {
        for (i, (key, fr, en)) in FIELD_LABELS.iter().enumerate() {
            assert!(!fr.is_empty() && !en.is_empty(), "{key}");
            assert!(
                FIELD_LABELS[i + 1..].iter().all(|(k, _, _)| k != key),
                "{key} twice"
            );
        }
        assert_eq!(field_label("address.city", Language::Fr), Some("Ville"));
        assert_eq!(field_label("nothing", Language::En), None);
    }
}
