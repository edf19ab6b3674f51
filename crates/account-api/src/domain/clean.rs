//! The cleaning rules every text value shares.

use super::Invalid;

/// Characters no single-line field may hold: C0/C1 controls (tab, newline…), line and
/// paragraph separators, and invisible characters that make two values look identical
/// while differing (zero-width space, BOM) or reorder the text on screen (bidi controls,
/// the "Trojan Source" trick).
pub(super) fn is_forbidden(c: char) -> bool {
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
pub(super) fn clean(input: &str) -> Result<&str, Invalid> {
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
pub(super) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn check_len(s: &str, max_chars: usize) -> Result<(), Invalid> {
    if s.chars().count() > max_chars {
        Err(Invalid::TooLong)
    } else {
        Ok(())
    }
}

/// A required single-line text: trimmed, whitespace collapsed, at most `max_chars`.
pub(super) fn parse_text(input: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = collapse_whitespace(clean(input)?);
    check_len(&s, max_chars)?;
    Ok(s)
}
