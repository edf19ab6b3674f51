//! SIRET.

use super::*;

/// A French establishment number: 14 digits, SIREN (9, the company) + NIC (5), with a
/// Luhn key over the whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Siret(String);

string_value!(Siret);

/// La Poste numbers its establishments outside the Luhn scheme (INSEE's one exception).
const LA_POSTE_SIREN: &str = "356000000";

impl Siret {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?;
        // Written "732 829 320 00074" or "732.829.320.00074", often with no-break spaces.
        let digits: String = s
            .chars()
            .filter(|&c| !(c.is_whitespace() || c == '.'))
            .collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::InvalidSiret);
        }
        // All zeros passes Luhn but is the placeholder people type to get past the form.
        if digits.bytes().all(|b| b == b'0') {
            return Err(Invalid::InvalidSiret);
        }
        let key_ok = luhn_valid(&digits)
            || (digits.starts_with(LA_POSTE_SIREN) && digit_sum(&digits) % 5 == 0);
        if !key_ok {
            return Err(Invalid::SiretCheckDigit);
        }
        Ok(Siret(digits))
    }

    /// The company number (first 9 digits).
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }

    /// The establishment's number within the company (last 5 digits).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}

fn digit_sum(digits: &str) -> u32 {
    digits.bytes().map(|b| u32::from(b - b'0')).sum()
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
                (false, _) => d,
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn siret_accepts_real_numbers_as_written() {
        for typed in [
            "73282932000074",
            "732 829 320 00074",
            " 732.829.320.00074 ",
            "732\u{a0}829\u{a0}320\u{a0}00074",
            "732\u{202f}829\u{202f}320\u{202f}00074",
        ] {
            let siret = Siret::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e:?}"));
            assert_eq!(siret.as_str(), "73282932000074");
            assert_eq!(siret.siren(), "732829320");
            assert_eq!(siret.nic(), "00074");
        }
    }

    #[test]
    fn siret_la_poste_exception() {
        // The head office follows Luhn; the other establishments the digit-sum rule.
        assert_eq!(Siret::parse("35600000000048").unwrap().siren(), "356000000");
        assert!(Siret::parse("35600000049837").is_ok());
        assert_eq!(
            Siret::parse("35600000049838"),
            Err(Invalid::SiretCheckDigit)
        );
        // The digit-sum rule is La Poste's alone: 73282932000072 sums to a multiple
        // of 5 but fails Luhn.
        assert_eq!(digit_sum("73282932000072") % 5, 0);
        assert_eq!(
            Siret::parse("73282932000072"),
            Err(Invalid::SiretCheckDigit)
        );
    }

    #[test]
    fn siret_refusals() {
        assert_eq!(Siret::parse(""), Err(Invalid::Empty));
        assert_eq!(Siret::parse("  "), Err(Invalid::Empty));
        assert_eq!(
            Siret::parse("732829320\t00074"),
            Err(Invalid::ControlCharacters)
        );
        for bad in [
            "7328293200007",   // 13 digits
            "732829320000740", // 15 digits
            "732829320",       // a SIREN, not a SIRET
            "123456ABC12345",
            "732-829-320-00074",
            "FR73282932000074",
            "00000000000000",
        ] {
            assert_eq!(Siret::parse(bad), Err(Invalid::InvalidSiret), "{bad}");
        }
        for bad in [
            "73282932000075", // last digit off by one
            "73282932000084", // another digit off by one
            "37282932000074", // two digits swapped
        ] {
            assert_eq!(Siret::parse(bad), Err(Invalid::SiretCheckDigit), "{bad}");
        }
    }

    #[test]
    fn siret_serde() {
        let s: Siret = from_json("\"732 829 320 00074\"").unwrap();
        assert_eq!(json(&s), "\"73282932000074\"");
        assert!(from_json::<Siret>("\"73282932000075\"").is_err());
        assert!(
            from_json::<Siret>("73282932000074").is_err(),
            "a number is not a SIRET string"
        );
    }
}
