//! Attempt limits: wrong passwords, password e-mails, confirmation codes, console log-ins.
//!
//! Each limit counts attempts in a sliding window ("at most 5 in any 15 minutes"). An
//! attempt is *reserved* atomically before the check it guards — all of its buckets
//! counted and written in one transaction — so a burst of concurrent requests gets no
//! more checks than the limit allows, whichever service instance answers. A password
//! that turns out right gives its reservation back: only wrong ones count.
//!
//! Who is limited how (see README, "Rules worth knowing"):
//! - from a network the account knows (a link succeeded there, or a linked machine was
//!   seen there lately): per account and network, and per network;
//! - from any other network: the same, plus a cap per account over all such networks,
//!   so strangers' guesses stay few without locking the company out of its own offices;
//! - from a linked machine (edits and unlinks that ask for the password): per machine.

pub use crate::storage::attempts::{Bucket, Refusal, Rule};

use crate::{error::ApiError, metrics::Metrics, storage::Storage};

/// Wrong passwords for one account from one network.
pub const WRONG_PASSWORD_ACCOUNT_NETWORK: Rule = Rule {
    name: "pw-an",
    max: 5,
    window_seconds: 15 * 60,
};
/// Wrong passwords for one account from networks it does not know.
pub const WRONG_PASSWORD_ACCOUNT_STRANGERS: Rule = Rule {
    name: "pw-a",
    max: 30,
    window_seconds: 60 * 60,
};
/// Wrong passwords from one network, any account.
pub const WRONG_PASSWORD_NETWORK: Rule = Rule {
    name: "pw-n",
    max: 50,
    window_seconds: 60 * 60,
};
/// Wrong passwords typed on one linked machine.
pub const WRONG_PASSWORD_MACHINE: Rule = Rule {
    name: "pw-m",
    max: 5,
    window_seconds: 15 * 60,
};
/// Password e-mails to one address.
pub const MAIL_ADDRESS: Rule = Rule {
    name: "mail-a",
    max: 5,
    window_seconds: 60 * 60,
};
/// Password e-mails asked from one network.
pub const MAIL_NETWORK: Rule = Rule {
    name: "mail-n",
    max: 30,
    window_seconds: 60 * 60,
};
/// Wrong codes confirming a new e-mail address, per account.
pub const EMAIL_CODE_ACCOUNT: Rule = Rule {
    name: "code-a",
    max: 10,
    window_seconds: 60 * 60,
};
/// Wrong enrollment keys from one network (keys are 150 random bits: this stops
/// hammering, not a guess that could ever succeed). Only keys that match none count, so
/// a room of computers behind one address using a real key is never held back.
pub const WRONG_ENROLLMENT_KEY_NETWORK: Rule = Rule {
    name: "key-n",
    max: 10,
    window_seconds: 15 * 60,
};
/// How long a network where the account was used stays one of its own.
pub const KNOWN_NETWORK_DAYS: i64 = 60;

/// Where a typed password comes from, as the limits see it.
#[derive(Debug, Clone, Copy)]
pub enum PasswordSource<'a> {
    /// An anonymous request from `network`; `known` when the account knows that network.
    Network { network: &'a str, known: bool },
    /// A linked machine of the account (its token was checked).
    LinkedMachine { machine_id: &'a str },
}

/// The buckets a password attempt counts in. `account` is the account's key (the
/// e-mail address the caller gave, so unknown and known addresses are alike).
pub fn wrong_password_buckets(account: &str, source: PasswordSource<'_>) -> Vec<Bucket> {
    match source {
        PasswordSource::LinkedMachine { machine_id } => {
            vec![Bucket::new(
                WRONG_PASSWORD_MACHINE,
                format_args!("{account}|{machine_id}"),
            )]
        }
        PasswordSource::Network { network, known } => {
            let mut buckets = vec![
                Bucket::new(
                    WRONG_PASSWORD_ACCOUNT_NETWORK,
                    format_args!("{account}|{network}"),
                ),
                Bucket::new(WRONG_PASSWORD_NETWORK, network),
            ];
            if !known {
                buckets.push(Bucket::new(WRONG_PASSWORD_ACCOUNT_STRANGERS, account));
            }
            buckets
        }
    }
}

pub fn enrollment_key_buckets(network: &str) -> Vec<Bucket> {
    vec![Bucket::new(WRONG_ENROLLMENT_KEY_NETWORK, network)]
}

pub fn mail_buckets(address: &str, network: &str) -> Vec<Bucket> {
    vec![
        Bucket::new(MAIL_ADDRESS, address),
        Bucket::new(MAIL_NETWORK, network),
    ]
}

/// Attempts taken; kept (counted) unless given back.
#[must_use = "a reservation is either kept (the attempt counts) or refunded"]
#[derive(Debug)]
pub struct Reservation {
    ids: Vec<i64>,
}

impl Reservation {
    /// The attempt was not a failure (a right password): it does not count.
    pub async fn refund(self, storage: &Storage) -> Result<(), ApiError> {
        storage.refund_attempts(&self.ids).await?;
        Ok(())
    }

    /// The attempt counts (a wrong password, a mail sent).
    pub fn keep(self) {}
}

/// Takes one attempt in every bucket, or refuses with the longest wait among the
/// buckets that are full; all or nothing, in one transaction. A refusal is counted in
/// `metrics` under each full rule.
pub async fn reserve(
    storage: &Storage,
    metrics: &Metrics,
    buckets: &[Bucket],
) -> Result<Reservation, ApiError> {
    match storage.reserve_attempts(buckets, crate::now()).await? {
        Ok(ids) => Ok(Reservation { ids }),
        Err(refusal) => Err(refused(metrics, refusal)),
    }
}

/// The answer to an attempt refused by a full bucket, counted under its rules.
pub fn refused(metrics: &Metrics, refusal: Refusal) -> ApiError {
    metrics.limit_refusal(&refusal.full);
    ApiError::RateLimited {
        retry_after_seconds: refusal.wait.max(1) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strangers_count_against_the_account_and_the_company_does_not() {
        let stranger = wrong_password_buckets(
            "a@example.fr",
            PasswordSource::Network {
                network: "192.0.2.1",
                known: false,
            },
        );
        let office = wrong_password_buckets(
            "a@example.fr",
            PasswordSource::Network {
                network: "198.51.100.7",
                known: true,
            },
        );
        let machine = wrong_password_buckets(
            "a@example.fr",
            PasswordSource::LinkedMachine { machine_id: "m1" },
        );
        let account_wide = Bucket::new(WRONG_PASSWORD_ACCOUNT_STRANGERS, "a@example.fr");
        assert!(stranger.contains(&account_wide));
        assert!(!office.contains(&account_wide));
        assert!(!machine.contains(&account_wide));
        assert_eq!(machine.len(), 1);
    }
}
