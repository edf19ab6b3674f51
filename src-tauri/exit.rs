//! The commands' exit codes: the constants the code returns and the list `--help` prints,
//! from one table.

pub const OK: i32 = 0;
pub const UNEXPECTED: i32 = 1;
pub const USAGE: i32 = 2;
pub const NOT_LINKED: i32 = 3;
pub const UNREACHABLE: i32 = 4;
pub const OFFLINE_DATA: i32 = 5;
pub const WRONG_PASSWORD: i32 = 6;
pub const RATE_LIMITED: i32 = 7;
pub const CHANGED_ELSEWHERE: i32 = 8;
pub const LINKED_ELSEWHERE: i32 = 9;
pub const REFUSED: i32 = 10;
pub const NO_CREDENTIAL_STORE: i32 = 11;
pub const KEY_REFUSED: i32 = 12;

/// Every code and what it means, as `--help` lists them.
const MEANINGS: &[(i32, &str)] = &[
    (OK, "done"),
    (UNEXPECTED, "unexpected error"),
    (USAGE, "wrong usage (unknown option, missing value…)"),
    (
        NOT_LINKED,
        "this computer is not linked to a customer account",
    ),
    (
        UNREACHABLE,
        "the account service cannot be reached (and nothing is known from before)",
    ),
    (
        OFFLINE_DATA,
        "the service cannot be reached: the last known account data is shown",
    ),
    (WRONG_PASSWORD, "wrong e-mail address or password"),
    (RATE_LIMITED, "too many attempts: wait the time shown"),
    (
        CHANGED_ELSEWHERE,
        "the account was changed elsewhere: reload and redo the change",
    ),
    (
        LINKED_ELSEWHERE,
        "this computer is linked to another customer account (use --move)",
    ),
    (
        REFUSED,
        "input refused (the message names the field), or a wrong or expired e-mail\n     \
         confirmation code, or no change of e-mail address waiting for one",
    ),
    (
        NO_CREDENTIAL_STORE,
        "no credential store on this computer: the link cannot be kept",
    ),
    (
        KEY_REFUSED,
        "the enrollment key links nothing: wrong, expired, used up or revoked (the\n     \
         message says which)",
    ),
];

/// "Exit codes:" and one line per code, for `--help`.
pub fn help() -> String {
    let lines: Vec<String> = MEANINGS
        .iter()
        .map(|(code, meaning)| format!("  {code:<2} {meaning}"))
        .collect();
    format!("Exit codes:\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_once_in_order() {
        let codes: Vec<i32> = MEANINGS.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, (OK..=KEY_REFUSED).collect::<Vec<_>>());
        assert!(help().contains("\n  10 input refused"));
    }
}
