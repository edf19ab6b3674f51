//! What the whole-system tests add to test-support's harness: the program under test,
//! and its window.

#![allow(dead_code)] // each test file uses part of it

pub mod gate;
pub mod window;

/// The `customer-account` program this package builds.
pub const PROGRAM: &str = env!("CARGO_BIN_EXE_customer-account");
