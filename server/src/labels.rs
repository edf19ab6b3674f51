//! What users read as the names of an account's fields, in French and English: written
//! once, for the e-mails and the console alike (glossary: "numéro client", never
//! "identifiant client" nor "N° client").

use account_api::domain::Language;

#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub fr: &'static str,
    pub en: &'static str,
}

impl Label {
    pub fn told_in(self, language: Language) -> &'static str {
        match language {
            Language::Fr => self.fr,
            Language::En => self.en,
        }
    }
}

pub const CUSTOMER_ID: Label = Label {
    fr: "Numéro client",
    en: "Customer ID",
};
pub const EMAIL: Label = Label {
    fr: "Adresse e-mail",
    en: "E-mail address",
};
pub const COMPANY_NAME: Label = Label {
    fr: "Raison sociale",
    en: "Company name",
};
pub const CONTACT: Label = Label {
    fr: "Contact",
    en: "Contact",
};
pub const CONTACT_FIRST_NAME: Label = Label {
    fr: "Prénom du contact",
    en: "Contact's first name",
};
pub const CONTACT_LAST_NAME: Label = Label {
    fr: "Nom du contact",
    en: "Contact's last name",
};
pub const PHONE: Label = Label {
    fr: "Téléphone",
    en: "Phone",
};
pub const SIRET: Label = Label {
    fr: "SIRET",
    en: "SIRET",
};
pub const ADDRESS: Label = Label {
    fr: "Adresse postale",
    en: "Postal address",
};
pub const LANGUAGE: Label = Label {
    fr: "Langue",
    en: "Language",
};
pub const PASSWORD: Label = Label {
    fr: "Mot de passe",
    en: "Password",
};

/// The label of an account field by its API name (`company_name`…), as the "details
/// changed" mail lists them.
pub fn field(name: &str) -> Option<Label> {
    Some(match name {
        "email" => EMAIL,
        "company_name" => COMPANY_NAME,
        "contact_first_name" => CONTACT_FIRST_NAME,
        "contact_last_name" => CONTACT_LAST_NAME,
        "phone" => PHONE,
        "siret" => SIRET,
        "address" => ADDRESS,
        "language" => LANGUAGE,
        _ => return None,
    })
}
