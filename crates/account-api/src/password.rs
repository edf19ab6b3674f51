//! The shape of e-mailed account passwords, shared by the service (which generates and
//! hashes them) and the client (which cleans up what the user typed or pasted).
//!
//! A password is 15 characters from a 31-character alphabet (74 bits in all), shown in
//! three groups of five: "K7RM2-XH9PQ-4WDTF". The canonical form — the one the service
//! hashes — is that grouped, upper-case form.

/// Characters a password is drawn from: digits and capital letters, less 0/O and
/// 1/I/L (misread in many fonts and when copied by hand). No symbol: a user reading the
/// password aloud or typing it on any keyboard layout meets only letters and digits.
pub const PASSWORD_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Number of groups shown to the user.
pub const PASSWORD_GROUPS: usize = 3;

/// Characters per group.
pub const PASSWORD_GROUP_LEN: usize = 5;

/// Characters in a password, separators excluded.
pub const PASSWORD_LEN: usize = PASSWORD_GROUPS * PASSWORD_GROUP_LEN;

/// Groups `chars` by [`PASSWORD_GROUP_LEN`] with '-' between groups:
/// "ABCDEFGHJKMNPQR" → "ABCDE-FGHJK-MNPQR". Any length is accepted; the last group may be
/// short.
pub fn format_password(chars: &str) -> String {
    let mut out = String::with_capacity(chars.len() + chars.len() / PASSWORD_GROUP_LEN);
    for (i, c) in chars.chars().enumerate() {
        if i > 0 && i % PASSWORD_GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// Turns what the user typed or pasted from the e-mail into the canonical form.
///
/// Removes every kind of space (including no-break spaces), every kind of dash (word
/// processors and mail readers turn '-' into '‐', '‑', '–', '—', '−') and invisible
/// characters that copying from HTML mail brings along (soft hyphen, zero-width space,
/// word joiner, BOM); upper-cases the rest. When exactly [`PASSWORD_LEN`] alphabet
/// characters remain, they are regrouped with [`format_password`]; otherwise the cleaned
/// string is returned as is, so a wrong password fails verification like any other
/// rather than becoming a different kind of error.
///
/// No lookalike is mapped. The excluded characters have no single counterpart in the
/// alphabet ('O' could be a misread 'D', 'Q' or '0'; '1' could be '7' or 'T'), so guessing
/// would only turn one wrong password into another; since the e-mail never contains them,
/// a typed 'O', '0', '1', 'I' or 'L' is simply wrong.
pub fn normalize_typed_password(typed: &str) -> String {
    let cleaned: String = typed
        .chars()
        .filter(|&c| !(c.is_whitespace() || is_dash(c) || is_invisible(c)))
        .flat_map(char::to_uppercase)
        .collect();
    let canonical_chars =
        cleaned.len() == PASSWORD_LEN && cleaned.bytes().all(|b| PASSWORD_ALPHABET.contains(&b));
    if canonical_chars {
        format_password(&cleaned)
    } else {
        cleaned
    }
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "K7RM2XH9PQ4WDTF";
    const SAMPLE_GROUPED: &str = "K7RM2-XH9PQ-4WDTF";

    #[test]
    fn alphabet_has_31_distinct_unambiguous_characters() {
        assert_eq!(PASSWORD_ALPHABET.len(), 31);
        let mut sorted = PASSWORD_ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 31, "no duplicates");
        for excluded in b"0O1IL" {
            assert!(
                !PASSWORD_ALPHABET.contains(excluded),
                "{}",
                *excluded as char
            );
        }
        for &b in PASSWORD_ALPHABET {
            assert!(b.is_ascii_alphanumeric(), "{}", b as char);
            assert!(!b.is_ascii_lowercase(), "survives upper-casing");
            assert!(b != b'-', "'-' separates groups");
        }
    }

    #[test]
    fn strength_is_over_70_bits() {
        let bits = PASSWORD_LEN as f64 * (PASSWORD_ALPHABET.len() as f64).log2();
        assert!(bits > 74.0, "{bits}");
    }

    #[test]
    fn format_groups_by_five() {
        assert_eq!(format_password(SAMPLE), SAMPLE_GROUPED);
        assert_eq!(format_password(""), "");
        assert_eq!(format_password("ABCDE"), "ABCDE");
        assert_eq!(format_password("ABCDEF"), "ABCDE-F");
        assert_eq!(
            format_password(SAMPLE).len(),
            PASSWORD_LEN + PASSWORD_GROUPS - 1
        );
    }

    #[test]
    fn normalize_accepts_the_ways_it_is_typed_or_pasted() {
        for typed in [
            SAMPLE_GROUPED,
            SAMPLE,
            "  K7RM2-XH9PQ-4WDTF\n",
            "k7rm2-xh9pq-4wdtf",
            "K7RM2 XH9PQ 4WDTF",
            "K7RM2 - XH9PQ - 4WDTF",
            "K7RM2\u{a0}XH9PQ\u{a0}4WDTF",
            "K7RM2\u{2013}XH9PQ\u{2011}4WDTF",
            "K7RM2-\u{00AD}XH9PQ-4WDTF\u{200B}",
            "\tK7R M2X H9P Q4W DTF",
        ] {
            assert_eq!(normalize_typed_password(typed), SAMPLE_GROUPED, "{typed:?}");
        }
        assert_eq!(
            normalize_typed_password(SAMPLE_GROUPED),
            SAMPLE_GROUPED,
            "idempotent"
        );
    }

    #[test]
    fn normalize_leaves_wrong_passwords_wrong() {
        // Too short / too long: cleaned, not grouped.
        assert_eq!(
            normalize_typed_password("k7rm2-xh9pq-4wd+"),
            "K7RM2XH9PQ4WD+"
        );
        assert_eq!(
            normalize_typed_password("K7RM2-XH9PQ-4WDTFF"),
            "K7RM2XH9PQ4WDTFF"
        );
        // Lookalikes outside the alphabet are kept, so verification fails.
        assert_eq!(
            normalize_typed_password("K7RM2-XH9PQ-4WD+O"),
            "K7RM2XH9PQ4WD+O"
        );
        assert_eq!(
            normalize_typed_password("K7RM2-XH9PQ-4WD+0"),
            "K7RM2XH9PQ4WD+0"
        );
        assert_eq!(
            normalize_typed_password("k7rm2-xh9pq-4wd+l"),
            "K7RM2XH9PQ4WD+L"
        );
        assert_eq!(normalize_typed_password(""), "");
        assert_eq!(normalize_typed_password(" - "), "");
        assert_eq!(normalize_typed_password("mot de passe"), "MOTDEPASSE");
    }
}
