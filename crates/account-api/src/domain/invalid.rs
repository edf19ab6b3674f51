//! Why a value was refused.

use super::*;

/// Why a field's value was refused; `code()` is a stable snake_case API code.
///
/// The messages speak of the value, not of the field: the form shows them under the field.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, thiserror::Error,
)]
#[serde(rename_all = "snake_case")]
#[error("{}", self.message_en())]
pub enum Invalid {
    Empty,
    TooLong,
    ControlCharacters,
    InvalidEmail,
    InvalidPhone,
    InvalidSiret,
    SiretCheckDigit,
    InvalidPostalCode,
    InvalidCountry,
    InvalidLanguage,
    InvalidCustomerId,
    CustomerIdCheckDigit,
    /// A number outside what the field allows (its hint gives the range).
    OutOfRange,
}

impl Invalid {
    /// Every variant, for exhaustive translation tables and tests.
    pub const ALL: [Invalid; 13] = [
        Invalid::Empty,
        Invalid::TooLong,
        Invalid::ControlCharacters,
        Invalid::InvalidEmail,
        Invalid::InvalidPhone,
        Invalid::InvalidSiret,
        Invalid::SiretCheckDigit,
        Invalid::InvalidPostalCode,
        Invalid::InvalidCountry,
        Invalid::InvalidLanguage,
        Invalid::InvalidCustomerId,
        Invalid::CustomerIdCheckDigit,
        Invalid::OutOfRange,
    ];

    /// Stable API code; identical to the serde representation.
    pub fn code(self) -> &'static str {
        match self {
            Invalid::Empty => "empty",
            Invalid::TooLong => "too_long",
            Invalid::ControlCharacters => "control_characters",
            Invalid::InvalidEmail => "invalid_email",
            Invalid::InvalidPhone => "invalid_phone",
            Invalid::InvalidSiret => "invalid_siret",
            Invalid::SiretCheckDigit => "siret_check_digit",
            Invalid::InvalidPostalCode => "invalid_postal_code",
            Invalid::InvalidCountry => "invalid_country",
            Invalid::InvalidLanguage => "invalid_language",
            Invalid::InvalidCustomerId => "invalid_customer_id",
            Invalid::CustomerIdCheckDigit => "customer_id_check_digit",
            Invalid::OutOfRange => "out_of_range",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Invalid::Empty => "This field is required.",
            Invalid::TooLong => "This value is too long.",
            Invalid::ControlCharacters => {
                "This value contains characters that are not allowed \
                 (tab, line break or invisible character)."
            }
            Invalid::InvalidEmail => "Invalid e-mail address (example: first.last@company.com).",
            Invalid::InvalidPhone => {
                "Invalid phone number (example: 01 23 45 67 89 or +33 1 23 45 67 89)."
            }
            Invalid::InvalidSiret => "A SIRET number has 14 digits.",
            Invalid::SiretCheckDigit => "This SIRET number is wrong (check digit).",
            Invalid::InvalidPostalCode => "Invalid postal code (5 digits in France).",
            Invalid::InvalidCountry => "Invalid country: use the two-letter code (FR, BE, CH…).",
            Invalid::InvalidLanguage => "Unsupported language (French or English).",
            Invalid::InvalidCustomerId => "A customer ID is made of digits only.",
            Invalid::CustomerIdCheckDigit => "This customer ID is wrong: please check each digit.",
            Invalid::OutOfRange => "This number is outside the allowed range.",
        }
    }

    pub fn message_fr(self) -> &'static str {
        match self {
            Invalid::Empty => "Ce champ est obligatoire.",
            Invalid::TooLong => "Cette valeur est trop longue.",
            Invalid::ControlCharacters => {
                "Cette valeur contient des caractères non autorisés \
                 (tabulation, retour à la ligne ou caractère invisible)."
            }
            Invalid::InvalidEmail => "Adresse e-mail invalide (exemple : prenom.nom@societe.fr).",
            Invalid::InvalidPhone => {
                "Numéro de téléphone invalide (exemple : 01 23 45 67 89 ou +33 1 23 45 67 89)."
            }
            Invalid::InvalidSiret => "Le numéro SIRET comporte 14 chiffres.",
            Invalid::SiretCheckDigit => "Le numéro SIRET est erroné (clé de contrôle).",
            Invalid::InvalidPostalCode => "Code postal invalide (5 chiffres en France).",
            Invalid::InvalidCountry => {
                "Pays invalide : indiquez le code à deux lettres (FR, BE, CH…)."
            }
            Invalid::InvalidLanguage => "Langue non prise en charge (français ou anglais).",
            Invalid::InvalidCustomerId => "Le numéro client ne comporte que des chiffres.",
            Invalid::CustomerIdCheckDigit => {
                "Ce numéro client est erroné : veuillez vérifier chaque chiffre."
            }
            Invalid::OutOfRange => "Ce nombre est en dehors des valeurs permises.",
        }
    }

    /// The message in the user's language.
    pub fn message(self, language: Language) -> &'static str {
        match language {
            Language::Fr => self.message_fr(),
            Language::En => self.message_en(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn invalid_codes_match_serde_and_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for v in Invalid::ALL {
            assert_eq!(json(&v), format!("\"{}\"", v.code()));
            assert_eq!(from_json::<Invalid>(&json(&v)).unwrap(), v);
            assert!(codes.insert(v.code()), "duplicate code {}", v.code());
        }
    }

    #[test]
    fn invalid_messages_are_sentences_in_both_languages() {
        for v in Invalid::ALL {
            for m in [v.message_en(), v.message_fr()] {
                assert!(m.ends_with('.'), "{m}");
                assert!(m.chars().next().unwrap().is_uppercase(), "{m}");
            }
            assert_ne!(v.message_en(), v.message_fr());
            assert_eq!(v.to_string(), v.message_en());
            assert_eq!(v.message(Language::Fr), v.message_fr());
            assert_eq!(v.message(Language::En), v.message_en());
        }
        assert_eq!(Invalid::Empty.message_fr(), "Ce champ est obligatoire.");
    }
}
