//! What a limit is and how full it is: the data the storage counts attempts with. The
//! rules of who is limited how live in `crate::limits`, which builds on this.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

/// One counter: a rule and the key it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub rule: Rule,
    pub key: String,
}

impl Bucket {
    pub fn new(rule: Rule, key: impl std::fmt::Display) -> Self {
        Self {
            key: format!("{}:{key}", rule.name),
            rule,
        }
    }
}

/// Seconds until a full bucket has room again: `at_in_window` are the times of the
/// attempts it holds within its window, oldest first. `None` while it has room.
pub fn wait_for_room(rule: Rule, at_in_window: &[i64], now: i64) -> Option<i64> {
    let count = at_in_window.len() as i64;
    if count < rule.max {
        return None;
    }
    // Room comes back when enough of the oldest attempts have left the window.
    let freeing = at_in_window[(count - rule.max) as usize];
    Some((freeing + rule.window_seconds - now).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_waits_for_its_oldest_attempt_to_leave_the_window() {
        let rule = Rule {
            name: "t",
            max: 3,
            window_seconds: 100,
        };
        assert_eq!(wait_for_room(rule, &[10, 20], 50), None);
        assert_eq!(wait_for_room(rule, &[10, 20, 30], 50), Some(60));
        // Over the limit (a limit lowered since): wait until enough have left.
        assert_eq!(wait_for_room(rule, &[10, 20, 30, 40], 50), Some(70));
        assert_eq!(wait_for_room(rule, &[0, 0, 0], 100), Some(1));
    }
}
