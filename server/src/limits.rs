//! Attempt limits: wrong passwords and password e-mails.
//!
//! Counters are keyed by account *and* client network, so one person's typos in an
//! office behind one NAT do not lock out their colleagues, with looser limits on the
//! account alone and on the network alone against wider guessing or flooding. The
//! counters live in the database, so every service instance shares them.

use crate::{error::ApiError, storage::Storage};

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

/// Wrong passwords for one account from one network.
pub const WRONG_PASSWORD_ACCOUNT_NETWORK: Rule = Rule {
    name: "pw-an",
    max: 5,
    window_seconds: 15 * 60,
};
/// Wrong passwords for one account from anywhere.
pub const WRONG_PASSWORD_ACCOUNT: Rule = Rule {
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

/// The buckets a wrong password counts in. `account` is the account's key (its
/// e-mail address when the caller gave one, so unknown and known addresses are alike).
pub fn wrong_password_buckets(account: &str, network: &str) -> [(Rule, String); 3] {
    [
        (
            WRONG_PASSWORD_ACCOUNT_NETWORK,
            format!(
                "{}:{account}|{network}",
                WRONG_PASSWORD_ACCOUNT_NETWORK.name
            ),
        ),
        (
            WRONG_PASSWORD_ACCOUNT,
            format!("{}:{account}", WRONG_PASSWORD_ACCOUNT.name),
        ),
        (
            WRONG_PASSWORD_NETWORK,
            format!("{}:{network}", WRONG_PASSWORD_NETWORK.name),
        ),
    ]
}

pub fn mail_buckets(address: &str, network: &str) -> [(Rule, String); 2] {
    [
        (MAIL_ADDRESS, format!("{}:{address}", MAIL_ADDRESS.name)),
        (MAIL_NETWORK, format!("{}:{network}", MAIL_NETWORK.name)),
    ]
}

/// Refuses with the longest wait among the buckets that are full.
pub async fn check(storage: &Storage, buckets: &[(Rule, String)]) -> Result<(), ApiError> {
    let now = crate::now();
    let mut wait = 0;
    for (rule, bucket) in buckets {
        let window_start = now - now.rem_euclid(rule.window_seconds);
        if storage.limit_count(bucket, window_start).await? >= rule.max {
            wait = wait.max(window_start + rule.window_seconds - now);
        }
    }
    if wait > 0 {
        Err(ApiError::RateLimited {
            retry_after_seconds: wait.max(1) as u64,
        })
    } else {
        Ok(())
    }
}

pub async fn record(storage: &Storage, buckets: &[(Rule, String)]) -> Result<(), ApiError> {
    let now = crate::now();
    for (rule, bucket) in buckets {
        let window_start = now - now.rem_euclid(rule.window_seconds);
        storage.limit_increment(bucket, window_start).await?;
    }
    Ok(())
}

/// Checks, then counts this attempt: for actions limited whether or not they succeed.
pub async fn check_and_record(
    storage: &Storage,
    buckets: &[(Rule, String)],
) -> Result<(), ApiError> {
    check(storage, buckets).await?;
    record(storage, buckets).await
}
