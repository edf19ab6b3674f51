//! Names.

use super::*;

/// Company name (raison sociale), as printed on invoices: 1..=120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct CompanyName(String);

string_value!(CompanyName);

impl CompanyName {
    pub const MAX_LEN: usize = 120;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        parse_text(input, Self::MAX_LEN).map(CompanyName)
    }
}

/// A contact's first or last name: 1..=80 characters. Deliberately permissive about
/// which printable characters a name may hold (O'Brien, Jean-Édouard, Ng, 王).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct PersonName(String);

string_value!(PersonName);

impl PersonName {
    pub const MAX_LEN: usize = 80;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        parse_text(input, Self::MAX_LEN).map(PersonName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn company_name_is_trimmed_and_collapsed() {
        let c = CompanyName::parse("  Boulangerie   Dupont\u{a0}&  Fils  SARL ").unwrap();
        assert_eq!(c.as_str(), "Boulangerie Dupont & Fils SARL");
        assert_eq!(String::from(c), "Boulangerie Dupont & Fils SARL");
    }

    #[test]
    fn company_name_refusals() {
        assert_eq!(CompanyName::parse(""), Err(Invalid::Empty));
        assert_eq!(CompanyName::parse(" \u{a0} "), Err(Invalid::Empty));
        assert_eq!(
            CompanyName::parse("Dupont\tSARL"),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            CompanyName::parse("Dupont\nSARL"),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            CompanyName::parse(&format!("Dupont {BIDI_OVERRIDE}LRAS")),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            CompanyName::parse("\u{2066}Dupont\u{2069}"),
            Err(Invalid::ControlCharacters)
        );
        let max = "é".repeat(120);
        assert!(
            CompanyName::parse(&max).is_ok(),
            "counts characters, not bytes"
        );
        assert_eq!(
            CompanyName::parse(&format!("{max}e")),
            Err(Invalid::TooLong)
        );
        // Counted after trimming and collapsing.
        assert!(CompanyName::parse(&format!("   {max}   ")).is_ok());
    }

    #[test]
    fn person_name() {
        assert_eq!(
            PersonName::parse(" Jean-Édouard ").unwrap().as_str(),
            "Jean-Édouard"
        );
        assert_eq!(PersonName::parse("O’Brien").unwrap().as_str(), "O’Brien");
        assert_eq!(
            PersonName::parse("de  La   Fontaine").unwrap().as_str(),
            "de La Fontaine"
        );
        assert_eq!(PersonName::parse("  "), Err(Invalid::Empty));
        assert_eq!(
            PersonName::parse("Jean\r\nDupont"),
            Err(Invalid::ControlCharacters)
        );
        assert!(PersonName::parse(&"a".repeat(80)).is_ok());
        assert_eq!(PersonName::parse(&"a".repeat(81)), Err(Invalid::TooLong));
    }

    #[test]
    fn names_serde() {
        let c: CompanyName = from_json("\"ACME  SAS\"").unwrap();
        assert_eq!(json(&c), "\"ACME SAS\"");
        assert!(from_json::<CompanyName>("\"  \"").is_err());
        assert!(from_json::<CompanyName>("\"a\\tb\"").is_err());
        let p: PersonName = from_json("\"Dupont\"").unwrap();
        assert_eq!(json(&p), "\"Dupont\"");
        assert!(from_json::<PersonName>(&format!("\"{}\"", "x".repeat(81))).is_err());
    }
}
