//! Language.

use super::*;

/// The user interface and e-mail language.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "lowercase"))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::*;

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
}
