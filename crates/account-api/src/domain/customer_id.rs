//! Customer ID.

use super::*;

/// The number support asks for on the phone: a sequence number followed by a Damm check
/// digit, which catches every single misheard digit and every swap of two neighbouring
/// digits. Never starts with 0; 2..=12 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct CustomerId(u64);

/// Damm's quasigroup of order 10 (weakly totally anti-symmetric, zero diagonal).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm interim digit of `n`'s decimal digits: the check digit to append to `n`,
/// and 0 exactly when `n` already ends with a correct check digit.
fn damm(n: u64) -> u8 {
    n.to_string().bytes().fold(0, |interim, b| {
        DAMM[usize::from(interim)][usize::from(b - b'0')]
    })
}

impl CustomerId {
    /// Largest sequence number: its ID has 12 digits.
    pub const MAX_SEQUENCE: u64 = 99_999_999_999;

    /// The ID for sequence number `n` (the check digit appended).
    ///
    /// # Panics
    /// If `n` is 0 or above [`CustomerId::MAX_SEQUENCE`]: the service allocates
    /// sequences from 1, and such an ID could not be parsed back.
    pub fn from_sequence(n: u64) -> CustomerId {
        assert!(
            (1..=Self::MAX_SEQUENCE).contains(&n),
            "customer sequence {n} out of range"
        );
        CustomerId(n * 10 + u64::from(damm(n)))
    }

    /// The ID from its full numeric value (check digit included), e.g. read from storage.
    pub fn from_value(value: u64) -> Result<CustomerId, Invalid> {
        if !(10..=Self::MAX_SEQUENCE * 10 + 9).contains(&value) {
            return Err(Invalid::InvalidCustomerId);
        }
        if damm(value) != 0 {
            return Err(Invalid::CustomerIdCheckDigit);
        }
        Ok(CustomerId(value))
    }

    /// Accepts what an agent types: "1 000 097", "1000-097", " 1000097 " (spaces,
    /// no-break spaces, '-' and '.' between digits).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?;
        let digits: String = s
            .chars()
            .filter(|&c| !(c.is_whitespace() || c == '-' || c == '.'))
            .collect();
        // No ID starts with 0: a leading 0 means a digit was misheard or added.
        if !(2..=12).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(Invalid::InvalidCustomerId);
        }
        let value = digits.parse().map_err(|_| Invalid::InvalidCustomerId)?;
        Self::from_value(value)
    }

    /// The sequence number (the ID without its check digit).
    pub fn sequence(&self) -> u64 {
        self.0 / 10
    }

    /// The full number, check digit included.
    pub fn value(&self) -> u64 {
        self.0
    }

    /// For reading aloud and display: groups of three from the right, "1 000 097".
    pub fn grouped(&self) -> String {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for CustomerId {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CustomerId {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

/// A JSON string, not a number: it is an identifier (no arithmetic, no float precision
/// questions in JavaScript) and reads the same in logs and URLs.
impl Serialize for CustomerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn damm_known_example() {
        assert_eq!(damm(572), 4);
        assert_eq!(damm(5724), 0);
        assert_eq!(CustomerId::from_sequence(572).value(), 5724);
    }

    #[test]
    fn customer_id_from_sequence_round_trips() {
        for n in [
            1,
            9,
            10,
            572,
            10_009,
            100_009,
            123_456_789,
            CustomerId::MAX_SEQUENCE,
        ] {
            let id = CustomerId::from_sequence(n);
            assert_eq!(id.sequence(), n);
            assert_eq!(CustomerId::parse(&id.to_string()), Ok(id));
            assert_eq!(CustomerId::parse(&id.grouped()), Ok(id));
            assert_eq!(CustomerId::from_value(id.value()), Ok(id));
        }
        assert_eq!(
            CustomerId::from_sequence(CustomerId::MAX_SEQUENCE)
                .to_string()
                .len(),
            12
        );
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn customer_id_sequence_zero_panics() {
        let _ = CustomerId::from_sequence(0);
    }

    #[test]
    fn customer_id_parses_what_an_agent_types() {
        let id = CustomerId::from_sequence(10_009);
        assert_eq!(id.value(), 100_095);
        for typed in [
            "100095",
            " 100095 ",
            "100 095",
            "1 000 95",
            "100-095",
            "100.095",
            "100\u{a0}095",
        ] {
            assert_eq!(CustomerId::parse(typed), Ok(id), "{typed}");
        }
        assert_eq!(id.to_string(), "100095");
        assert_eq!(id.grouped(), "100 095");
        assert_eq!(CustomerId::from_sequence(100_009).grouped(), "1 000 090");
        assert_eq!(CustomerId::from_sequence(1).grouped(), "13");
        assert_eq!(CustomerId::from_sequence(12_345).grouped(), "123 459");
        assert_eq!(
            CustomerId::from_sequence(CustomerId::MAX_SEQUENCE)
                .grouped()
                .len(),
            15
        );
    }

    #[test]
    fn customer_id_refusals() {
        assert_eq!(CustomerId::parse(""), Err(Invalid::Empty));
        assert_eq!(CustomerId::parse("  "), Err(Invalid::Empty));
        assert_eq!(
            CustomerId::parse("100\t095"),
            Err(Invalid::ControlCharacters)
        );
        for bad in [
            "1",             // too short
            "1234567890123", // too long
            "10009S",        // letter for a digit
            "N° 100095",
            "#100095",
            "0100095", // leading zero
            "00",
            "-",
            "+100095",
        ] {
            let result = CustomerId::parse(bad);
            assert!(
                result == Err(Invalid::InvalidCustomerId),
                "{bad}: {result:?}"
            );
        }
        // Misheard digit ("quatre-vingt-quinze" heard as "quatre-vingt-seize").
        assert_eq!(
            CustomerId::parse("100096"),
            Err(Invalid::CustomerIdCheckDigit)
        );
        assert_eq!(CustomerId::from_value(0), Err(Invalid::InvalidCustomerId));
        assert_eq!(CustomerId::from_value(9), Err(Invalid::InvalidCustomerId));
        assert_eq!(
            CustomerId::from_value(10_u64.pow(12)),
            Err(Invalid::InvalidCustomerId)
        );
        assert_eq!(
            CustomerId::from_value(100_096),
            Err(Invalid::CustomerIdCheckDigit)
        );
    }

    /// Every single-digit substitution and every adjacent transposition is caught.
    #[test]
    fn customer_id_catches_every_single_error_and_adjacent_swap() {
        for n in [
            1,
            572,
            10_009,
            987_654,
            31_415_926_535,
            CustomerId::MAX_SEQUENCE,
        ] {
            let good = CustomerId::from_sequence(n).to_string();
            let digits: Vec<u8> = good.bytes().collect();
            for i in 0..digits.len() {
                for d in b'0'..=b'9' {
                    if d == digits[i] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[i] = d;
                    let typo = String::from_utf8(typo).unwrap();
                    assert!(CustomerId::parse(&typo).is_err(), "{good} -> {typo}");
                }
            }
            for i in 0..digits.len() - 1 {
                if digits[i] == digits[i + 1] {
                    continue;
                }
                let mut swapped = digits.clone();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                assert!(CustomerId::parse(&swapped).is_err(), "{good} -> {swapped}");
            }
        }
    }

    /// The same, exhaustively over every 4-digit sequence, at the level of the check.
    #[test]
    fn damm_detects_all_single_errors_and_swaps_exhaustively() {
        for n in 1_000..10_000_u64 {
            let id = CustomerId::from_sequence(n).value();
            let digits: Vec<u64> = id
                .to_string()
                .bytes()
                .map(|b| u64::from(b - b'0'))
                .collect();
            let value = |ds: &[u64]| ds.iter().fold(0, |acc, d| acc * 10 + d);
            for i in 0..digits.len() {
                for d in 0..10 {
                    if d != digits[i] {
                        let mut typo = digits.clone();
                        typo[i] = d;
                        assert_ne!(damm(value(&typo)), 0, "{id} -> {typo:?}");
                    }
                }
                if i + 1 < digits.len() && digits[i] != digits[i + 1] {
                    let mut swapped = digits.clone();
                    swapped.swap(i, i + 1);
                    assert_ne!(damm(value(&swapped)), 0, "{id} -> {swapped:?}");
                }
            }
        }
    }

    #[test]
    fn customer_id_serde() {
        let id = CustomerId::from_sequence(10_009);
        assert_eq!(json(&id), "\"100095\"");
        assert_eq!(from_json::<CustomerId>("\"100 095\"").unwrap(), id);
        assert!(from_json::<CustomerId>("\"100096\"").is_err());
        assert!(
            from_json::<CustomerId>("100095").is_err(),
            "a string, not a number"
        );
    }
}
