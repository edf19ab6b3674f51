//! The account history's words: who acted ([`Actor`]) and what happened ([`Action`]).
//! Stored as text (`agent:<e-mail>`, `machine_linked`…) and read back strictly, so a
//! value no code writes is an error, never a guess. Knows nothing of storage or pages.

use std::fmt;

use crate::ids::MachineId;

/// Stored history text this version does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} in the history: {text:?}")]
pub struct UnknownText {
    what: &'static str,
    text: String,
}

/// Who did something to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The customer before linking anything (registering, asking for a password).
    Anonymous,
    /// A linked machine of the account, by its machine ID.
    Machine(MachineId),
    /// An agent in the console, by e-mail address.
    Agent(String),
    /// An integration using the support API for an agent, by the agent's e-mail address.
    Api(String),
}

impl Actor {
    pub fn parse(text: &str) -> Result<Actor, UnknownText> {
        if text == "anonymous" {
            return Ok(Actor::Anonymous);
        }
        let (kind, who) = text.split_once(':').ok_or_else(|| UnknownText {
            what: "actor",
            text: text.to_owned(),
        })?;
        let who = who.to_owned();
        match kind {
            "machine" => MachineId::parse(&who)
                .map(Actor::Machine)
                .ok_or(UnknownText {
                    what: "actor",
                    text: text.to_owned(),
                }),
            "agent" => Ok(Actor::Agent(who)),
            "api" => Ok(Actor::Api(who)),
            _ => Err(UnknownText {
                what: "actor",
                text: text.to_owned(),
            }),
        }
    }
}

/// The stored text.
impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Anonymous => f.write_str("anonymous"),
            Actor::Machine(id) => write!(f, "machine:{id}"),
            Actor::Agent(email) => write!(f, "agent:{email}"),
            Actor::Api(email) => write!(f, "api:{email}"),
        }
    }
}

impl TryFrom<String> for Actor {
    type Error = UnknownText;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Actor::parse(&text)
    }
}

/// Declares the actions with their stored text, once.
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// What happened to an account.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            pub const ALL: &[Action] = &[$(Action::$name,)*];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$name => $text,)*
                }
            }

            pub fn parse(text: &str) -> Result<Action, UnknownText> {
                match text {
                    $($text => Ok(Action::$name),)*
                    _ => Err(UnknownText { what: "action", text: text.to_owned() }),
                }
            }
        }
    };
}

actions! {
    AccountCreated = "account_created",
    /// Someone registered again with the address of an existing account.
    RegistrationForExistingAccount = "registration_for_existing_account",
    /// A password request from the app ("e-mail my password").
    PasswordRequested = "password_requested",
    /// A password request an agent sent from the console.
    PasswordSentBySupport = "password_sent_by_support",
    DetailsChanged = "details_changed",
    EmailChangeRequested = "email_change_requested",
    EmailChanged = "email_changed",
    EmailChangeCancelled = "email_change_cancelled",
    /// Too many wrong confirmation codes: the change is dropped.
    EmailChangeVoided = "email_change_voided",
    MachineLinked = "machine_linked",
    MachineMovedIn = "machine_moved_in",
    MachineMovedAway = "machine_moved_away",
    MachineUnlinked = "machine_unlinked",
    MachineUnlinkedBySupport = "machine_unlinked_by_support",
    /// A support call charged to the account's support time (stored text predates the
    /// glossary's "support call"; kept so the history needs no migration).
    SupportCallLogged = "support_session_logged",
    CreditAdded = "credit_added",
    EntryCorrected = "entry_corrected",
    NoteAdded = "note_added",
    EnrollmentKeyCreated = "enrollment_key_created",
    EnrollmentKeyRevoked = "enrollment_key_revoked",
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Action {
    type Error = UnknownText;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Action::parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_back_as_written() {
        for actor in [
            Actor::Anonymous,
            Actor::Machine(MachineId::parse("0123456789abcdef0123456789abcdef").unwrap()),
            Actor::Agent("a@b.fr".into()),
            Actor::Api("c@d.fr".into()),
        ] {
            assert_eq!(Actor::parse(&actor.to_string()).unwrap(), actor);
        }
        assert!(Actor::parse("robot:x").is_err());
        assert!(Actor::parse("someone").is_err());
    }

    #[test]
    fn actions_read_back_as_written() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()).unwrap(), *action);
        }
        assert!(Action::parse("machine_exploded").is_err());
    }
}
