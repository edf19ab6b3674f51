//! What the desktop client and the account service agree on.
//!
//! Owns the validated domain types (`domain`, `password`), the JSON shapes that cross the
//! wire (`wire`), the stable error codes (`error`) and the fields' names people read
//! (`fields`). It knows nothing of HTTP, storage, windows or credential stores: both
//! sides parse input into these types at their edge.

pub mod details;
pub mod domain;
pub mod error;
pub mod fields;
pub mod password;
pub mod support;
pub mod wire;
