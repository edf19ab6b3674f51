//! A case: one request with what it varies, the credentials it carries, the surface
//! answering it and what it may change for the cases after it.

use super::http::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Surface {
    /// The JSON API: every rejection is the JSON error.
    Api,
    /// Pages for browsers: a rejection is a page saying what went wrong, or the JSON error.
    Console,
}

/// What the `Authorization` or `Cookie` header of a case holds, resolved when it is sent
/// (tokens and log-ins are renewed when a case ends them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    Anonymous,
    /// A linked machine's token.
    MachineToken,
    /// An agent's token for the support API.
    ApiToken,
}

#[derive(Debug, Clone)]
pub(super) enum Credentials {
    None,
    Valid(Auth),
    /// A valid token followed by these bytes.
    ValidThen(Auth, &'static [u8]),
    /// A valid token, then a second `Authorization` header with these bytes.
    ValidTwice(Auth, Vec<u8>),
    Raw(Vec<u8>),
    /// The console: the log-in form's cookie, and the session's when logged in.
    Console {
        logged_in: bool,
    },
}

/// What a case may change that later cases rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    None,
    /// May unlink or relink the test's machine.
    Link,
    /// May save the account (its version moves on).
    Edit,
    /// May end the agent's console session.
    ConsoleSession,
    /// May unlink the account's other machine.
    OtherMachine,
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    /// The route, for grouping failures: "POST /api/v1/accounts".
    pub(super) route: String,
    /// What this case varies.
    pub(super) what: String,
    pub(super) request: Request,
    pub(super) credentials: Credentials,
    pub(super) surface: Surface,
    pub(super) effect: Effect,
    /// Sent after the others (wrong passwords, which fill the attempt limits).
    pub(super) late: bool,
}

pub(super) fn placeholders(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

pub(super) fn fill_template(template: &str, value: &dyn Fn(&str) -> String) -> String {
    template
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => value(name),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}
