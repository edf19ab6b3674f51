//! The service's figures for Prometheus: requests by route, the outbox, mail failures,
//! limit refusals and the password hasher's queue. Each `Application` has its own
//! registry (in `AppState`), so several services in one process keep their figures
//! apart. Served in the OpenMetrics text format, which Prometheus reads, on a listener of
//! its own (`metrics_listen`), never on the public one. It knows neither the routes nor
//! the storage: the router records requests, the scrape handler reads the outbox.

use std::{sync::Arc, time::Duration};

use axum::http::Method;

use prometheus_client::{
    encoding::{text, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::ConstGauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::{Registry, Unit},
};

/// Every series' name starts with this.
const PREFIX: &str = "account_server";

/// What a scrape answers with.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of a request: the route's template (`/api/v1/account`, never a URL with IDs;
/// `unmatched` when no route took it), its method and the answer's status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

/// What became of a mail whose delivery attempt failed.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum MailFailure {
    /// It stays in the outbox and is tried again (the mail server did not answer, or
    /// the body cannot be opened with this outbox key).
    Retry,
    /// Given up for good (refused by the mail server, or not a mail that can be built).
    Failed,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MailFailureLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    rule: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The service's figures; cheap to clone (one registry behind an `Arc`).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_duration: HistogramFamily<RouteLabels>,
    mail_failures: Family<MailFailureLabels, Counter>,
    limit_refusals: Family<LimitLabels, Counter>,
    hash_wait: Histogram,
}

/// Seconds, from 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let request_duration: HistogramFamily<RouteLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by route template and method",
            Unit::Seconds,
            request_duration.clone(),
        );
        let mail_failures = Family::<MailFailureLabels, Counter>::default();
        registry.register(
            "mail_failures",
            "Failed delivery attempts of outbox mail; kind retry: tried again later, \
             failed: given up for good",
            mail_failures.clone(),
        );
        let limit_refusals = Family::<LimitLabels, Counter>::default();
        registry.register(
            "limit_refusals",
            "Attempts refused by an attempt limit (answered 429), by the rule that was \
             full (an attempt refused by two full rules counts under both)",
            limit_refusals.clone(),
        );
        let hash_wait = latency_histogram();
        registry.register_with_unit(
            "password_hash_wait",
            "Time a password hash or check waited for the hasher (one fewer at once \
             than the cores, at least one)",
            Unit::Seconds,
            hash_wait.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            requests,
            request_duration,
            mail_failures,
            limit_refusals,
            hash_wait,
        }))
    }

    /// One answered request. `route` is the matched route's template.
    pub fn request(&self, route: &str, method: &Method, status: u16, took: Duration) {
        let method = method_label(method);
        self.0
            .requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method,
                status,
            })
            .inc();
        self.0
            .request_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method,
            })
            .observe(took.as_secs_f64());
    }

    pub fn mail_failure(&self, failure: MailFailure) {
        let kind = match failure {
            MailFailure::Retry => "retry",
            MailFailure::Failed => "failed",
        };
        self.0
            .mail_failures
            .get_or_create(&MailFailureLabels { kind })
            .inc();
    }

    /// An attempt refused by a limit, counted under each rule that was full (its name,
    /// never the bucket's key: keys hold addresses and networks).
    pub fn limit_refusal(&self, full_rules: &[&str]) {
        for rule in full_rules {
            self.0
                .limit_refusals
                .get_or_create(&LimitLabels {
                    rule: (*rule).to_owned(),
                })
                .inc();
        }
    }

    /// The histogram of the password hasher's queue wait, for the hasher to record in.
    pub fn password_hash_wait(&self) -> Histogram {
        self.0.hash_wait.clone()
    }

    /// Every figure in the OpenMetrics text format; `outbox` is what the database said
    /// at this scrape: mails waiting and the age in seconds of the oldest (`None` when
    /// the database did not answer: those series are then left out).
    pub fn encode(&self, outbox: Option<(i64, i64)>) -> String {
        let mut at_scrape = Registry::with_prefix(PREFIX);
        if let Some((waiting, oldest_age)) = outbox {
            at_scrape.register(
                "outbox_waiting_mails",
                "Mails in the outbox not yet sent nor failed (all instances together)",
                ConstGauge::new(waiting),
            );
            at_scrape.register_with_unit(
                "outbox_oldest_waiting_age",
                "Age of the oldest mail waiting in the outbox; 0 when none waits",
                Unit::Seconds,
                ConstGauge::new(oldest_age),
            );
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = text::encode_registry(&mut out, &self.0.registry);
        let _ = text::encode_registry(&mut out, &at_scrape);
        let _ = text::encode_eof(&mut out);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The usual methods by name; anything else is one label, so a caller cannot make up
/// series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_encoded_with_their_labels() {
        let metrics = Metrics::new();
        metrics.request(
            "/api/v1/account",
            &Method::GET,
            200,
            Duration::from_millis(3),
        );
        metrics.limit_refusal(&["pw-an", "pw-n"]);
        metrics.limit_refusal(&["pw-an"]);
        metrics.mail_failure(MailFailure::Retry);
        let text = metrics.encode(Some((2, 30)));
        for line in [
            "account_server_http_requests_total{route=\"/api/v1/account\",method=\"GET\",status=\"200\"} 1",
            "account_server_http_request_duration_seconds_count{route=\"/api/v1/account\",method=\"GET\"} 1",
            "account_server_limit_refusals_total{rule=\"pw-an\"} 2",
            "account_server_limit_refusals_total{rule=\"pw-n\"} 1",
            "account_server_mail_failures_total{kind=\"retry\"} 1",
            "account_server_outbox_waiting_mails 2",
            "account_server_outbox_oldest_waiting_age_seconds 30",
            "account_server_password_hash_wait_seconds_count 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
        assert!(!metrics.encode(None).contains("outbox_waiting"));
    }
}
