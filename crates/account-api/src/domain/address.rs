//! Country and postal address.

use super::*;

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);

/// The officially assigned ISO 3166-1 alpha-2 codes (249), sorted.
const ISO_3166_ALPHA2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
YE YT \
ZA ZM ZW";

/// Countries whose addresses use French 5-digit postal codes: France, Monaco and the
/// overseas departments and collectivities that have their own ISO code.
const FRENCH_POSTAL_SYSTEM: &[&str] = &[
    "FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC",
];

impl CountryCode {
    pub const FR: CountryCode = CountryCode("FR");

    /// Accepts any case ("fr", "Fr"); "UK", which people type for the United Kingdom and
    /// ISO reserves for it, becomes "GB". Names ("France") are refused.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?.to_ascii_uppercase();
        let s = if s == "UK" { "GB".to_owned() } else { s };
        ISO_3166_ALPHA2
            .split(' ')
            .find(|code| *code == s)
            .map(CountryCode)
            .ok_or(Invalid::InvalidCountry)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    fn uses_french_postal_codes(self) -> bool {
        FRENCH_POSTAL_SYSTEM.contains(&self.0)
    }
}

impl Default for CountryCode {
    fn default() -> Self {
        CountryCode::FR
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl AsRef<str> for CountryCode {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl FromStr for CountryCode {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

// By hand: the derive would tie the `&'static str` field to the input's lifetime.
impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An address as typed into the form, before validation (also the JSON shape of
/// [`PostalAddress`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PostalAddress"))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RawPostalAddress {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO code; empty means France.
    #[serde(default)]
    pub country: String,
}

/// A validated postal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostalAddress {
    street: String,
    postal_code: String,
    city: String,
    country: CountryCode,
}

impl PostalAddress {
    pub const MAX_STREET_LEN: usize = 200;
    pub const MAX_STREET_LINES: usize = 3;
    pub const MAX_CITY_LEN: usize = 80;

    /// Validates every field and reports every refused one at once, named
    /// "address.street", "address.postal_code", "address.city", "address.country"
    /// (in form order), so the form can mark them all.
    pub fn parse(raw: &RawPostalAddress) -> Result<Self, Vec<(&'static str, Invalid)>> {
        let country = if raw.country.trim().is_empty() {
            Ok(CountryCode::FR)
        } else {
            CountryCode::parse(&raw.country)
        };
        let street = parse_street(&raw.street);
        // With an unknown country, the postal code still gets the general check.
        let postal_code = parse_postal_code(&raw.postal_code, country.ok());
        let city = parse_text(&raw.city, Self::MAX_CITY_LEN);

        match (street, postal_code, city, country) {
            (Ok(street), Ok(postal_code), Ok(city), Ok(country)) => Ok(PostalAddress {
                street,
                postal_code,
                city,
                country,
            }),
            (street, postal_code, city, country) => Err([
                ("address.street", street.err()),
                ("address.postal_code", postal_code.err()),
                ("address.city", city.err()),
                ("address.country", country.err()),
            ]
            .into_iter()
            .filter_map(|(field, error)| error.map(|e| (field, e)))
            .collect()),
        }
    }

    /// The street lines joined with '\n' (1 to 3 lines).
    pub fn street(&self) -> &str {
        &self.street
    }

    pub fn street_lines(&self) -> std::str::Lines<'_> {
        self.street.lines()
    }

    pub fn postal_code(&self) -> &str {
        &self.postal_code
    }

    pub fn city(&self) -> &str {
        &self.city
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The normalised values in the form's shape.
    pub fn to_raw(&self) -> RawPostalAddress {
        RawPostalAddress {
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            country: self.country.as_str().to_owned(),
        }
    }
}

/// Street: the one field where line breaks are allowed (building, street, locality).
/// Windows text boxes send "\r\n"; blank lines are dropped; each line is trimmed and its
/// whitespace collapsed.
fn parse_street(input: &str) -> Result<String, Invalid> {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = Vec::new();
    for line in unified.split('\n') {
        let line = line.trim();
        if line.chars().any(is_forbidden) {
            return Err(Invalid::ControlCharacters);
        }
        if !line.is_empty() {
            lines.push(collapse_whitespace(line));
        }
    }
    if lines.is_empty() {
        return Err(Invalid::Empty);
    }
    if lines.len() > PostalAddress::MAX_STREET_LINES {
        return Err(Invalid::TooLong);
    }
    let street = lines.join("\n");
    check_len(&street, PostalAddress::MAX_STREET_LEN)?;
    Ok(street)
}

/// French system: exactly 5 digits ("75 001" → "75001"). Elsewhere: 2..=10 characters
/// of [A-Z0-9 -], upper-cased ("sw1a 1aa" → "SW1A 1AA").
fn parse_postal_code(input: &str, country: Option<CountryCode>) -> Result<String, Invalid> {
    let s = clean(input)?;
    if country.is_some_and(CountryCode::uses_french_postal_codes) {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::InvalidPostalCode);
        }
        Ok(digits)
    } else {
        let code = collapse_whitespace(s).to_ascii_uppercase();
        let allowed =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' || c == '-';
        if !(2..=10).contains(&code.len()) || !code.chars().all(allowed) {
            return Err(Invalid::InvalidPostalCode);
        }
        Ok(code)
    }
}

impl Serialize for PostalAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("PostalAddress", 4)?;
        s.serialize_field("street", &self.street)?;
        s.serialize_field("postal_code", &self.postal_code)?;
        s.serialize_field("city", &self.city)?;
        s.serialize_field("country", self.country.as_str())?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for PostalAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawPostalAddress::deserialize(deserializer)?;
        PostalAddress::parse(&raw).map_err(|errors| {
            let list: Vec<String> = errors
                .iter()
                .map(|(field, e)| format!("{field}: {}", e.code()))
                .collect();
            serde::de::Error::custom(format!("invalid address ({})", list.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

    #[test]
    fn country_code() {
        assert_eq!(CountryCode::parse("fr").unwrap(), CountryCode::FR);
        assert_eq!(CountryCode::parse(" Be ").unwrap().as_str(), "BE");
        assert_eq!(CountryCode::parse("uk").unwrap().as_str(), "GB");
        assert_eq!(CountryCode::default(), CountryCode::FR);
        assert_eq!(CountryCode::parse(""), Err(Invalid::Empty));
        for bad in ["France", "FRA", "F", "XX", "ZZ", "F1", "É", "fr-FR"] {
            assert_eq!(
                CountryCode::parse(bad),
                Err(Invalid::InvalidCountry),
                "{bad}"
            );
        }
        assert_eq!(CountryCode::parse("F\tR"), Err(Invalid::ControlCharacters));
        let c: CountryCode = from_json("\"ch\"").unwrap();
        assert_eq!(json(&c), "\"CH\"");
        assert!(from_json::<CountryCode>("\"Suisse\"").is_err());
    }

    #[test]
    fn iso_list_is_complete_sorted_and_well_formed() {
        let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(codes
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        for code in FRENCH_POSTAL_SYSTEM {
            assert!(codes.contains(code), "{code}");
        }
    }

    fn raw(street: &str, postal_code: &str, city: &str, country: &str) -> RawPostalAddress {
        RawPostalAddress {
            street: street.into(),
            postal_code: postal_code.into(),
            city: city.into(),
            country: country.into(),
        }
    }

    #[test]
    fn address_is_normalised_and_defaults_to_france() {
        let a = PostalAddress::parse(&raw(
            "  12  rue de la Paix \r\n\r\n Bâtiment B ",
            "75 002",
            " Paris ",
            "",
        ))
        .unwrap();
        assert_eq!(a.street(), "12 rue de la Paix\nBâtiment B");
        assert_eq!(
            a.street_lines().collect::<Vec<_>>(),
            ["12 rue de la Paix", "Bâtiment B"]
        );
        assert_eq!(a.postal_code(), "75002");
        assert_eq!(a.city(), "Paris");
        assert_eq!(a.country(), CountryCode::FR);
        assert_eq!(
            a.to_raw(),
            raw("12 rue de la Paix\nBâtiment B", "75002", "Paris", "FR")
        );
        assert_eq!(PostalAddress::parse(&a.to_raw()).unwrap(), a);
    }

    #[test]
    fn address_foreign_postal_codes() {
        let gb = PostalAddress::parse(&raw("10 Downing St", "sw1a  2aa", "London", "gb")).unwrap();
        assert_eq!(gb.postal_code(), "SW1A 2AA");
        assert_eq!(gb.country().as_str(), "GB");
        let be = PostalAddress::parse(&raw("Rue Neuve 1", "1000", "Bruxelles", "BE")).unwrap();
        assert_eq!(be.postal_code(), "1000");
        let mc = PostalAddress::parse(&raw("1 av. Princesse Grace", "98000", "Monaco", "MC"));
        assert!(mc.is_ok());
        let re = PostalAddress::parse(&raw("1 rue de Paris", "9740", "Saint-Denis", "RE"));
        assert_eq!(
            re.unwrap_err(),
            [("address.postal_code", Invalid::InvalidPostalCode)]
        );
        for bad in ["1", "12345678901", "SW1A_2AA", "ÉÉ123"] {
            let r = PostalAddress::parse(&raw("10 Downing St", bad, "London", "GB"));
            assert_eq!(
                r.unwrap_err(),
                [("address.postal_code", Invalid::InvalidPostalCode)]
            );
        }
    }

    #[test]
    fn address_refusals_name_every_field() {
        let errors = PostalAddress::parse(&RawPostalAddress::default()).unwrap_err();
        assert_eq!(
            errors,
            [
                ("address.street", Invalid::Empty),
                ("address.postal_code", Invalid::Empty),
                ("address.city", Invalid::Empty),
            ]
        );

        let errors = PostalAddress::parse(&raw("1 rue X", "7500", "Paris", "France")).unwrap_err();
        assert_eq!(errors, [("address.country", Invalid::InvalidCountry)]);
        let errors = PostalAddress::parse(&raw("1 rue X", "7500", "Paris", "FR")).unwrap_err();
        assert_eq!(
            errors,
            [("address.postal_code", Invalid::InvalidPostalCode)]
        );
        for bad in ["75O01", "750011", "F-75001", "75 0 0"] {
            let errors = PostalAddress::parse(&raw("1 rue X", bad, "Paris", "FR")).unwrap_err();
            assert_eq!(
                errors,
                [("address.postal_code", Invalid::InvalidPostalCode)],
                "{bad}"
            );
        }

        let errors =
            PostalAddress::parse(&raw("1 rue X\tBis", "75001", &"P".repeat(81), "FR")).unwrap_err();
        assert_eq!(
            errors,
            [
                ("address.street", Invalid::ControlCharacters),
                ("address.city", Invalid::TooLong),
            ]
        );
        let errors = PostalAddress::parse(&raw("1 rue X", "75001", "Pa\nris", "FR")).unwrap_err();
        assert_eq!(errors, [("address.city", Invalid::ControlCharacters)]);
    }

    #[test]
    fn street_lines_and_length() {
        assert_eq!(parse_street("a\nb\nc").unwrap(), "a\nb\nc");
        assert_eq!(parse_street("a\nb\nc\nd"), Err(Invalid::TooLong));
        assert_eq!(parse_street(" \n \r\n "), Err(Invalid::Empty));
        assert_eq!(parse_street(&"x".repeat(200)).unwrap().len(), 200);
        assert_eq!(parse_street(&"x".repeat(201)), Err(Invalid::TooLong));
        // The line breaks count towards the 200.
        let three = format!("{}\n{}\n{}", "x".repeat(66), "x".repeat(66), "x".repeat(66));
        assert_eq!(parse_street(&three).unwrap().chars().count(), 200);
        let three = format!("{}\n{}\n{}", "x".repeat(66), "x".repeat(66), "x".repeat(67));
        assert_eq!(parse_street(&three), Err(Invalid::TooLong));
        assert_eq!(
            parse_street(&format!("1 rue {BIDI_OVERRIDE}X")),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            parse_street("1 rue\u{2028}X"),
            Err(Invalid::ControlCharacters)
        );
    }

    #[test]
    fn address_serde() {
        let a: PostalAddress =
            from_json(r#"{"street":"1  rue X","postal_code":"75 001","city":"Paris"}"#).unwrap();
        assert_eq!(
            json(&a),
            r#"{"street":"1 rue X","postal_code":"75001","city":"Paris","country":"FR"}"#
        );
        assert_eq!(
            json(&a),
            json(&a.to_raw()),
            "same shape as RawPostalAddress"
        );
        assert_eq!(from_json::<PostalAddress>(&json(&a)).unwrap(), a);

        let err = from_json::<PostalAddress>(
            r#"{"street":"","postal_code":"7500","city":"Paris","country":"FR"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("address.street: empty"), "{err}");
        assert!(
            err.contains("address.postal_code: invalid_postal_code"),
            "{err}"
        );

        let r: RawPostalAddress =
            from_json(r#"{"street":"x","postal_code":"y","city":"z"}"#).unwrap();
        assert_eq!(r.country, "");
    }
}
