//! The support side's rules, apart from storage and pages: agent roles, the rounding
//! of support calls, what an agent types as a duration, and what a search is for.

use account_api::domain::{CustomerId, Email, Invalid, Phone, Siret};

/// What an agent may do. Admins may also unlink machines and manage credit mistakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    Agent,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    /// The stored text; anything else is an error, never a guess at the lesser role.
    pub fn parse(text: &str) -> Result<Role, UnknownRole> {
        match text {
            "agent" => Ok(Role::Agent),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// The kinds of support-time ledger entries, with their stored text (a support call is
/// stored as "session", its name before the glossary; the text stays so no row moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// Support time bought (positive minutes).
    Credit,
    /// Time an agent charged for one call (negative minutes).
    SupportCall,
    /// The opposite of an earlier entry, which it cancels.
    Correction,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Credit => "credit",
            LedgerKind::SupportCall => "session",
            LedgerKind::Correction => "correction",
        }
    }

    pub fn parse(text: &str) -> Result<LedgerKind, UnknownLedgerKind> {
        match text {
            "credit" => Ok(LedgerKind::Credit),
            "session" => Ok(LedgerKind::SupportCall),
            "correction" => Ok(LedgerKind::Correction),
            other => Err(UnknownLedgerKind(other.to_owned())),
        }
    }
}

impl TryFrom<String> for LedgerKind {
    type Error = UnknownLedgerKind;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        LedgerKind::parse(&text)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown ledger entry kind {0:?}")]
pub struct UnknownLedgerKind(String);

impl TryFrom<String> for Role {
    type Error = UnknownRole;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Role::parse(&text)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown agent role {0:?}")]
pub struct UnknownRole(String);

/// How a support call's worked time becomes the time charged: each started step
/// counts in full (every started quarter hour, with a step of 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    step: i64,
}

/// Each started quarter hour: the usual rule of prepaid support.
impl Default for Rounding {
    fn default() -> Self {
        Rounding::every(15)
    }
}

impl Rounding {
    pub fn every(step_minutes: u32) -> Self {
        Self {
            step: i64::from(step_minutes.max(1)),
        }
    }

    pub fn step_minutes(self) -> i64 {
        self.step
    }

    /// The minutes charged for `worked` minutes (at least one).
    pub fn charge(self, worked: i64) -> i64 {
        let worked = worked.max(1);
        (worked + self.step - 1) / self.step * self.step
    }
}

/// Longest duration one entry may carry: a typing slip ("6000" for "60") should not
/// silently wipe out a year of credit.
pub const MAX_SUPPORT_CALL_MINUTES: i64 = 24 * 60;
pub const MAX_CREDIT_MINUTES: i64 = 1000 * 60;

/// Longest note of a ledger entry, correction reason or internal note.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest order or invoice reference of a credit.
pub const MAX_REFERENCE_CHARS: usize = 100;

/// The one rule for text an agent or an integration writes into the ledger or the
/// notes: trimmed, at most `max_chars`, line breaks and tabs allowed but no other
/// control character (it would hide text in the export and the pages).
pub fn ledger_text(typed: &str, required: bool, max_chars: usize) -> Result<String, Invalid> {
    let value = typed.trim();
    if required && value.is_empty() {
        Err(Invalid::Empty)
    } else if value.chars().count() > max_chars {
        Err(Invalid::TooLong)
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(Invalid::ControlCharacters)
    } else {
        Ok(value.to_owned())
    }
}

/// Why a typed duration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationProblem {
    Missing,
    Invalid,
    TooLong,
}

/// Reads what an agent types as a duration: "17", "17 min", "1h30", "1 h 30", "1:30",
/// "2h". Minutes, from 1 to `max`.
pub fn parse_minutes(input: &str, max: i64) -> Result<i64, DurationProblem> {
    let s: String = input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        return Err(DurationProblem::Missing);
    }
    let s = s
        .strip_suffix("minutes")
        .or_else(|| s.strip_suffix("min"))
        .or_else(|| s.strip_suffix("mn"))
        .or_else(|| s.strip_suffix('m'))
        .unwrap_or(&s);
    let number = |t: &str| -> Result<i64, DurationProblem> {
        if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DurationProblem::Invalid);
        }
        t.parse().map_err(|_| DurationProblem::Invalid)
    };
    let minutes = match s.split_once(['h', ':']) {
        Some((hours, rest)) => {
            let rest = if rest.is_empty() { 0 } else { number(rest)? };
            if rest >= 60 {
                return Err(DurationProblem::Invalid);
            }
            number(hours)? * 60 + rest
        }
        None => number(s)?,
    };
    if minutes < 1 {
        return Err(DurationProblem::Invalid);
    }
    if minutes > max {
        return Err(DurationProblem::TooLong);
    }
    Ok(minutes)
}

/// "1 h 30", "45 min", "−2 h 15": minutes for people.
pub fn format_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "−" } else { "" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m:02}"),
    }
}

/// What an agent's search is for, read from what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// A customer ID whose check digit is right.
    CustomerId(CustomerId),
    /// Looks like a customer ID but its check digit is wrong: a misheard or swapped
    /// digit. The IDs one slip away, to look up.
    MisheardId {
        typed: String,
        near: Vec<CustomerId>,
    },
    /// A phone number (stored normalised) or a SIRET.
    PhoneOrSiret(String),
    /// An e-mail address or its beginning.
    Email(String),
    /// Words of a company or contact name (each of three characters or more).
    Text(Vec<String>),
    /// Nothing usable: too short.
    TooShort,
}

impl SearchQuery {
    pub fn parse(input: &str) -> SearchQuery {
        // Control characters (a NUL pasted from somewhere) separate words like spaces;
        // the full-text index refuses them.
        let cleaned: String = input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = cleaned.trim();
        let compact: String = trimmed
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '/')))
            .collect();
        let all_digits = !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit());
        if compact.starts_with('+') || (all_digits && compact.starts_with('0')) {
            if let Ok(phone) = Phone::parse(trimmed) {
                return SearchQuery::PhoneOrSiret(phone.as_str().to_owned());
            }
        }
        if all_digits && compact.len() == 14 {
            if let Ok(siret) = Siret::parse(&compact) {
                return SearchQuery::PhoneOrSiret(siret.as_str().to_owned());
            }
        }
        if all_digits && !compact.starts_with('0') && (2..=12).contains(&compact.len()) {
            return match CustomerId::parse(&compact) {
                Ok(id) => SearchQuery::CustomerId(id),
                Err(_) => SearchQuery::MisheardId {
                    near: one_slip_away(&compact),
                    typed: compact,
                },
            };
        }
        if trimmed.contains('@') {
            return match Email::parse(trimmed) {
                Ok(email) => SearchQuery::Email(email.as_str().to_owned()),
                Err(_) => SearchQuery::Email(trimmed.to_lowercase()),
            };
        }
        let words: Vec<String> = trimmed
            .split_whitespace()
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_owned)
            .collect();
        if words.is_empty() {
            SearchQuery::TooShort
        } else {
            SearchQuery::Text(words)
        }
    }
}

/// The valid IDs that differ from `typed` by one digit or by two neighbouring digits
/// swapped: what a caller or an agent most often gets wrong.
fn one_slip_away(typed: &str) -> Vec<CustomerId> {
    let digits: Vec<u8> = typed.bytes().collect();
    let mut found = Vec::new();
    let mut consider = |candidate: &[u8]| {
        let text = std::str::from_utf8(candidate).unwrap_or_default();
        if let Ok(id) = CustomerId::parse(text) {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    };
    for i in 0..digits.len() {
        for d in b'0'..=b'9' {
            if d != digits[i] {
                let mut candidate = digits.clone();
                candidate[i] = d;
                consider(&candidate);
            }
        }
        if i + 1 < digits.len() && digits[i] != digits[i + 1] {
            let mut candidate = digits.clone();
            candidate.swap(i, i + 1);
            consider(&candidate);
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_ledger_kinds_read_back_strictly() {
        for role in [Role::Agent, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        // Unknown text is an error, never a guess at the lesser role.
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("").is_err());
        for kind in [
            LedgerKind::Credit,
            LedgerKind::SupportCall,
            LedgerKind::Correction,
        ] {
            assert_eq!(LedgerKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert!(LedgerKind::parse("refund").is_err());
    }

    #[test]
    fn the_ledger_text_rule_keeps_line_breaks_and_refuses_other_controls() {
        assert_eq!(ledger_text("  a\nb\tc  ", false, 10).unwrap(), "a\nb\tc");
        assert_eq!(ledger_text(" ", true, 10), Err(Invalid::Empty));
        assert_eq!(
            ledger_text("x".repeat(11).as_str(), false, 10),
            Err(Invalid::TooLong)
        );
        assert_eq!(
            ledger_text("bip\u{7}", false, 10),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(ledger_text("", false, 10).unwrap(), "");
    }

    #[test]
    fn each_started_quarter_hour_counts() {
        let r = Rounding::every(15);
        assert_eq!(r.charge(17), 30);
        assert_eq!(r.charge(15), 15);
        assert_eq!(r.charge(1), 15);
        assert_eq!(r.charge(0), 15);
        assert_eq!(Rounding::every(1).charge(17), 17);
    }

    #[test]
    fn durations_as_agents_type_them() {
        assert_eq!(parse_minutes("17", 1440), Ok(17));
        assert_eq!(parse_minutes(" 17 min ", 1440), Ok(17));
        assert_eq!(parse_minutes("1h30", 1440), Ok(90));
        assert_eq!(parse_minutes("1 h 05", 1440), Ok(65));
        assert_eq!(parse_minutes("1:30", 1440), Ok(90));
        assert_eq!(parse_minutes("2h", 1440), Ok(120));
        assert_eq!(parse_minutes("", 1440), Err(DurationProblem::Missing));
        assert_eq!(parse_minutes("0", 1440), Err(DurationProblem::Invalid));
        assert_eq!(parse_minutes("-5", 1440), Err(DurationProblem::Invalid));
        assert_eq!(parse_minutes("1h75", 1440), Err(DurationProblem::Invalid));
        assert_eq!(parse_minutes("abc", 1440), Err(DurationProblem::Invalid));
        assert_eq!(parse_minutes("6000", 1440), Err(DurationProblem::TooLong));
        assert_eq!(format_minutes(90), "1 h 30");
        assert_eq!(format_minutes(-45), "−45 min");
        assert_eq!(format_minutes(120), "2 h");
    }

    #[test]
    fn a_search_is_read_for_what_it_is() {
        let id = CustomerId::from_sequence(1001);
        assert_eq!(
            SearchQuery::parse(&id.grouped()),
            SearchQuery::CustomerId(id)
        );
        assert_eq!(
            SearchQuery::parse("06 12 34 56 78"),
            SearchQuery::PhoneOrSiret("0612345678".into())
        );
        assert_eq!(
            SearchQuery::parse("DUPONT@Example.fr"),
            SearchQuery::Email("dupont@example.fr".into())
        );
        assert_eq!(
            SearchQuery::parse("Boulangerie du Pont"),
            SearchQuery::Text(vec!["Boulangerie".into(), "Pont".into()])
        );
        assert_eq!(SearchQuery::parse("ab"), SearchQuery::TooShort);
    }

    #[test]
    fn a_misheard_id_finds_the_right_one_among_its_neighbours() {
        let id = CustomerId::from_sequence(1234).to_string();
        let mut digits: Vec<u8> = id.bytes().collect();
        // One digit misheard.
        digits[1] = if digits[1] == b'9' {
            b'8'
        } else {
            digits[1] + 1
        };
        let typed = String::from_utf8(digits).unwrap();
        let SearchQuery::MisheardId { near, .. } = SearchQuery::parse(&typed) else {
            panic!("{typed} should be read as a misheard ID");
        };
        assert!(near.contains(&CustomerId::from_sequence(1234)), "{near:?}");
        // Two neighbours swapped.
        let mut digits: Vec<u8> = id.bytes().collect();
        let i = (0..digits.len() - 1)
            .find(|&i| digits[i] != digits[i + 1])
            .unwrap();
        digits.swap(i, i + 1);
        let typed = String::from_utf8(digits).unwrap();
        if let SearchQuery::MisheardId { near, .. } = SearchQuery::parse(&typed) {
            assert!(near.contains(&CustomerId::from_sequence(1234)));
        }
    }
}
