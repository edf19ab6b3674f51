//! The host software's context: the company open in the management software, the
//! language and the service address, passed on the command line or in a JSON file
//! (`--context FILE`). It only pre-fills the registration form; the user can change it.

use std::path::Path;

use account_api::{domain::RawPostalAddress, wire::AccountDetails};
use serde::{Deserialize, Serialize};

/// Every field is optional: the host passes what it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostContext {
    pub company_name: Option<String>,
    pub siret: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_first_name: Option<String>,
    pub contact_last_name: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// "fr" or "en": the program's language and the account's e-mails'.
    pub language: Option<String>,
    pub service_url: Option<String>,
}

impl HostContext {
    /// Reads a context file (JSON, UTF-8, with or without a byte-order mark).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// `self`, with every value that `over` has replacing it.
    pub fn overridden_by(self, over: HostContext) -> HostContext {
        fn pick(base: Option<String>, over: Option<String>) -> Option<String> {
            over.filter(|v| !v.trim().is_empty()).or(base)
        }
        HostContext {
            company_name: pick(self.company_name, over.company_name),
            siret: pick(self.siret, over.siret),
            email: pick(self.email, over.email),
            phone: pick(self.phone, over.phone),
            contact_first_name: pick(self.contact_first_name, over.contact_first_name),
            contact_last_name: pick(self.contact_last_name, over.contact_last_name),
            street: pick(self.street, over.street),
            postal_code: pick(self.postal_code, over.postal_code),
            city: pick(self.city, over.city),
            country: pick(self.country, over.country),
            language: pick(self.language, over.language),
            service_url: pick(self.service_url, over.service_url),
        }
    }

    /// The registration form, pre-filled.
    pub fn registration_form(&self) -> AccountDetails {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let has_address = [&self.street, &self.postal_code, &self.city]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
        AccountDetails {
            email: text(&self.email),
            company_name: text(&self.company_name),
            contact_first_name: text(&self.contact_first_name),
            contact_last_name: text(&self.contact_last_name),
            phone: text(&self.phone),
            siret: self.siret.clone(),
            address: has_address.then(|| RawPostalAddress {
                street: text(&self.street),
                postal_code: text(&self.postal_code),
                city: text(&self.city),
                country: text(&self.country),
            }),
            language: self.language.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_file_prefills_the_form_and_options_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("context.json");
        std::fs::write(
            &path,
            "\u{feff}{\"company_name\": \"Dupont SARL\", \"siret\": \"73282932000074\", \
             \"postal_code\": \"75011\", \"city\": \"Paris\", \"street\": \"12 rue des Lilas\", \
             \"language\": \"fr\", \"some_future_key\": 1}",
        )
        .unwrap();
        let file = HostContext::from_file(&path).unwrap();
        let context = file.overridden_by(HostContext {
            company_name: Some("Dupont Bâtiment".into()),
            city: Some("".into()),
            ..HostContext::default()
        });
        let form = context.registration_form();
        assert_eq!(form.company_name, "Dupont Bâtiment");
        assert_eq!(form.siret.as_deref(), Some("73282932000074"));
        assert_eq!(form.address.unwrap().city, "Paris");
        assert_eq!(form.email, "");
    }

    #[test]
    fn a_broken_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("context.json");
        std::fs::write(&path, "{ company_name: 1 }").unwrap();
        let err = HostContext::from_file(&path).unwrap_err();
        assert!(err.contains("context.json"), "{err}");
    }
}
