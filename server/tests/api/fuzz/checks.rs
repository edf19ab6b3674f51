//! What every answer must be, and the report of the ones that are not.

use std::{collections::BTreeMap, time::Instant};

use super::{
    case::{Case, Surface},
    http::{cut, Request, Response},
};

struct Failure {
    route: String,
    what: String,
    kind: String,
    /// What is wrong with the answer.
    detail: &'static str,
    /// The answer's body without the values that vary from case to case, to group by.
    answer: String,
    request: String,
}

pub(super) struct Report {
    name: &'static str,
    seed: u64,
    sent: usize,
    statuses: BTreeMap<u16, usize>,
    /// Per route, for `FUZZ_VERBOSE=1`: what the cases reached.
    route_statuses: BTreeMap<String, BTreeMap<u16, usize>>,
    failures: Vec<Failure>,
}

impl Report {
    pub(super) fn new(name: &'static str, seed: u64) -> Self {
        Self {
            name,
            seed,
            sent: 0,
            statuses: BTreeMap::new(),
            route_statuses: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    pub(super) fn record(
        &mut self,
        case: &Case,
        request: &Request,
        outcome: &Result<Response, String>,
    ) {
        self.sent += 1;
        let problem = match outcome {
            Err(error) => Some(("no answer".to_owned(), "no answer", error.clone())),
            Ok(response) => {
                *self.statuses.entry(response.status).or_default() += 1;
                *self
                    .route_statuses
                    .entry(case.route.clone())
                    .or_default()
                    .entry(response.status)
                    .or_default() += 1;
                check(case.surface, response).err().map(|detail| {
                    (
                        format!("{} {}", response.status, response.content_type()),
                        detail,
                        without_values(&response.text()),
                    )
                })
            }
        };
        if let Some((kind, detail, answer)) = problem {
            self.failures.push(Failure {
                route: case.route.clone(),
                what: case.what.clone(),
                kind,
                answer,
                detail,
                request: request.describe(),
            });
        }
    }

    pub(super) fn finish(self, started: Instant) {
        eprintln!(
            "{} fuzzing: {} requests in {:.1} s, seed {} (FUZZ_SEED={} replays it); statuses {:?}",
            self.name,
            self.sent,
            started.elapsed().as_secs_f64(),
            self.seed,
            self.seed,
            self.statuses
        );
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            for (route, statuses) in &self.route_statuses {
                eprintln!("  {route}: {statuses:?}");
            }
        }
        if self.failures.is_empty() {
            return;
        }
        // Per route and kind of wrong answer, one example of each distinct answer.
        let mut groups: BTreeMap<(String, String), Vec<&Failure>> = BTreeMap::new();
        for failure in &self.failures {
            groups
                .entry((failure.route.clone(), failure.kind.clone()))
                .or_default()
                .push(failure);
        }
        let mut message = format!(
            "{} of {} {} requests got a wrong answer (seed {}):\n",
            self.failures.len(),
            self.sent,
            self.name,
            self.seed
        );
        for ((route, kind), failures) in &groups {
            message.push_str(&format!("\n  {route}: {kind} ×{}\n", failures.len()));
            let mut answers: BTreeMap<&str, Vec<&Failure>> = BTreeMap::new();
            for failure in failures {
                answers.entry(&failure.answer).or_default().push(failure);
            }
            for (answer, examples) in answers.iter().take(4) {
                let whats: Vec<&str> = examples.iter().take(4).map(|f| f.what.as_str()).collect();
                message.push_str(&format!(
                    "    ×{} {}: {answer:?}\n      for {}\n      e.g. {}\n",
                    examples.len(),
                    examples[0].detail,
                    whats.join(" | "),
                    examples[0].request.replace('\n', "\n  "),
                ));
            }
            if answers.len() > 4 {
                message.push_str(&format!("    and {} other answers\n", answers.len() - 4));
            }
        }
        panic!("{message}");
    }
}

/// A rejection's text with the values it quotes masked: "Cannot parse value at index 1
/// with value `abc` to a `i64`" and the same for `x` are one kind of answer.
fn without_values(detail: &str) -> String {
    let mut out = String::new();
    let mut rest = detail;
    while let Some(at) = rest.find("value `") {
        out.push_str(&rest[..at + "value `".len()]);
        rest = &rest[at + "value `".len()..];
        match rest.find('`') {
            Some(end) => {
                out.push('*');
                rest = &rest[end..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    // "at index 1", "at index 2": the same answer.
    let mut masked = String::new();
    let mut words = out.split(' ').peekable();
    while let Some(word) = words.next() {
        masked.push_str(word);
        if word == "index" {
            if let Some(next) = words.peek_mut() {
                let digits = next.trim_start_matches(|c: char| c.is_ascii_digit());
                if digits.len() < next.len() {
                    *next = "*";
                }
            }
        }
        if words.peek().is_some() {
            masked.push(' ');
        }
    }
    cut(masked.as_bytes(), 200)
}

/// `Ok` when the answer is one the route may give to any input; otherwise what is wrong
/// with it (its body is shown beside).
fn check(surface: Surface, response: &Response) -> Result<(), &'static str> {
    let status = response.status;
    if status >= 500 {
        return Err("a server error");
    }
    if status < 400 {
        return Ok(());
    }
    let content_type = response.content_type();
    if content_type.starts_with("application/json") {
        return match response.json() {
            Some(body) if body["code"].is_string() => Ok(()),
            Some(_) => Err("JSON without a string `code`"),
            None => Err("says JSON but is not"),
        };
    }
    let page = response.text();
    let says_what = page.contains("id=\"problem\"") || page.contains("field-error");
    match surface {
        Surface::Console if content_type.starts_with("text/html") && says_what => Ok(()),
        Surface::Console => Err("neither an error page nor the JSON error"),
        Surface::Api => Err("not the JSON error"),
    }
}
