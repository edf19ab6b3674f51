//! E-mail.

use super::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

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
}
