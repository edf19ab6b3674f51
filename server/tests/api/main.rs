//! The service, started for real on a loopback port with a SQLite file and a real SMTP
//! server receiving its mail.

mod account;
mod account_reads;
mod copy;
mod enrollment_keys;
mod errors;
mod fuzz;
mod helpers;
mod instances;
mod ledger_properties;
mod limits;
mod links;
mod mail;
mod metrics;
mod operations;
mod passwords;
mod support;
