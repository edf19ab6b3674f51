//! The `customer-account` program: the window, and the same binary's commands.
//!
//! Owns reading the command line (`options`), the commands for scripts and
//! administrators (`cli`) and their exit codes (`exit`), and the window with the commands
//! its page may invoke (`app`, listed once in `commands`; `bindings` generates the page's
//! TypeScript from them).
//! A thin layer: every conversation with the service, the credential store and the data
//! folder goes through `account-client`. It must not know the service's routes, how a
//! token is stored, nor hand a secret to the web page.

#[macro_use]
mod commands;

mod app;
#[cfg(test)]
mod bindings;
mod cli;
pub mod exit;
mod options;
mod preset;
mod windows;

use clap::Parser;

/// Runs a command and exits with its code, or opens the window when there is none.
pub fn run() {
    let options = match options::Options::try_parse() {
        Ok(options) => options,
        // --help, --version, or a usage error: printed where the user typed the command.
        Err(err) => {
            windows::attach_to_parent_console();
            err.exit()
        }
    };
    match options.command {
        Some(command) => {
            windows::attach_to_parent_console();
            std::process::exit(cli::run(options.global, command))
        }
        None => match options.global.settings() {
            Ok(settings) => app::run(settings, options.global.data_dir.clone()),
            Err(message) => {
                eprintln!("customer-account: {message}");
                std::process::exit(exit::USAGE);
            }
        },
    }
}
