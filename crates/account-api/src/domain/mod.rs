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
//!
//! One file per value (or close family); every type is reached as `domain::Name`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

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

mod address;
mod clean;
mod customer_id;
mod email;
mod invalid;
mod language;
mod names;
mod phone;
mod siret;

pub use address::{CountryCode, PostalAddress, RawPostalAddress};
pub use customer_id::CustomerId;
pub use email::Email;
pub use invalid::Invalid;
pub use language::Language;
pub use names::{CompanyName, PersonName};
pub use phone::Phone;
pub use siret::Siret;

use clean::{check_len, clean, collapse_whitespace, is_forbidden, parse_text};

/// What the tests of every value share.
#[cfg(test)]
mod testing {
    use super::*;

    pub const BIDI_OVERRIDE: &str = "\u{202E}";

    pub fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    pub fn from_json<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }
}
