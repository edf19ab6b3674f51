//! Enrollment keys: an administrator links many computers with one key instead of typing
//! the account password on each. Whoever holds the password (API), and support
//! administrators (console, support API), create them; a key is shown once and kept
//! hashed; each use is in the account's history, and the account's address gets one
//! digest mail per key and day of use, not one mail per computer.
//!
//! Knows neither the API routes nor the console: both call these functions.

use account_api::domain::Invalid;
use account_api::{
    error::FieldError,
    wire::{
        EnrollmentKeyCreated, EnrollmentKeyUse, EnrollmentKeyView, ENROLLMENT_KEY_DEFAULT_DAYS,
        ENROLLMENT_KEY_DEFAULT_USES, ENROLLMENT_KEY_LABEL_MAX, ENROLLMENT_KEY_MAX_DAYS,
        ENROLLMENT_KEY_MAX_USES,
    },
};

use crate::{
    accounts::customer_id,
    audit::{Action, Actor},
    mail::Templates,
    secrets::{enrollment_key_hash, generate_enrollment_key},
    storage::{AccountRow, EnrollmentKeyRow, NewEnrollmentKey, Storage, StorageError, Tx},
};

/// A key's label, number of uses and days of validity, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    pub label: String,
    pub uses: i64,
    pub valid_days: i64,
}

impl KeySpec {
    /// Every refused field at once (`label`, `uses`, `valid_days`).
    pub fn parse(
        label: &str,
        uses: Option<i64>,
        valid_days: Option<i64>,
    ) -> Result<KeySpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let label = label.trim();
        if label.is_empty() {
            errors.push(FieldError::new("label", Invalid::Empty));
        } else if label.chars().count() > ENROLLMENT_KEY_LABEL_MAX {
            errors.push(FieldError::new("label", Invalid::TooLong));
        } else if label.chars().any(char::is_control) {
            errors.push(FieldError::new("label", Invalid::ControlCharacters));
        }
        let uses = uses.unwrap_or(ENROLLMENT_KEY_DEFAULT_USES);
        if !(1..=ENROLLMENT_KEY_MAX_USES).contains(&uses) {
            errors.push(FieldError::new("uses", Invalid::OutOfRange));
        }
        let valid_days = valid_days.unwrap_or(ENROLLMENT_KEY_DEFAULT_DAYS);
        if !(1..=ENROLLMENT_KEY_MAX_DAYS).contains(&valid_days) {
            errors.push(FieldError::new("valid_days", Invalid::OutOfRange));
        }
        if errors.is_empty() {
            Ok(KeySpec {
                label: label.to_owned(),
                uses,
                valid_days,
            })
        } else {
            Err(errors)
        }
    }
}

/// Creates a key for `account` (in the caller's transaction): the key in clear, to show
/// once, and its entry in the list. A key made by support is a way into the account that its
/// owner did not make: the account's address is told at once.
pub async fn create(
    tx: &mut Tx,
    templates: &Templates,
    account: &AccountRow,
    spec: &KeySpec,
    by: &Actor,
    now: i64,
) -> Result<EnrollmentKeyCreated, StorageError> {
    let key = generate_enrollment_key();
    let hash = enrollment_key_hash(key.expose());
    let created_by = by.to_string();
    let row = tx
        .insert_enrollment_key(
            &NewEnrollmentKey {
                account_id: account.id,
                key_hash: &hash,
                label: &spec.label,
                uses: spec.uses,
                expires_at: now + spec.valid_days * 24 * 3600,
                created_by: &created_by,
            },
            now,
        )
        .await?;
    tx.audit(
        account.id,
        by,
        Action::EnrollmentKeyCreated,
        serde_json::json!({
            "key_id": row.id,
            "label": row.label,
            "uses": row.uses_allowed,
            "expires_at": crate::rfc3339(row.expires_at),
        }),
        now,
    )
    .await?;
    if matches!(by, Actor::Agent(_) | Actor::Api(_)) {
        let mail = templates.enrollment_key_made_by_support(
            &account.email,
            account.language,
            customer_id(account),
            &row.label,
            row.uses_allowed,
            &france_time(row.expires_at, "%d/%m/%Y %H:%M"),
        );
        tx.enqueue_mail(&mail, now).await?;
    }
    let created_by = creator_name(tx, &row.created_by).await?;
    Ok(EnrollmentKeyCreated {
        key: key.expose().to_owned(),
        enrollment_key: view(row, created_by, Vec::new(), now),
    })
}

/// Revokes one of `account`'s keys; `false` if it has no such key still in force.
pub async fn revoke(
    tx: &mut Tx,
    account: &AccountRow,
    key_id: i64,
    by: &Actor,
    now: i64,
) -> Result<bool, StorageError> {
    let key = tx
        .enrollment_key_by_id(key_id)
        .await?
        .filter(|k| k.account_id == account.id);
    let Some(key) = key else {
        return Ok(false);
    };
    if !tx.revoke_enrollment_key(account.id, key_id, now).await? {
        return Ok(false);
    }
    tx.audit(
        account.id,
        by,
        Action::EnrollmentKeyRevoked,
        serde_json::json!({ "key_id": key.id, "label": key.label }),
        now,
    )
    .await?;
    Ok(true)
}

/// The account's keys as listed, newest first, each with the computers it linked.
pub async fn views(
    tx: &mut Tx,
    account: &AccountRow,
    now: i64,
) -> Result<Vec<EnrollmentKeyView>, StorageError> {
    let keys = tx.enrollment_keys(account.id).await?;
    let uses = tx.enrollment_key_uses(account.id).await?;
    let mut views = Vec::with_capacity(keys.len());
    for key in keys {
        let created_by = creator_name(tx, &key.created_by).await?;
        let its_uses = uses
            .iter()
            .filter(|u| u.key_id == key.id)
            .map(|u| EnrollmentKeyUse {
                at: crate::rfc3339(u.at),
                machine_id: u.machine_id.clone(),
                machine_name: u.machine_name.clone(),
            })
            .collect();
        views.push(view(key, created_by, its_uses, now));
    }
    Ok(views)
}

fn view(
    key: EnrollmentKeyRow,
    created_by: String,
    uses: Vec<EnrollmentKeyUse>,
    now: i64,
) -> EnrollmentKeyView {
    EnrollmentKeyView {
        id: key.id,
        status: status(&key, now).to_owned(),
        label: key.label,
        uses_allowed: key.uses_allowed,
        uses_left: key.uses_left,
        created_at: crate::rfc3339(key.created_at),
        expires_at: crate::rfc3339(key.expires_at),
        created_by,
        uses,
    }
}

/// `active`, `revoked`, `expired` or `used_up` (in that order of precedence after active).
pub fn status(key: &EnrollmentKeyRow, now: i64) -> &'static str {
    if key.revoked_at.is_some() {
        "revoked"
    } else if key.expires_at <= now {
        "expired"
    } else if key.uses_left == 0 {
        "used_up"
    } else {
        "active"
    }
}

/// Who created a key, as the list shows it: the computer's name, or "support".
async fn creator_name(tx: &mut Tx, stored: &str) -> Result<String, StorageError> {
    Ok(match Actor::parse(stored) {
        Ok(Actor::Machine(id)) => tx
            .machine_by_id(&id)
            .await?
            .map_or_else(|| id.to_string(), |m| m.name),
        Ok(Actor::Agent(_) | Actor::Api(_)) => "support".to_owned(),
        Ok(Actor::Anonymous) | Err(_) => String::new(),
    })
}

/// The day in France (where the customers are) of a Unix time: digests cover one such day.
pub fn france_day(unix: i64) -> String {
    france_time(unix, "%Y-%m-%d")
}

/// A time of day in France, for the digest mail.
fn france_time(unix: i64, format: &str) -> String {
    let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(unix)
        .map(|ts| ts.to_zoned(zone).strftime(format).to_string())
        .unwrap_or_default()
}

/// Digests of days before this many are not sent late.
const DIGEST_DAYS_KEPT: i64 = 7;

/// Enqueues the digest of every key's finished day of use not mailed yet: one mail per
/// key and day, listing the computers it linked. Each in its own write transaction, which
/// marks it sent, so two instances never mail the same digest. The number enqueued.
pub async fn enqueue_due_digests(
    storage: &Storage,
    templates: &Templates,
    now: i64,
) -> Result<usize, StorageError> {
    let today = france_day(now);
    let oldest = france_day(now - DIGEST_DAYS_KEPT * 24 * 3600);
    let mut tx = storage.read().await?;
    let due = tx.digests_due(&today, &oldest).await?;
    tx.commit().await?;
    let mut enqueued = 0;
    for (key_id, day) in due {
        let mut tx = storage.write().await?;
        if !tx.mark_digest_sent(key_id, &day, now).await? {
            continue;
        }
        let Some(key) = tx.enrollment_key_by_id(key_id).await? else {
            continue;
        };
        let Some(account) = tx.account_by_id(key.account_id).await? else {
            continue;
        };
        let uses: Vec<(String, String)> = tx
            .enrollment_key_uses_on(key_id, &day)
            .await?
            .into_iter()
            .map(|u| (france_time(u.at, "%H:%M"), u.machine_name))
            .collect();
        let mail = templates.enrollment_key_digest(
            &account.email,
            account.language,
            customer_id(&account),
            &key.label,
            &day,
            &uses,
            key.uses_left,
        );
        tx.enqueue_mail(&mail, now).await?;
        tx.commit().await?;
        enqueued += 1;
    }
    Ok(enqueued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_spec_has_defaults_and_refuses_every_bad_field_at_once() {
        let spec = KeySpec::parse("  Salle de formation ", None, None).unwrap();
        assert_eq!(
            spec,
            KeySpec {
                label: "Salle de formation".into(),
                uses: 10,
                valid_days: 7
            }
        );
        let errors = KeySpec::parse(" ", Some(0), Some(91)).unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("label", "empty"),
                ("uses", "out_of_range"),
                ("valid_days", "out_of_range")
            ]
        );
        assert!(KeySpec::parse(&"x".repeat(61), None, None).is_err());
        assert!(KeySpec::parse("a\tb", None, None).is_err());
        assert!(KeySpec::parse("ok", Some(500), Some(90)).is_ok());
    }

    #[test]
    fn days_are_french_days() {
        // 2026-06-30 22:30 UTC is already 1 July in Paris (summer time).
        assert_eq!(france_day(1_782_858_600), "2026-07-01");
        assert_eq!(france_time(1_782_858_600, "%H:%M"), "00:30");
    }
}
