//! The harness is test-support's, shared with the client and system tests; test bodies
//! here import it under this module's name.

pub use test_support::service::*;
