//! Phone.

use super::*;

/// A phone number, normalised to "+" and 8..=15 digits (international) or to national
/// digits starting with 0 (6..=15 digits, e.g. French "0123456789").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Phone(String);

string_value!(Phone);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?;
        // Separators people put between digit groups (no-break spaces come from Word).
        let compact: String = s
            .chars()
            .filter(|&c| !(c.is_whitespace() || matches!(c, '.' | '-' | '/')))
            .collect();
        let (international, rest) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => match compact.strip_prefix("00") {
                Some(rest) => (true, rest),
                None => (false, compact.as_str()),
            },
        };
        // "+33 (0)1 …": the bracketed trunk 0 is not dialled from abroad. In a national
        // number "(0)1 …" the brackets are just separators and the 0 stays.
        let rest = if international {
            rest.replacen("(0)", "", 1)
        } else {
            rest.to_owned()
        };
        let mut digits: String = rest.chars().filter(|&c| c != '(' && c != ')').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::InvalidPhone);
        }
        if international {
            // "+33 06 12 34 56 78": French numbers never start with 0 after +33.
            if digits.starts_with("330") {
                digits.remove(2);
            }
            if digits.starts_with('0') || !(8..=15).contains(&digits.len()) {
                return Err(Invalid::InvalidPhone);
            }
            Ok(Phone(format!("+{digits}")))
        } else {
            if !digits.starts_with('0') || !(6..=15).contains(&digits.len()) {
                return Err(Invalid::InvalidPhone);
            }
            Ok(Phone(digits))
        }
    }

    /// Whether the number carries its country code ("+…").
    pub fn is_international(&self) -> bool {
        self.0.starts_with('+')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn phone_normalises_what_people_type() {
        for (typed, normal) in [
            ("01 23 45 67 89", "0123456789"),
            ("01.23.45.67.89", "0123456789"),
            ("01-23-45-67-89", "0123456789"),
            ("01/23/45/67/89", "0123456789"),
            ("0123456789", "0123456789"),
            ("01\u{a0}23\u{a0}45\u{a0}67\u{a0}89", "0123456789"),
            ("(01) 23 45 67 89", "0123456789"),
            ("(0)1 23 45 67 89", "0123456789"),
            ("+33 1 23 45 67 89", "+33123456789"),
            ("+33 (0)1 23 45 67 89", "+33123456789"),
            ("+33 (0) 1 23 45 67 89", "+33123456789"),
            ("+33 06 12 34 56 78", "+33612345678"),
            ("0033 1 23 45 67 89", "+33123456789"),
            ("+32 2 123 45 67", "+3221234567"),
            ("+41 (0)22 123 45 67", "+41221234567"),
            ("+1 (212) 555-0100", "+12125550100"),
            ("  06 12 34 56 78  ", "0612345678"),
        ] {
            let phone = Phone::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e:?}"));
            assert_eq!(phone.as_str(), normal, "{typed}");
        }
        assert!(Phone::parse("+33 1 23 45 67 89")
            .unwrap()
            .is_international());
        assert!(!Phone::parse("01 23 45 67 89").unwrap().is_international());
    }

    #[test]
    fn phone_refusals() {
        assert_eq!(Phone::parse(""), Err(Invalid::Empty));
        assert_eq!(Phone::parse("   "), Err(Invalid::Empty));
        assert_eq!(
            Phone::parse("01 23\t45 67 89"),
            Err(Invalid::ControlCharacters)
        );
        for bad in [
            "01 23 45 67 8O", // letter O for zero
            "01 23 45 67 89 poste 12",
            "01 23 45 67 89 ext. 12",
            "tel: 01 23 45 67 89",
            "0800-FLEURS",
            "01 23", // too short
            "12345",
            "1 23 45 67 89",              // national without the leading 0
            "+33 1 23",                   // international too short
            "+33 1 23 45 67 89 01 23 45", // 16 digits
            "0123456789012345",           // 16 digits
            "+0 123 456 789",
            "+33 +1 23 45 67 89",
            "01 23 45 67 89 +",
            "---",
            "()",
            "+",
        ] {
            assert_eq!(Phone::parse(bad), Err(Invalid::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn phone_serde() {
        let p: Phone = from_json("\"+33 (0)1 23 45 67 89\"").unwrap();
        assert_eq!(json(&p), "\"+33123456789\"");
        assert_eq!(from_json::<Phone>(&json(&p)).unwrap(), p);
        assert!(from_json::<Phone>("\"appelez-moi\"").is_err());
    }
}
