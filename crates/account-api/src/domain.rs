//! Validated domain values ("parse, don't validate").
//!
//! Everything a user types or the wire carries goes through a `parse` once, at the edge;
//! past that point holding the type is the proof that the value is well formed. Each
//! `parse` trims and normalises what people really type (spaces in numbers, upper case in
//! e-mail addresses, "+33 (0)1…") so that equal things compare equal, and refuses the
//! rest with an [`Invalid`] reason whose [`Invalid::code`] is a stable API code.
//!
//! Every type serialises as its normalised plain string and deserialises through `parse`,
//! so an invalid value in JSON is a deserialisation error, never a half-valid value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

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
}

impl Invalid {
    /// Every variant, for exhaustive translation tables and tests.
    pub const ALL: [Invalid; 12] = [
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

// ---------------------------------------------------------------------------------------
// Shared cleaning rules

/// Characters no single-line field may hold: C0/C1 controls (tab, newline…), line and
/// paragraph separators, and invisible characters that make two values look identical
/// while differing (zero-width space, BOM) or reorder the text on screen (bidi controls,
/// the "Trojan Source" trick).
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Trims, then refuses forbidden characters and emptiness. Leading/trailing newlines
/// are trimmed away (pasting often brings one); only inner ones are refused.
fn clean(input: &str) -> Result<&str, Invalid> {
    let s = input.trim();
    if s.chars().any(is_forbidden) {
        return Err(Invalid::ControlCharacters);
    }
    if s.is_empty() {
        return Err(Invalid::Empty);
    }
    Ok(s)
}

/// Runs of whitespace (including no-break spaces) become one plain space.
fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_len(s: &str, max_chars: usize) -> Result<(), Invalid> {
    if s.chars().count() > max_chars {
        Err(Invalid::TooLong)
    } else {
        Ok(())
    }
}

/// A required single-line text: trimmed, whitespace collapsed, at most `max_chars`.
fn parse_text(input: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = collapse_whitespace(clean(input)?);
    check_len(&s, max_chars)?;
    Ok(s)
}

/// The conversions every string-backed value shares.
macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(s: String) -> Result<Self, Invalid> {
                Self::parse(&s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// E-mail

/// An e-mail address, lower-cased: it is the account key, and people type the same
/// address with varying case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Email(String);

string_value!(Email);

impl Email {
    pub const MAX_LEN: usize = 254;
    pub const MAX_LOCAL_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?.to_lowercase();
        check_len(&s, Self::MAX_LEN)?;
        let Some((local, domain)) = s.split_once('@') else {
            return Err(Invalid::InvalidEmail);
        };
        check_len(local, Self::MAX_LOCAL_LEN)?;
        if domain.contains('@') || !is_local_part(local) || !is_domain(domain) {
            return Err(Invalid::InvalidEmail);
        }
        Ok(Email(s))
    }

    /// The part before '@'.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The part after '@'.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

/// RFC 5322 "dot-atom" (plus non-ASCII letters, RFC 6531). Leaves out quoted local parts:
/// nobody types them, and refusing them catches "<jean@x.fr>", "mailto:…", spaces, ';'.
fn is_local_part(local: &str) -> bool {
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

/// Host name with at least two labels (so "gmail" alone is refused) and a real-looking TLD.
/// Non-ASCII letters are kept as typed (IDN); no punycode conversion happens here.
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|label| is_domain_label(label))
        && tld.chars().count() >= 2
        && !tld.chars().all(|c| c.is_ascii_digit())
}

fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || c == '-'
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

// ---------------------------------------------------------------------------------------
// Names

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

// ---------------------------------------------------------------------------------------
// Phone

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

// ---------------------------------------------------------------------------------------
// SIRET

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

// ---------------------------------------------------------------------------------------
// Country and postal address

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

// ---------------------------------------------------------------------------------------
// Language

/// The user interface and e-mail language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    /// Accepts a language tag or locale name in any case: "fr", "FR", "fr-FR", "fr_CA",
    /// "en-GB", "fr_FR.UTF-8"; only the primary language counts.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = clean(input)?;
        let primary = s.split(['-', '_', '.', '@']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "fr" => Ok(Language::Fr),
            "en" => Ok(Language::En),
            _ => Err(Invalid::InvalidLanguage),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Language {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Customer ID

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

    const BIDI_OVERRIDE: &str = "\u{202E}";

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    fn from_json<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    // --- Invalid ------------------------------------------------------------------

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

    // --- Email --------------------------------------------------------------------

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let e = Email::parse("  Jean.Dupont+compta@Example.FR \n").unwrap();
        assert_eq!(e.as_str(), "jean.dupont+compta@example.fr");
        assert_eq!(e.local_part(), "jean.dupont+compta");
        assert_eq!(e.domain(), "example.fr");
        assert_eq!(e.to_string(), "jean.dupont+compta@example.fr");
        assert_eq!(e, Email::parse("jean.dupont+compta@example.fr").unwrap());
    }

    #[test]
    fn email_accepts_common_real_addresses() {
        for ok in [
            "contact@société.fr",
            "CONTACT@SOCIÉTÉ.FR",
            "j@x.fr",
            "jean_dupont@mail.example.co.uk",
            "o'brien@example.ie",
            "compta@ma-societe.fr",
            "contact@xn--socit-esab.fr",
            "1234@123.com",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Email::parse("CONTACT@SOCIÉTÉ.FR").unwrap().as_str(),
            "contact@société.fr"
        );
    }

    #[test]
    fn email_refuses_what_people_mistype() {
        for bad in [
            "jean.dupont@gmail",
            "jean dupont@x.fr",
            "jean@@x.fr",
            "jean@x..fr",
            "<jean@x.fr>",
            "Jean Dupont <jean@x.fr>",
            "jean@x.fr,",
            "jean@x.fr;",
            "jean@x.fr;paul@x.fr",
            "mailto:jean@x.fr",
            "jean.dupont",
            "@x.fr",
            "jean@",
            "jean@.fr",
            "jean@x.fr.",
            ".jean@x.fr",
            "jean.@x.fr",
            "jean..dupont@x.fr",
            "jean@-x.fr",
            "jean@x-.fr",
            "jean@x.f",
            "jean@x.123",
            "jean@x_y.fr",
            "jean@[192.168.0.1]",
            "\"jean\"@x.fr",
            "jean@x.fr (bureau)",
            "jean\u{a0}dupont@x.fr",
        ] {
            assert_eq!(Email::parse(bad), Err(Invalid::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn email_empty_control_and_length() {
        assert_eq!(Email::parse(""), Err(Invalid::Empty));
        assert_eq!(Email::parse("   "), Err(Invalid::Empty));
        assert_eq!(Email::parse("jean\t@x.fr"), Err(Invalid::ControlCharacters));
        assert_eq!(Email::parse("jean@x\n.fr"), Err(Invalid::ControlCharacters));
        assert_eq!(
            Email::parse(&format!("jean@{BIDI_OVERRIDE}x.fr")),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            Email::parse("jean\u{200B}@x.fr"),
            Err(Invalid::ControlCharacters)
        );

        let local64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local64}@x.fr")).is_ok());
        assert_eq!(
            Email::parse(&format!("a{local64}@x.fr")),
            Err(Invalid::TooLong)
        );

        // 64 + 1 + 189 = 254 characters, labels of 63 at most.
        let domain = format!(
            "{}.{}.{}.fr",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(58)
        );
        let longest = format!("{local64}@{domain}");
        assert_eq!(longest.len(), 254);
        assert!(Email::parse(&longest).is_ok());
        assert_eq!(Email::parse(&format!("{longest}x")), Err(Invalid::TooLong));
        let long_label = format!("jean@{}.fr", "b".repeat(64));
        assert_eq!(Email::parse(&long_label), Err(Invalid::InvalidEmail));
    }

    #[test]
    fn email_serde() {
        let e: Email = from_json("\" Jean@X.fr \"").unwrap();
        assert_eq!(json(&e), "\"jean@x.fr\"");
        assert_eq!(from_json::<Email>(&json(&e)).unwrap(), e);
        assert!(from_json::<Email>("\"jean@gmail\"").is_err());
        assert!(from_json::<Email>("\"\"").is_err());
        assert!(from_json::<Email>("42").is_err());
        assert_eq!("jean@x.fr".parse::<Email>().unwrap().as_str(), "jean@x.fr");
    }

    // --- Names --------------------------------------------------------------------

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

    // --- Phone --------------------------------------------------------------------

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

    // --- SIRET --------------------------------------------------------------------

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

    // --- Country and address ------------------------------------------------------

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

    // --- Language -----------------------------------------------------------------

    #[test]
    fn language() {
        for (typed, lang) in [
            ("fr", Language::Fr),
            ("FR", Language::Fr),
            ("fr-FR", Language::Fr),
            ("fr_CA", Language::Fr),
            (" fr-be ", Language::Fr),
            ("fr_FR.UTF-8", Language::Fr),
            ("en", Language::En),
            ("en-GB", Language::En),
            ("EN_us", Language::En),
        ] {
            assert_eq!(Language::parse(typed), Ok(lang), "{typed}");
        }
        for bad in ["de", "es-ES", "french", "f", "frr", "e n"] {
            assert_eq!(Language::parse(bad), Err(Invalid::InvalidLanguage), "{bad}");
        }
        assert_eq!(Language::parse(""), Err(Invalid::Empty));
        assert_eq!(Language::default(), Language::Fr);
        assert_eq!(Language::En.as_str(), "en");
        assert_eq!(Language::Fr.to_string(), "fr");
    }

    #[test]
    fn language_serde() {
        assert_eq!(json(&Language::Fr), "\"fr\"");
        assert_eq!(json(&Language::En), "\"en\"");
        assert_eq!(from_json::<Language>("\"en-GB\"").unwrap(), Language::En);
        assert!(from_json::<Language>("\"de\"").is_err());
        assert!(from_json::<Language>("\"Fr\"").is_ok());
    }

    // --- Customer ID --------------------------------------------------------------

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
