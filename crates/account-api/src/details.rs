//! The account's details, parsed as a whole: every refused field is reported at once.

use crate::{
    domain::{
        CompanyName, Email, Invalid, Language, PersonName, Phone, PostalAddress, RawPostalAddress,
        Siret,
    },
    error::FieldError,
    wire::AccountDetails,
};

/// Account details that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDetails {
    pub email: Email,
    pub company_name: CompanyName,
    pub contact_first_name: PersonName,
    pub contact_last_name: PersonName,
    pub phone: Phone,
    pub siret: Option<Siret>,
    pub address: Option<PostalAddress>,
    pub language: Language,
}

impl ValidDetails {
    pub fn parse(raw: &AccountDetails) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |field: &'static str, invalid: Invalid| {
            errors.push(FieldError::new(field, invalid));
        };
        let email = Email::parse(&raw.email).map_err(|e| take("email", e)).ok();
        let company_name = CompanyName::parse(&raw.company_name)
            .map_err(|e| take("company_name", e))
            .ok();
        let contact_first_name = PersonName::parse(&raw.contact_first_name)
            .map_err(|e| take("contact_first_name", e))
            .ok();
        let contact_last_name = PersonName::parse(&raw.contact_last_name)
            .map_err(|e| take("contact_last_name", e))
            .ok();
        let phone = Phone::parse(&raw.phone).map_err(|e| take("phone", e)).ok();
        // Optional fields: blank means "none given".
        let siret = match raw.siret.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(text) => Siret::parse(text)
                .map(Some)
                .map_err(|e| take("siret", e))
                .ok(),
        };
        let language = match raw.language.as_deref().map(str::trim) {
            None | Some("") => Some(Language::default()),
            Some(text) => Language::parse(text).map_err(|e| take("language", e)).ok(),
        };
        let address = match &raw.address {
            None => Some(None),
            Some(address) if is_blank(address) => Some(None),
            Some(address) => match PostalAddress::parse(address) {
                Ok(address) => Some(Some(address)),
                Err(list) => {
                    for (field, invalid) in list {
                        take(field, invalid);
                    }
                    None
                }
            },
        };
        match (
            email,
            company_name,
            contact_first_name,
            contact_last_name,
            phone,
            siret,
            address,
            language,
        ) {
            (
                Some(email),
                Some(company_name),
                Some(contact_first_name),
                Some(contact_last_name),
                Some(phone),
                Some(siret),
                Some(address),
                Some(language),
            ) if errors.is_empty() => Ok(ValidDetails {
                email,
                company_name,
                contact_first_name,
                contact_last_name,
                phone,
                siret,
                address,
                language,
            }),
            _ => Err(errors),
        }
    }

    /// Back to the wire shape (normalized values).
    pub fn to_wire(&self) -> AccountDetails {
        AccountDetails {
            email: self.email.as_str().to_owned(),
            company_name: self.company_name.as_str().to_owned(),
            contact_first_name: self.contact_first_name.as_str().to_owned(),
            contact_last_name: self.contact_last_name.as_str().to_owned(),
            phone: self.phone.as_str().to_owned(),
            siret: self.siret.as_ref().map(|s| s.as_str().to_owned()),
            address: self.address.as_ref().map(PostalAddress::to_raw),
            language: Some(self.language.as_str().to_owned()),
        }
    }
}

fn is_blank(address: &RawPostalAddress) -> bool {
    [
        &address.street,
        &address.postal_code,
        &address.city,
        &address.country,
    ]
    .iter()
    .all(|s| s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AccountDetails {
        AccountDetails {
            email: " Compta@Dupont-SARL.fr ".into(),
            company_name: "Dupont   SARL".into(),
            contact_first_name: "Marie".into(),
            contact_last_name: "Dupont".into(),
            phone: "01 23 45 67 89".into(),
            siret: Some("732 829 320 00074".into()),
            address: Some(RawPostalAddress {
                street: "12 rue des Lilas".into(),
                postal_code: "75011".into(),
                city: "Paris".into(),
                country: "".into(),
            }),
            language: Some("fr".into()),
        }
    }

    #[test]
    fn a_good_form_is_normalized() {
        let valid = ValidDetails::parse(&sample()).unwrap();
        let wire = valid.to_wire();
        assert_eq!(wire.email, "compta@dupont-sarl.fr");
        assert_eq!(wire.company_name, "Dupont SARL");
        assert_eq!(wire.siret.as_deref(), Some("73282932000074"));
        assert_eq!(wire.address.unwrap().country, "FR");
        // Parsing the normalized form again changes nothing.
        assert_eq!(ValidDetails::parse(&valid.to_wire()).unwrap(), valid);
    }

    #[test]
    fn blank_optional_fields_mean_none() {
        let mut raw = sample();
        raw.siret = Some("  ".into());
        raw.address = Some(RawPostalAddress::default());
        raw.language = None;
        let valid = ValidDetails::parse(&raw).unwrap();
        assert_eq!(valid.siret, None);
        assert_eq!(valid.address, None);
        assert_eq!(valid.language, Language::Fr);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut raw = sample();
        raw.email = "marie.dupont@gmail".into();
        raw.company_name = "   ".into();
        raw.phone = "01 23 45 AB".into();
        raw.siret = Some("73282932000075".into());
        raw.address.as_mut().unwrap().postal_code = "7501".into();
        let errors = ValidDetails::parse(&raw).unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("email", "invalid_email"),
                ("company_name", "empty"),
                ("phone", "invalid_phone"),
                ("siret", "siret_check_digit"),
                ("address.postal_code", "invalid_postal_code"),
            ]
        );
    }
}
