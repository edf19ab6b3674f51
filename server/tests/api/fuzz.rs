//! Arbitrary input on every route. Whatever bytes come in a path segment, a query
//! parameter, a body field or a header, the service answers without a 5xx; every API
//! rejection is the JSON error with a string `code`; every console rejection is a page
//! that says what went wrong (or that JSON error); and the service is healthy after.
//!
//! The API cases are generated from the OpenAPI document the running service serves,
//! plus any route of `api_paths()` it does not describe. The console is not in that
//! document: its routes are listed here. Everything random comes from one seeded RNG;
//! the seed is printed with the results, and `FUZZ_SEED=<n>` replays a run.
//!
//! Requests go out through a raw HTTP/1.1 client: a `..` segment, an invalid escape or
//! a non-ASCII header reaches the service exactly as sent (an HTTP library would
//! normalise or refuse them). Each case comes from its own loopback address, so the
//! attempt limits let most of them through to the checks behind; 429s are expected.

use std::{
    collections::BTreeMap,
    net::{Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

use account_server::{
    secrets::{token_hash, ApiToken, ClearPassword, PasswordHasher},
    storage::Storage,
};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use serde_json::{json, Map, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpSocket,
};

use crate::helpers::{database_path, machine, spawn_app, TestApp};

const DEFAULT_SEED: u64 = 20_260_601;

/// The address the test's own requests (set-up, re-links, checks) come from; the cases
/// come from elsewhere in 127/8, so their failed attempts never limit these.
const HOME: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

// --- the tests -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_input_on_every_api_route_gets_json_rejections_and_no_5xx() {
    let started = Instant::now();
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let app = spawn_app().await;
    let mut world = World::set_up(&app).await;

    let doc = send(
        world.server,
        &Request::new("GET", "/api/v1/openapi.json", HOME),
    )
    .await
    .expect("the document");
    assert_eq!(doc.status, 200);
    let doc: Value = serde_json::from_slice(&doc.body).expect("the document is JSON");
    let mut operations = operations(&doc);
    for op in &mut operations {
        if !op.documented && op.schema.is_some() {
            op.schema = Some(world.guess_schema(op).await);
        }
    }

    let mut cases = Vec::new();
    for op in &operations {
        cases.extend(api_cases(op, &world, &mut rng));
    }
    cases.extend(method_cases(&operations, &mut rng));
    cases.extend(stray_path_cases(&mut rng));
    // Wrong passwords fill the attempt limits: sent last, they hide nothing else.
    cases.sort_by_key(|c| c.late);

    let mut report = Report::new("API", seed);
    for case in &cases {
        let request = world.materialize(case);
        let outcome = send(world.server, &request).await;
        report.record(case, &request, &outcome);
        if let Ok(response) = &outcome {
            world.after(case, response).await;
        }
    }

    report.finish(started);

    // Still healthy, and still serving: the account, the support API, a registration.
    let ready = send(world.server, &Request::new("GET", "/health/ready", HOME))
        .await
        .expect("/health/ready answers");
    assert_eq!(ready.status, 200, "/health/ready: {}", ready.text());
    world.ensure_linked().await;
    let account = app.account(&world.token).await;
    assert_eq!(account.status(), 200, "the account after the fuzzing");
    let found = app
        .client
        .get(app.url(&format!("/api/v1/support/accounts?q={}", world.customer_id)))
        .bearer_auth(&world.support_token)
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200, "a support search after the fuzzing");
    let registered = app
        .register(&crate::helpers::registration("after-fuzz@example.fr"))
        .await;
    assert_eq!(registered.status(), 202, "a registration after the fuzzing");
}

/// The console routes fuzzed below are exactly the ones its router serves (the router's
/// own table), so a new page cannot escape the fuzzing.
#[test]
fn the_fuzzed_console_routes_are_the_served_ones() {
    let mut fuzzed: Vec<(&str, &str)> = CONSOLE_ROUTES
        .iter()
        .map(|r| (r.method, r.template))
        .collect();
    let mut served = account_server::console::console_paths();
    fuzzed.sort();
    served.sort();
    assert_eq!(fuzzed, served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_input_on_every_console_route_gets_an_error_page_and_no_5xx() {
    let started = Instant::now();
    let seed = seed();
    // Not the API test's sequence of values.
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC0_4507E);
    let app = spawn_app().await;
    let mut world = World::set_up(&app).await;
    world.console_set_up(&app).await;

    let mut cases = Vec::new();
    for route in CONSOLE_ROUTES {
        for logged_in in [true, false] {
            cases.extend(console_cases(route, logged_in, &world, &mut rng));
        }
    }
    cases.sort_by_key(|c| c.late);

    let mut report = Report::new("console", seed);
    for case in &cases {
        let request = world.materialize(case);
        let outcome = send(world.server, &request).await;
        report.record(case, &request, &outcome);
        if let Ok(response) = &outcome {
            world.after(case, response).await;
        }
    }

    report.finish(started);

    // Still healthy, and the agent still works.
    let ready = send(world.server, &Request::new("GET", "/health/ready", HOME))
        .await
        .expect("/health/ready answers");
    assert_eq!(ready.status, 200, "/health/ready: {}", ready.text());
    world.ensure_console_session().await;
    let page = send(
        world.server,
        &Request::new(
            "GET",
            format!("/console/accounts/{}", world.customer_id),
            HOME,
        )
        .header("cookie", world.console_cookies(true)),
    )
    .await
    .expect("the account page answers");
    assert_eq!(page.status, 200, "the account page after the fuzzing");
}

// --- a raw HTTP/1.1 client ---------------------------------------------------------------

#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// The request target as sent: ASCII, percent-encoded by the case.
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    from: Ipv4Addr,
}

impl Request {
    fn new(method: &str, target: impl Into<String>, from: Ipv4Addr) -> Self {
        Self {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            from,
        }
    }

    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    fn body(mut self, content_type: Option<&[u8]>, body: Vec<u8>) -> Self {
        if let Some(content_type) = content_type {
            self = self.header("content-type", content_type);
        }
        self.body = body;
        self
    }

    /// As shown in a failure: long parts cut short, bytes escaped.
    fn describe(&self) -> String {
        let mut out = format!(
            "{} {} (from {})",
            self.method,
            cut(self.target.as_bytes(), 300),
            self.from
        );
        for (name, value) in &self.headers {
            out.push_str(&format!("\n      {name}: {}", cut(value, 200)));
        }
        if !self.body.is_empty() {
            out.push_str(&format!(
                "\n      body ({} bytes): {}",
                self.body.len(),
                cut(&self.body, 400)
            ));
        }
        out
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `name=value` of the cookie this answer sets, if it sets one.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

async fn send(server: SocketAddr, request: &Request) -> Result<Response, String> {
    let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    socket
        .bind(SocketAddr::from((request.from, 0)))
        .map_err(|e| format!("bind {}: {e}", request.from))?;
    let stream = socket
        .connect(server)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {server}\r\nconnection: close\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    if !request.body.is_empty() || matches!(request.method.as_str(), "POST" | "PUT" | "PATCH") {
        head.extend_from_slice(format!("content-length: {}\r\n", request.body.len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(&request.body);

    let (mut reader, mut writer) = stream.into_split();
    // Written beside the reading, so a service that answers before reading a large body
    // leaves nobody waiting. The write half stays open until the answer is read: closing
    // it would end the request for the service.
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&head).await;
        writer
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    if read.is_err() {
        writing.abort();
    }
    drop(writing.await);
    match read {
        Err(_) => return Err("no answer within 30 s".into()),
        // A reset after the answer (the service did not read all of a large body).
        Ok(Err(e)) if find(&raw, b"\r\n\r\n").is_none() => {
            return Err(format!("connection failed before an answer: {e}"))
        }
        _ => {}
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let end =
        find(raw, b"\r\n\r\n").ok_or_else(|| format!("no complete answer: {}", cut(raw, 200)))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line: {}", cut(raw, 200)))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body);
    } else if let Some(length) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(length);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(data, b"\r\n") {
        let size = std::str::from_utf8(&data[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(data.len());
        out.extend_from_slice(&data[start..stop]);
        data = &data[(stop + 2).min(data.len())..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Bytes shown readably: printable ASCII as is, the rest escaped, cut at `max`.
fn cut(bytes: &[u8], max: usize) -> String {
    let shown: String = bytes
        .iter()
        .take(max)
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if bytes.len() > max {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// Every byte but the unreserved ones percent-encoded.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

// --- cases and what is expected of their answers ---------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    /// The JSON API: every rejection is the JSON error.
    Api,
    /// Pages for browsers: a rejection is a page saying what went wrong, or the JSON error.
    Console,
}

/// What the `Authorization` or `Cookie` header of a case holds, resolved when it is sent
/// (tokens and log-ins are renewed when a case ends them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Anonymous,
    Machine,
    Support,
}

#[derive(Debug, Clone)]
enum Credentials {
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
enum Effect {
    None,
    /// May unlink or relink the test's machine.
    Link,
    /// May save the account (its version moves on).
    Edit,
    /// May end the console log-in.
    Session,
    /// May unlink the account's other machine.
    OtherMachine,
}

#[derive(Debug, Clone)]
struct Case {
    /// The route, for grouping failures: "POST /api/v1/accounts".
    route: String,
    /// What this case varies.
    what: String,
    request: Request,
    credentials: Credentials,
    surface: Surface,
    effect: Effect,
    /// Sent after the others (wrong passwords, which fill the attempt limits).
    late: bool,
}

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

struct Report {
    name: &'static str,
    seed: u64,
    sent: usize,
    statuses: BTreeMap<u16, usize>,
    /// Per route, for `FUZZ_VERBOSE=1`: what the cases reached.
    route_statuses: BTreeMap<String, BTreeMap<u16, usize>>,
    failures: Vec<Failure>,
}

impl Report {
    fn new(name: &'static str, seed: u64) -> Self {
        Self {
            name,
            seed,
            sent: 0,
            statuses: BTreeMap::new(),
            route_statuses: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    fn record(&mut self, case: &Case, request: &Request, outcome: &Result<Response, String>) {
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

    fn finish(self, started: Instant) {
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

// --- the service's state, as the cases need it -----------------------------------------

/// Markers in a case's target or body, replaced when it is sent.
const VERSION: &str = "@@version@@";
const SESSION_CSRF: &str = "@@csrf@@";
const LOGIN_CSRF: &str = "@@login-csrf@@";
const OTHER_MACHINE: &str = "@@other-machine@@";

struct World {
    server: SocketAddr,
    client: reqwest::Client,
    base: String,
    email: String,
    password: String,
    /// The machine token of `machine(1)`, renewed when a case unlinks or relinks it.
    token: String,
    /// Another machine of the account (the one the unlink routes may name).
    other_machine_id: String,
    customer_id: String,
    version: i64,
    support_token: String,
    entry_id: i64,
    // The console.
    agent_email: String,
    agent_password: String,
    session_cookie: String,
    session_csrf: String,
    login_cookie: String,
    login_csrf: String,
}

impl World {
    async fn set_up(app: &TestApp) -> Self {
        let server: SocketAddr = app
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("the service's address");
        let email = "fuzz-owner@example.fr".to_owned();
        let (password, link) = app.linked(&email, &machine(1)).await;
        let other = app.link_ok(&email, &password, &machine(2), None).await;
        let support_token = support_token(app).await;
        let customer_id = link.account.customer_id.clone();
        // A ledger entry, for the routes that name one.
        let logged: Value = app
            .client
            .post(app.url(&format!(
                "/api/v1/support/accounts/{customer_id}/support-calls"
            )))
            .bearer_auth(&support_token)
            .json(&json!({ "minutes": 20, "note": "fuzz" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let entry_id = logged["entry"]["id"]
            .as_i64()
            .expect("a logged support call");
        let version = app.account_view(&link.token).await.version;
        Self {
            server,
            client: app.client.clone(),
            base: app.address.clone(),
            email,
            password,
            token: link.token,
            other_machine_id: other.machine_id,
            customer_id,
            version,
            support_token,
            entry_id,
            agent_email: "fuzz-admin@vendor.test".to_owned(),
            agent_password: "fuzz admin password 2026".to_owned(),
            session_cookie: String::new(),
            session_csrf: String::new(),
            login_cookie: String::new(),
            login_csrf: String::new(),
        }
    }

    /// An admin agent (every console page is open to it), logged in.
    async fn console_set_up(&mut self, app: &TestApp) {
        let storage = Storage::connect(&format!("sqlite://{}", database_path(&app.data).display()))
            .await
            .unwrap();
        let hash = PasswordHasher::new()
            .hash(&ClearPassword::typed(self.agent_password.clone()))
            .await
            .unwrap();
        let mut tx = storage.write().await.unwrap();
        tx.insert_agent(&self.agent_email, "Fuzz Admin", "admin", &hash, "en", 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        storage.close().await;
        let (cookie, csrf) = self.login_form().await;
        self.login_cookie = cookie;
        self.login_csrf = csrf;
        self.console_log_in().await;
    }

    /// The log-in form's double-submit cookie and token.
    async fn login_form(&self) -> (String, String) {
        let page = send(self.server, &Request::new("GET", "/console/login", HOME))
            .await
            .expect("the log-in page");
        let cookie = page
            .cookie("console_login")
            .expect("the log-in form's cookie");
        (cookie, hidden_csrf(&page.text()))
    }

    async fn console_log_in(&mut self) {
        let (cookie, csrf) = self.login_form().await;
        let form = format!(
            "csrf={csrf}&email={}&password={}",
            encode(self.agent_email.as_bytes()),
            encode(self.agent_password.as_bytes())
        );
        let response = send(
            self.server,
            &Request::new("POST", "/console/login", HOME)
                .header("cookie", cookie)
                .body(
                    Some(b"application/x-www-form-urlencoded"),
                    form.into_bytes(),
                ),
        )
        .await
        .expect("the log-in answers");
        assert_eq!(response.status, 303, "log-in: {}", response.text());
        self.session_cookie = response
            .cookie("console_session")
            .expect("a session cookie");
        let home = send(
            self.server,
            &Request::new("GET", "/console/", HOME).header("cookie", &self.session_cookie),
        )
        .await
        .expect("the console's home page");
        assert_eq!(home.status, 200);
        self.session_csrf = hidden_csrf(&home.text());
    }

    async fn ensure_console_session(&mut self) {
        let home = send(
            self.server,
            &Request::new("GET", "/console/", HOME).header("cookie", &self.session_cookie),
        )
        .await
        .expect("the console's home page");
        if home.status != 200 {
            self.console_log_in().await;
        }
    }

    fn console_cookies(&self, logged_in: bool) -> String {
        if logged_in {
            format!("{}; {}", self.login_cookie, self.session_cookie)
        } else {
            self.login_cookie.clone()
        }
    }

    /// Links `machine(1)` again if a case unlinked it or replaced its token.
    async fn ensure_linked(&mut self) {
        let response = self
            .client
            .get(format!("{}/api/v1/account", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            let view: Value = response.json().await.unwrap();
            self.version = view["version"].as_i64().unwrap_or(self.version);
            return;
        }
        let response = self
            .client
            .post(format!("{}/api/v1/links", self.base))
            .json(&json!({
                "email": self.email,
                "password": self.password,
                "machine": machine(1),
            }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "linking the test's machine again: {body}");
        self.token = body["token"].as_str().unwrap().to_owned();
        self.version = body["account"]["version"].as_i64().unwrap();
    }

    /// Links `machine(2)` again if a case unlinked it.
    async fn ensure_other_machine(&mut self) {
        let response = self
            .client
            .post(format!("{}/api/v1/links", self.base))
            .json(&json!({
                "email": self.email,
                "password": self.password,
                "machine": machine(2),
            }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "linking the other machine again: {body}");
        self.other_machine_id = body["machine_id"].as_str().unwrap().to_owned();
        // Linking may have replaced the token of `machine(1)` too, if they matched.
        self.ensure_linked().await;
    }

    /// What a case changed that the next ones need to know.
    async fn after(&mut self, case: &Case, response: &Response) {
        let succeeded = (200..300).contains(&response.status);
        match case.effect {
            Effect::None => {}
            Effect::Link if succeeded => self.ensure_linked().await,
            Effect::Link => {}
            Effect::Edit => {
                if let Some(version) = response
                    .json()
                    .filter(|_| succeeded)
                    .and_then(|v| v["version"].as_i64())
                {
                    self.version = version;
                }
            }
            Effect::OtherMachine if succeeded => self.ensure_other_machine().await,
            Effect::OtherMachine => {}
            Effect::Session => {
                if matches!(case.credentials, Credentials::Console { logged_in: true })
                    && response.status < 400
                {
                    self.ensure_console_session().await;
                }
            }
        }
    }

    /// The request of `case`, with the credentials and markers of now.
    fn materialize(&self, case: &Case) -> Request {
        let mut request = case.request.clone();
        let markers: [(&str, String); 4] = [
            (VERSION, self.version.to_string()),
            (OTHER_MACHINE, self.other_machine_id.clone()),
            (SESSION_CSRF, self.session_csrf.clone()),
            (LOGIN_CSRF, self.login_csrf.clone()),
        ];
        for (marker, value) in &markers {
            // A JSON string marker becomes the bare number.
            request.body = replace(
                &request.body,
                format!("\"{marker}\"").as_bytes(),
                value.as_bytes(),
            );
            request.body = replace(&request.body, marker.as_bytes(), value.as_bytes());
            request.target = request.target.replace(marker, value);
        }
        let bearer = |auth: Auth| -> Vec<u8> {
            let token = match auth {
                Auth::Machine => self.token.as_str(),
                Auth::Support => self.support_token.as_str(),
                Auth::Anonymous => "",
            };
            format!("Bearer {token}").into_bytes()
        };
        match &case.credentials {
            Credentials::None | Credentials::Valid(Auth::Anonymous) => {}
            Credentials::Valid(auth) => request = request.header("authorization", bearer(*auth)),
            Credentials::ValidThen(auth, suffix) => {
                let mut value = bearer(*auth);
                value.extend_from_slice(suffix);
                request = request.header("authorization", value);
            }
            Credentials::ValidTwice(auth, second) => {
                request = request
                    .header("authorization", bearer(*auth))
                    .header("authorization", second);
            }
            Credentials::Raw(value) => request = request.header("authorization", value),
            Credentials::Console { logged_in } => {
                request = request.header("cookie", self.console_cookies(*logged_in))
            }
        }
        request
    }

    /// A plausible value for a field or parameter called `name`, so that the others get
    /// past validation and authentication while one of them is hostile.
    fn good(&self, name: &str, op_template: &str) -> Option<Value> {
        let registering = op_template == "/api/v1/accounts";
        Some(match name {
            "email" if registering => json!("fuzz-register@example.fr"),
            "email" => json!(self.email),
            "password" => json!(self.password),
            "company_name" => json!("Fuzz Bâtiment SARL"),
            "contact_first_name" => json!("Marie"),
            "contact_last_name" => json!("Dupont"),
            "phone" => json!("01 23 45 67 89"),
            "siret" => json!("732 829 320 00074"),
            "street" => json!("12 rue des Lilas"),
            "postal_code" => json!("75011"),
            "city" => json!("Paris"),
            "country" => json!("FR"),
            "language" => json!("fr"),
            "fingerprint" => json!("9f".repeat(32)),
            "name" => json!("POSTE-FUZZ"),
            "os" => json!("Windows 11 Pro 23H2"),
            "app_version" => json!("1.0.0"),
            "machine_id" => Value::Null,
            "move_machine" => json!(false),
            "version" => json!(VERSION),
            "minutes" => json!(15),
            "note" => json!("fuzz"),
            "code" => json!("123456"),
            "q" => json!(self.customer_id),
            _ => return None,
        })
    }

    /// The value of a path parameter that names something that exists.
    fn valid_param(&self, name: &str) -> String {
        match name {
            "customer_id" => self.customer_id.clone(),
            "machine_id" => OTHER_MACHINE.to_owned(),
            "entry_id" => self.entry_id.to_string(),
            _ => "1".to_owned(),
        }
    }

    /// A route the document does not describe: its body's fields as its own answers
    /// name them ("missing field `code`"), strings until they say otherwise.
    async fn guess_schema(&self, op: &Operation) -> Value {
        let mut properties = Map::new();
        for _ in 0..10 {
            let body: Map<String, Value> = properties
                .keys()
                .map(|k| {
                    (
                        k.clone(),
                        self.good(k, &op.template).unwrap_or(json!("fuzz")),
                    )
                })
                .collect();
            let target = fill_template(&op.template, &|name| self.valid_param(name));
            let request = Request::new(&op.method, target, HOME)
                .header("authorization", format!("Bearer {}", self.token))
                .body(
                    Some(b"application/json"),
                    serde_json::to_vec(&Value::Object(body)).unwrap(),
                );
            let Ok(response) = send(self.server, &request).await else {
                break;
            };
            let message = response
                .json()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let Some(field) = message
                .split("missing field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
            else {
                break;
            };
            if properties.contains_key(field) {
                break;
            }
            properties.insert(field.to_owned(), json!({ "type": "string" }));
        }
        json!({ "type": "object", "properties": properties })
    }
}

fn hidden_csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token in the page")
        .to_owned()
}

/// An agent and an API token for it, straight through the storage layer.
async fn support_token(app: &TestApp) -> String {
    let storage = Storage::connect(&format!("sqlite://{}", database_path(&app.data).display()))
        .await
        .unwrap();
    let token = ApiToken::generate();
    let mut tx = storage.write().await.unwrap();
    let agent = tx
        .insert_agent(
            "fuzz-integration@vendor.test",
            "Fuzz Integration",
            "agent",
            "$argon2id$unused",
            "fr",
            1_700_000_000,
        )
        .await
        .unwrap();
    tx.insert_api_token(&token_hash(token.expose()), agent, "fuzz", 1_700_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    storage.close().await;
    token.into_inner()
}

// --- the API's operations, from its OpenAPI document ------------------------------------

#[derive(Debug)]
struct Operation {
    /// Upper case, as sent.
    method: String,
    template: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    /// The request body's schema, `$ref`s resolved.
    schema: Option<Value>,
    /// The credentials it takes (`Anonymous` when none, or when they are optional).
    auth: Vec<Auth>,
    documented: bool,
}

impl Operation {
    fn route(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The valid credentials its cases carry.
    fn main_auth(&self) -> Auth {
        self.auth
            .iter()
            .copied()
            .find(|a| *a != Auth::Anonymous)
            .unwrap_or(Auth::Anonymous)
    }

    fn effect(&self) -> Effect {
        match (self.method.as_str(), self.template.as_str()) {
            ("POST", "/api/v1/links") | ("DELETE", "/api/v1/link") => Effect::Link,
            ("PUT", "/api/v1/account") => Effect::Edit,
            ("POST", "/api/v1/account/machines/{machine_id}/unlink") => Effect::OtherMachine,
            _ => Effect::None,
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("the document's paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let parameters: Vec<Value> = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_array().into_iter().flatten())
                .map(|p| resolve(doc, p, 0))
                .collect();
            let named = |place: &str| -> Vec<String> {
                parameters
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let mut path_params = placeholders(template);
            for name in named("path") {
                if !path_params.contains(&name) {
                    path_params.push(name);
                }
            }
            let schema = op["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.iter().find(|(t, _)| t.contains("json")))
                .map(|(_, media)| resolve(doc, &media["schema"], 0));
            let security = op.get("security").or_else(|| doc.get("security"));
            found.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                path_params,
                query_params: named("query"),
                schema,
                auth: auth_of(security),
                documented: true,
            });
        }
    }
    // Served but not described: fuzzed all the same, with each kind of credentials.
    for (method, template) in &account_server::routes::api_paths() {
        if found
            .iter()
            .any(|o| o.method.eq_ignore_ascii_case(method) && o.template == *template)
        {
            continue;
        }
        eprintln!("note: {method} {template} is served but not in the OpenAPI document");
        found.push(Operation {
            method: method.to_uppercase(),
            template: template.to_string(),
            path_params: placeholders(template),
            query_params: Vec::new(),
            schema: matches!(*method, "post" | "put" | "patch").then(|| json!({})),
            auth: vec![Auth::Machine, Auth::Support, Auth::Anonymous],
            documented: false,
        });
    }
    found
}

fn auth_of(security: Option<&Value>) -> Vec<Auth> {
    let Some(requirements) = security.and_then(Value::as_array) else {
        return vec![Auth::Anonymous];
    };
    let mut auth = Vec::new();
    for requirement in requirements {
        let Some(schemes) = requirement.as_object() else {
            continue;
        };
        if schemes.is_empty() {
            auth.push(Auth::Anonymous);
        }
        for scheme in schemes.keys() {
            auth.push(if scheme.to_ascii_lowercase().contains("support") {
                Auth::Support
            } else {
                Auth::Machine
            });
        }
    }
    if auth.is_empty() {
        auth.push(Auth::Anonymous);
    }
    auth
}

fn placeholders(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

fn fill_template(template: &str, value: &dyn Fn(&str) -> String) -> String {
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

/// The schema with every `$ref` replaced by what it points to.
fn resolve(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 64 {
        return json!({});
    }
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| doc.pointer(pointer))
                    .unwrap_or_else(|| panic!("{reference} points nowhere in the document"));
                return resolve(doc, target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(doc, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(doc, v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// The object alternative of a schema (itself, or one of its `oneOf`/`anyOf`).
fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    if let Some(props) = schema["properties"].as_object() {
        return Some(props);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .find_map(properties)
}

/// A value of the schema, plausible field by field.
fn sample(world: &World, op: &Operation, schema: &Value, name: &str) -> Value {
    if let Some(value) = world.good(name, &op.template) {
        return value;
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(props) = properties(schema) {
        return Value::Object(
            props
                .iter()
                .map(|(k, s)| (k.clone(), sample(world, op, s, k)))
                .collect(),
        );
    }
    if let Some(value) = schema["enum"]
        .as_array()
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return value.clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    match types.iter().find(|t| **t != "null") {
        Some(&"string") => json!("fuzz"),
        Some(&"integer") => json!(1),
        Some(&"number") => json!(1.5),
        Some(&"boolean") => json!(false),
        Some(&"array") => json!([]),
        Some(&"object") => json!({}),
        _ => Value::Null,
    }
}

/// Every field of the schema, nested ones too, as paths.
fn field_paths(schema: &Value, prefix: &[String], out: &mut Vec<Vec<String>>) {
    if let Some(props) = properties(schema) {
        for (name, sub) in props {
            let mut path = prefix.to_vec();
            path.push(name.clone());
            out.push(path.clone());
            field_paths(sub, &path, out);
        }
    }
}

fn set_at(value: &mut Value, path: &[String], new: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = value;
    for key in parents {
        if !here.is_object() {
            *here = json!({});
        }
        here = here
            .as_object_mut()
            .unwrap()
            .entry(key.clone())
            .or_insert_with(|| json!({}));
    }
    if !here.is_object() {
        *here = json!({});
    }
    let object = here.as_object_mut().unwrap();
    match new {
        Some(new) => {
            object.insert(last.clone(), new);
        }
        None => {
            object.remove(last);
        }
    }
}

// --- hostile values -------------------------------------------------------------------

/// A whole body: what it is, its content type, its bytes.
type Body = (&'static str, Option<&'static [u8]>, Vec<u8>);

/// A field's value: as shown, the value (`None`: the field left out), and the raw JSON
/// text that replaces it (then the value is the `RAW` placeholder).
type FieldValue = (String, Option<Value>, Option<&'static [u8]>);

/// A placeholder string, replaced in the serialised body by raw bytes.
const RAW: &str = "@@raw@@";

/// Path segments and query values, percent-encoded as sent.
fn hostile_segments(rng: &mut StdRng) -> Vec<String> {
    let mut out: Vec<String> = [
        "%00",
        "abc%00def",
        "%FF",
        "%FE%FF",
        "%C3%28",
        "%C0%AF",
        "%ED%A0%80",
        "%F4%90%80%80",
        "%E2%82",
        "..",
        ".",
        "%2E%2E",
        "%2e",
        "%2F",
        "a%2Fb",
        "..%2F..%2Fetc%2Fpasswd",
        "%5C..%5C",
        "%20",
        "%09",
        "%0D%0Ax",
        "%25",
        "%",
        "%G0",
        "%%",
        "+",
        "-1",
        "0",
        "00000000000000000000000000000000",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551616",
        "1e400",
        "NaN",
        "1.5",
        "%2B33",
        "12%2034",
        "%27%20OR%201%3D1%20--",
        "%3Cscript%3E",
        "%7B%7D",
        "%E2%80%AE",
        "%EF%BB%BF1",
        "%F0%9F%92%A9",
        "%D9%A3%D9%A4%D9%A5%D9%A6",
        "%EF%BC%91%EF%BC%92%EF%BC%93",
        "%E2%85%A7",
        "%C2%B2%C2%B3",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("9".repeat(5000));
    out.push("%FF".repeat(3000));
    out.push("a".repeat(20_000));
    for _ in 0..6 {
        let len = rng.random_range(1..48);
        out.push(encode(&random_bytes(rng, len)));
    }
    out
}

fn hostile_values() -> Vec<Value> {
    vec![
        json!(""),
        json!(" "),
        json!("\u{0}"),
        json!("abc\u{0}def"),
        json!("\u{1}\u{8}\u{1b}[31m\u{7f}"),
        json!("a\r\nBcc: victim@example.fr"),
        json!("\t"),
        json!("\u{202e}exe.txt"),
        json!("\u{feff}"),
        json!("\u{fffd}\u{ffff}"),
        json!("\u{10ffff}"),
        json!("💩👨‍👩‍👧"),
        json!("e\u{301}\u{301}\u{301}"),
        json!("٣٤٥٦٧٨٩٠١٢"),
        json!("０１２３４５６７８９"),
        json!("Ⅷ²³"),
        json!("'; DROP TABLE accounts; --"),
        json!("%s%n%x%00"),
        json!("<script>alert(1)</script>"),
        json!("../../../etc/passwd"),
        json!("  padded  "),
        json!("null"),
        json!("99999999999999999999999"),
        json!("-1"),
        json!("@"),
        json!("a@b@c"),
        json!("x".repeat(3000)),
        json!("é".repeat(4000)),
        json!("x".repeat(15_500)),
        json!(0),
        json!(-1),
        json!(1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1.5),
        json!(-0.0),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(true),
        json!(false),
        Value::Null,
        json!([]),
        json!({}),
        json!([null]),
        json!({ "": "" }),
        json!(["a", 1, null, {}]),
        nested_arrays(64),
        nested_arrays(200),
        nested_objects(150),
    ]
}

/// Raw JSON text put where a field's value goes.
const RAW_VALUES: &[&[u8]] = &[
    b"1e400",
    b"-0",
    b"123456789012345678901234567890",
    b"0x10",
    b"NaN",
    b"Infinity",
    b"01",
    b"\"\\ud800\"",
    b"\"\\udc00x\"",
    b"\"\xff\xfe\"",
    b"\"\xc3\x28\"",
    b"\"a\x00b\"",
    b"\"a\nb\"",
    b"[1,]",
    b"{\"a\":}",
    b"tru",
    b"",
    b"\"\\x41\"",
];

fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

fn nested_objects(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!({ "a": inner }))
}

fn random_bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| match rng.random_range(0..4) {
            0 => rng.random::<u8>(),
            1 => rng.random_range(0x80..=0xFF),
            2 => *[0u8, b'/', b'.', b'%', b'\\', b'&', b'=', b'?', b'#', b' ']
                .get(rng.random_range(0..10))
                .unwrap(),
            _ => rng.random_range(0x20..0x7F),
        })
        .collect()
}

fn random_text(rng: &mut StdRng) -> String {
    let len = if rng.random_bool(0.1) {
        rng.random_range(200..2000)
    } else {
        rng.random_range(0..40)
    };
    (0..len)
        .map(|_| {
            let code = match rng.random_range(0..6) {
                0 => rng.random_range(0..0x20),
                1 => rng.random_range(0x20..0x7F),
                2 => rng.random_range(0x80..0x800),
                3 => rng.random_range(0x300..0x370),
                4 => *[
                    0x200B, 0x202E, 0xFEFF, 0xFFFD, 0xFFFF, 0x10FFFF, 0x1F4A9, 0x660, 0xFF10,
                ]
                .get(rng.random_range(0..9))
                .unwrap(),
                _ => rng.random_range(0x800..0x10FFFF),
            };
            char::from_u32(code).unwrap_or('\u{FFFD}')
        })
        .collect()
}

fn random_json(rng: &mut StdRng) -> Value {
    match rng.random_range(0..5) {
        0 | 1 => json!(random_text(rng)),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random_range(-1e12..1e12)),
        _ => json!([random_text(rng), rng.random::<i32>()]),
    }
}

/// Somewhere in 127/8 other than `HOME`: each case from its own network.
fn random_source(rng: &mut StdRng) -> Ipv4Addr {
    Ipv4Addr::new(
        127,
        rng.random_range(1..=250),
        rng.random(),
        rng.random_range(1..=254),
    )
}

/// `Authorization` values that are no valid credentials.
fn junk_authorizations(rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let printable: Vec<u8> = (0..rng.random_range(1..200))
        .map(|_| rng.random_range(0x21..0x7F))
        .collect();
    let high: Vec<u8> = (0..rng.random_range(1..64))
        .map(|_| rng.random_range(0x80..=0xFF))
        .collect();
    let mixed: Vec<u8> = (0..rng.random_range(1..100))
        .map(|_| match rng.random_range(0..3) {
            0 => rng.random_range(0x80..=0xFF),
            1 => b' ',
            _ => rng.random_range(0x21..0x7F),
        })
        .collect();
    vec![
        ("Bearer".into(), b"Bearer".to_vec()),
        ("Bearer + space".into(), b"Bearer ".to_vec()),
        ("Bearer + blanks".into(), b"Bearer \t  ".to_vec()),
        ("bearer lower case".into(), b"bearer".to_vec()),
        ("Basic".into(), b"Basic Zm9vOmJhcg==".to_vec()),
        ("another scheme".into(), b"Token abc".to_vec()),
        (
            "Bearer + printable junk".into(),
            [b"Bearer ".as_slice(), &printable].concat(),
        ),
        (
            "Bearer + non-ASCII bytes".into(),
            [b"Bearer ".as_slice(), &high].concat(),
        ),
        ("non-ASCII bytes".into(), mixed),
        (
            "Bearer + 8000 characters".into(),
            [b"Bearer ".as_slice(), &[b'A'; 8000]].concat(),
        ),
        ("Bearer + UTF-8".into(), "Bearer été ✓".as_bytes().to_vec()),
        (
            "Bearer + a SQL quote".into(),
            b"Bearer ' OR '1'='1".to_vec(),
        ),
    ]
}

// --- API cases -------------------------------------------------------------------------

fn api_cases(op: &Operation, world: &World, rng: &mut StdRng) -> Vec<Case> {
    let route = op.route();
    let main = op.main_auth();
    let anonymous_allowed = op.auth.contains(&Auth::Anonymous);
    let valid_params = |name: &str| world.valid_param(name);
    let base_target = fill_template(&op.template, &valid_params);
    let base_query: String = op
        .query_params
        .iter()
        .map(|name| {
            let value = world
                .good(name, &op.template)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "fuzz".into());
            format!("{name}={}", encode(value.as_bytes()))
        })
        .collect::<Vec<_>>()
        .join("&");
    let with_query = |target: &str, query: &str| {
        if query.is_empty() {
            target.to_owned()
        } else {
            format!("{target}?{query}")
        }
    };
    let base_body = op
        .schema
        .as_ref()
        .map(|schema| sample(world, op, schema, ""));
    let base_bytes = base_body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let json_type: &[u8] = b"application/json";

    let mut cases = Vec::new();
    let mut push = |what: String,
                    target: String,
                    body: Option<(Option<&[u8]>, Vec<u8>)>,
                    credentials: Credentials,
                    late: bool,
                    rng: &mut StdRng| {
        let mut request = Request::new(&op.method, target, random_source(rng));
        if let Some((content_type, bytes)) = body {
            request = request.body(content_type, bytes);
        }
        cases.push(Case {
            route: route.clone(),
            what,
            request,
            credentials,
            surface: Surface::Api,
            effect: op.effect(),
            late,
        });
    };
    // The valid credentials, or (where they are optional) sometimes none.
    let usual = |rng: &mut StdRng| {
        if anonymous_allowed && rng.random_bool(0.5) {
            Credentials::None
        } else {
            Credentials::Valid(main)
        }
    };
    let base = |bytes: &[u8]| -> Option<(Option<&'static [u8]>, Vec<u8>)> {
        base_body
            .as_ref()
            .map(|_| (Some(b"application/json".as_slice()), bytes.to_vec()))
    };

    // Path parameters, one at a time.
    for name in &op.path_params {
        let valid = world.valid_param(name);
        let mut values = hostile_segments(rng);
        values.extend([
            format!("{valid}%00"),
            format!("{valid}%FF"),
            format!("%20{valid}"),
            format!("{valid}%2F.."),
            format!("{valid}0"),
        ]);
        for value in values {
            let target = fill_template(&op.template, &|n: &str| {
                if n == name {
                    value.clone()
                } else {
                    world.valid_param(n)
                }
            });
            let credentials = usual(rng);
            push(
                format!("path `{name}` = {}", cut(value.as_bytes(), 60)),
                with_query(&target, &base_query),
                base(&base_bytes),
                credentials,
                false,
                rng,
            );
        }
    }

    // Query parameters: the declared ones, repeated, without a value, and undeclared.
    let mut queries: Vec<(String, String)> = Vec::new();
    for name in &op.query_params {
        for value in hostile_segments(rng) {
            queries.push((
                format!("query `{name}` = {}", cut(value.as_bytes(), 60)),
                format!("{name}={value}"),
            ));
        }
        for (what, query) in [
            ("repeated", format!("{name}=a&{name}=b")),
            ("repeated, same value", format!("{name}=abc&{name}=abc")),
            ("repeated, invalid UTF-8", format!("{name}=%FF&{name}=%00")),
            ("without a value", name.clone()),
            ("empty", format!("{name}=")),
            ("as an array", format!("{name}[]=abc")),
            ("in capitals", format!("{}=abc", name.to_uppercase())),
            ("missing", String::new()),
        ] {
            queries.push((format!("query `{name}` {what}"), query));
        }
        let len = rng.random_range(1..64);
        queries.push((
            format!("query `{name}` = random bytes"),
            format!("{name}={}", encode(&random_bytes(rng, len))),
        ));
    }
    let len = rng.random_range(1..64);
    for (what, query) in [
        ("undeclared", format!("zz=%FF&{base_query}")),
        ("undeclared, repeated", format!("{base_query}&zz=1&zz=2")),
        ("undeclared name %FF", format!("%FF=%00&{base_query}")),
        ("only =", "=".to_owned()),
        ("only &", "&&&".to_owned()),
        ("a lone %", format!("{base_query}&%")),
        ("NUL name", format!("%00=1&{base_query}")),
        ("20 kB", format!("{base_query}&pad={}", "x".repeat(20_000))),
        (
            "random bytes",
            format!("{base_query}&{}", encode(&random_bytes(rng, len))),
        ),
    ] {
        queries.push((format!("query {what}"), query));
    }
    for (what, query) in queries {
        let credentials = usual(rng);
        push(
            what,
            with_query(&base_target, &query),
            base(&base_bytes),
            credentials,
            false,
            rng,
        );
    }
    let target = with_query(&base_target, &base_query);

    // Body fields, one at a time: hostile values, random ones, raw JSON text, missing.
    if let (Some(schema), Some(base_value)) = (&op.schema, &base_body) {
        let mut fields = Vec::new();
        field_paths(schema, &[], &mut fields);
        let mut pool = hostile_values();
        pool.shuffle(rng);
        let per_field = pool.len().div_ceil(fields.len().max(1)).max(6);
        let mut next = 0;
        for path in &fields {
            let shown = path.join(".");
            let late = path.last().is_some_and(|f| f == "password");
            let mut variants: Vec<FieldValue> = Vec::new();
            for _ in 0..per_field {
                let value = pool[next % pool.len()].clone();
                next += 1;
                let text = value.to_string();
                variants.push((cut(text.as_bytes(), 60), Some(value), None));
            }
            for _ in 0..2 {
                let value = random_json(rng);
                variants.push((
                    format!("random {}", cut(value.to_string().as_bytes(), 60)),
                    Some(value),
                    None,
                ));
            }
            for _ in 0..2 {
                let raw = RAW_VALUES[rng.random_range(0..RAW_VALUES.len())];
                variants.push((format!("raw {}", cut(raw, 40)), Some(json!(RAW)), Some(raw)));
            }
            variants.push(("missing".into(), None, None));
            for (shown_value, value, raw) in variants {
                let mut body = base_value.clone();
                set_at(&mut body, path, value);
                let mut bytes = serde_json::to_vec(&body).unwrap();
                if let Some(raw) = raw {
                    bytes = replace(&bytes, format!("\"{RAW}\"").as_bytes(), raw);
                }
                let credentials = usual(rng);
                push(
                    format!("body `{shown}` = {shown_value}"),
                    target.clone(),
                    Some((Some(json_type), bytes)),
                    credentials,
                    late,
                    rng,
                );
            }
        }
        // Unknown fields, at the top and in each object.
        let mut with_unknown = base_value.clone();
        set_at(
            &mut with_unknown,
            &["zz_unknown".into()],
            Some(json!("\u{0}")),
        );
        let mut objects = vec![with_unknown];
        for path in &fields {
            if base_value
                .pointer(&format!("/{}", path.join("/")))
                .is_some_and(Value::is_object)
            {
                let mut body = base_value.clone();
                let mut inner = path.clone();
                inner.push("zz_unknown".into());
                set_at(&mut body, &inner, Some(json!(1)));
                objects.push(body);
            }
        }
        objects.push(json!({}));
        for body in objects {
            let credentials = usual(rng);
            push(
                format!("body {}", cut(body.to_string().as_bytes(), 80)),
                target.clone(),
                Some((Some(json_type), serde_json::to_vec(&body).unwrap())),
                credentials,
                false,
                rng,
            );
        }
    }

    // Whole bodies that are not the JSON asked for (or any body where none is expected).
    let first_field = base_body
        .as_ref()
        .and_then(|b| b.as_object())
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_else(|| "a".into());
    let sample_bytes = if base_bytes.is_empty() {
        b"{\"a\":1}".to_vec()
    } else {
        base_bytes.clone()
    };
    let len = rng.random_range(1..2000);
    let random = random_bytes(rng, len);
    let utf16: Vec<u8> = String::from_utf8_lossy(&sample_bytes)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut padded = base_body.clone().unwrap_or_else(|| json!({}));
    set_at(
        &mut padded,
        &["zz_pad".into()],
        Some(json!("x".repeat(20_000))),
    );
    let bodies: Vec<Body> = vec![
        ("empty", Some(json_type), Vec::new()),
        ("without a content type", None, sample_bytes.clone()),
        ("as text/plain", Some(b"text/plain"), sample_bytes.clone()),
        (
            "as a form",
            Some(b"application/x-www-form-urlencoded"),
            b"email=a%FF&password=\xff\xfe".to_vec(),
        ),
        (
            "as multipart",
            Some(b"multipart/form-data; boundary=x"),
            b"--x\r\ncontent-disposition: form-data; name=\"email\"\r\n\r\na\r\n--x--\r\n".to_vec(),
        ),
        (
            "in UTF-16",
            Some(b"application/json; charset=utf-16"),
            utf16,
        ),
        (
            "as +json",
            Some(b"application/merge-patch+json"),
            sample_bytes.clone(),
        ),
        (
            "content type with non-ASCII bytes",
            Some(b"application/json\xe9\xff"),
            sample_bytes.clone(),
        ),
        (
            "content type with broken parameters",
            Some(b"application/json; ;;=; charset=\"\xff"),
            sample_bytes.clone(),
        ),
        (
            "with a BOM",
            Some(json_type),
            [b"\xef\xbb\xbf".as_slice(), &sample_bytes].concat(),
        ),
        (
            "with trailing garbage",
            Some(json_type),
            [sample_bytes.as_slice(), b" }x"].concat(),
        ),
        (
            "truncated",
            Some(json_type),
            sample_bytes[..sample_bytes.len() / 2].to_vec(),
        ),
        ("not JSON", Some(json_type), b"hello".to_vec()),
        ("null", Some(json_type), b"null".to_vec()),
        ("an array", Some(json_type), b"[]".to_vec()),
        ("a string", Some(json_type), b"\"text\"".to_vec()),
        ("a number", Some(json_type), b"42".to_vec()),
        ("1e400", Some(json_type), b"1e400".to_vec()),
        ("NUL bytes", Some(json_type), b"\0\0\0".to_vec()),
        (
            "a duplicated field",
            Some(json_type),
            replace(
                &sample_bytes,
                b"{",
                format!("{{\"{first_field}\":null,").as_bytes(),
            ),
        ),
        (
            "arrays nested 5000 deep",
            Some(json_type),
            ["[".repeat(5000), "]".repeat(5000)].concat().into_bytes(),
        ),
        (
            "objects nested 2000 deep",
            Some(json_type),
            ["{\"a\":".repeat(2000), "1".into(), "}".repeat(2000)]
                .concat()
                .into_bytes(),
        ),
        (
            "over the size limit",
            Some(json_type),
            serde_json::to_vec(&padded).unwrap(),
        ),
        ("200 kB", Some(json_type), vec![b' '; 200_000]),
        ("random bytes", Some(json_type), random),
    ];
    for (what, content_type, bytes) in bodies {
        let credentials = usual(rng);
        push(
            format!("body {what}"),
            target.clone(),
            Some((content_type, bytes)),
            credentials,
            false,
            rng,
        );
    }

    // Credentials that are not valid ones.
    let other = match main {
        Auth::Machine => Auth::Support,
        _ => Auth::Machine,
    };
    let mut credentials: Vec<(String, Credentials)> = junk_authorizations(rng)
        .into_iter()
        .map(|(what, value)| (what, Credentials::Raw(value)))
        .collect();
    credentials.extend([
        ("none".into(), Credentials::None),
        (format!("a {other:?} token"), Credentials::Valid(other)),
        (
            "the token and junk".into(),
            Credentials::ValidThen(main, b"x\xff"),
        ),
        (
            "the token twice".into(),
            Credentials::ValidTwice(main, b"Bearer \xff".to_vec()),
        ),
    ]);
    for (what, credentials) in credentials {
        push(
            format!("authorization {what}"),
            target.clone(),
            base(&base_bytes),
            credentials,
            false,
            rng,
        );
    }
    cases
}

/// Methods a path does not take: 405, as the JSON error.
fn method_cases(operations: &[Operation], rng: &mut StdRng) -> Vec<Case> {
    let mut templates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for op in operations {
        templates
            .entry(op.template.as_str())
            .or_default()
            .push(op.method.as_str());
    }
    let mut cases = Vec::new();
    for (template, served) in templates {
        let target = fill_template(template, &|_| "1".to_owned());
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FUZZ"] {
            if served.contains(&method) {
                continue;
            }
            cases.push(Case {
                route: format!("{method} {template}"),
                what: "a method it does not take".into(),
                request: Request::new(method, target.clone(), random_source(rng)),
                credentials: Credentials::None,
                surface: Surface::Api,
                effect: Effect::None,
                late: false,
            });
        }
    }
    cases
}

/// Paths no route takes: 404, as the JSON error.
fn stray_path_cases(rng: &mut StdRng) -> Vec<Case> {
    let mut targets: Vec<String> = [
        "/api/v1/",
        "/api/v1/%FF",
        "/api/v1/%00",
        "/api/v2/accounts",
        "/api/v1/accounts/",
        "//api/v1/account",
        "/api/v1/./account",
        "/api/v1/../health/live",
        "/api/v1/account%00",
        "/api/v1/support/accounts/1/balance/extra",
        "/api/v1/account/machines//unlink",
        "/%C0%AE%C0%AE/",
        "/health",
        "/health/%FF",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..10 {
        let len = rng.random_range(1..40);
        targets.push(format!("/api/v1/{}", encode(&random_bytes(rng, len))));
    }
    targets
        .into_iter()
        .map(|target| Case {
            route: "GET (no such path)".into(),
            what: cut(target.as_bytes(), 60),
            request: Request::new("GET", target, random_source(rng)),
            credentials: Credentials::None,
            surface: Surface::Api,
            effect: Effect::None,
            late: false,
        })
        .collect()
}

// --- console cases ---------------------------------------------------------------------

struct ConsoleRoute {
    method: &'static str,
    template: &'static str,
    query: &'static [&'static str],
    form: &'static [&'static str],
}

const fn route(
    method: &'static str,
    template: &'static str,
    query: &'static [&'static str],
    form: &'static [&'static str],
) -> ConsoleRoute {
    ConsoleRoute {
        method,
        template,
        query,
        form,
    }
}

/// Every route of `console::router()` (checked against `console::console_paths()`),
/// with the query parameters and form fields its handler reads.
const CONSOLE_ROUTES: &[ConsoleRoute] = &[
    route("GET", "/", &[], &[]),
    route("GET", "/console", &[], &[]),
    route("GET", "/console/", &["q"], &[]),
    route("GET", "/console/login", &["expired"], &[]),
    route(
        "POST",
        "/console/login",
        &[],
        &["csrf", "email", "password"],
    ),
    route("POST", "/console/logout", &[], &["csrf"]),
    route("GET", "/console/password", &["done"], &[]),
    route(
        "POST",
        "/console/password",
        &[],
        &["csrf", "current", "new", "again"],
    ),
    route("GET", "/console/console.css", &[], &[]),
    route(
        "GET",
        "/console/accounts/{customer_id}",
        &["done", "minutes"],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/support-calls",
        &[],
        &["csrf", "minutes", "note"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/timer/start",
        &[],
        &["csrf"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/timer/stop",
        &[],
        &["csrf"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/credits",
        &[],
        &["csrf", "minutes", "reference", "note"],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/notes",
        &[],
        &["csrf", "text"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/entries/{entry_id}/correct",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/entries/{entry_id}/correct",
        &[],
        &["csrf", "reason"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/password-request",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/password-request",
        &[],
        &["csrf"],
    ),
    route(
        "GET",
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
        &[],
        &[],
    ),
    route(
        "POST",
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink",
        &[],
        &["csrf"],
    ),
    route(
        "GET",
        "/console/export",
        &["from", "to", "customer_id"],
        &[],
    ),
    route(
        "GET",
        "/console/export.csv",
        &["from", "to", "customer_id"],
        &[],
    ),
];

/// Form values, URL-encoded as sent (raw bytes included).
fn hostile_form_values() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        b"".as_slice(),
        b"%00",
        b"a%00b",
        b"%FF",
        b"\xff\xfe",
        b"%C3%28",
        b"%ED%A0%80",
        b"%",
        b"%G0",
        b"+",
        b"%2B",
        b"%0D%0A",
        b"%09",
        b"-1",
        b"0",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"99999999999999999999",
        b"1e400",
        b"NaN",
        b"%D9%A3%D9%A4",
        b"%EF%BC%91%EF%BC%90",
        b"%E2%85%A7",
        b"%C2%B2",
        b"1h%FF",
        b"99h99",
        b"9999999h",
        b"1440",
        b"1441",
        b"%3Cscript%3E",
        b"'%20OR%201%3D1",
        b"2026-02-30",
        b"9999-12-31",
        b"-009999-01-01",
        b"%3D%2BHYPERLINK(%22x%22)",
        b"%F0%9F%92%A9",
    ]
    .iter()
    .map(|s| s.to_vec())
    .collect();
    out.push(vec![b'x'; 3000]);
    out.push(vec![b'x'; 20_000]);
    out
}

/// Query values for the console: the path segments' and dates at the calendar's edges.
fn console_query_values(rng: &mut StdRng) -> Vec<String> {
    let mut out = hostile_segments(rng);
    out.extend(
        [
            "2026-02-30",
            "9999-12-31",
            "-009999-01-01",
            "%2B009999-12-31",
            "0000-01-01",
            "2026-1-1",
            "20260101",
            "2026-01-01T00%3A00",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out
}

fn console_cases(
    route: &ConsoleRoute,
    logged_in: bool,
    world: &World,
    rng: &mut StdRng,
) -> Vec<Case> {
    let name = format!(
        "{} {} ({})",
        route.method,
        route.template,
        if logged_in { "logged in" } else { "logged out" }
    );
    let effect = match route.template {
        "/console/logout" | "/console/password" if route.method == "POST" => Effect::Session,
        "/console/accounts/{customer_id}/machines/{machine_id}/unlink"
            if route.method == "POST" =>
        {
            Effect::OtherMachine
        }
        _ => Effect::None,
    };
    let credentials = Credentials::Console { logged_in };
    let login = route.template == "/console/login";
    let good_field = |field: &str| -> Vec<u8> {
        let value: &str = match field {
            // Markers, replaced as they are when sent.
            "csrf" if login => return LOGIN_CSRF.as_bytes().to_vec(),
            "csrf" => return SESSION_CSRF.as_bytes().to_vec(),
            "email" => &world.agent_email,
            "password" | "current" => &world.agent_password,
            // Never the same twice: the password is not changed by accident.
            "new" => "fuzz new password one",
            "again" => "fuzz new password two",
            "minutes" => "20",
            "reference" => "FAC-FUZZ",
            _ => "fuzz",
        };
        encode(value.as_bytes()).into_bytes()
    };
    let form_of = |fields: &[(&str, Vec<u8>)]| -> Vec<u8> {
        let mut body = Vec::new();
        for (i, (field, value)) in fields.iter().enumerate() {
            if i > 0 {
                body.push(b'&');
            }
            body.extend_from_slice(field.as_bytes());
            body.push(b'=');
            body.extend_from_slice(value);
        }
        body
    };
    let base_fields: Vec<(&str, Vec<u8>)> =
        route.form.iter().map(|f| (*f, good_field(f))).collect();
    let base_form = (route.method == "POST").then(|| form_of(&base_fields));
    let form_type: &[u8] = b"application/x-www-form-urlencoded";
    // Query parameters with values that work, so that the one varied is what matters.
    let good_query = |param: &str| -> &str {
        match param {
            "from" => "2026-01-01",
            "to" => "2026-12-31",
            "customer_id" => &world.customer_id,
            "minutes" => "5",
            "q" => "Fuzz",
            _ => "1",
        }
    };
    let query_without = |skipped: &str| -> Vec<String> {
        route
            .query
            .iter()
            .filter(|p| **p != skipped)
            .map(|p| format!("{p}={}", encode(good_query(p).as_bytes())))
            .collect()
    };
    let with_query = |target: String, parts: Vec<String>| {
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            target
        } else {
            format!("{target}?{}", parts.join("&"))
        }
    };
    let base_target = with_query(
        fill_template(route.template, &|n| world.valid_param(n)),
        query_without(""),
    );
    // Logged out, the agent's pages send to the log-in page: fewer cases there.
    let keep = |rng: &mut StdRng| logged_in || rng.random_bool(0.5);

    let mut cases = Vec::new();
    let mut push = |what: String,
                    target: String,
                    body: Option<(Option<&[u8]>, Vec<u8>)>,
                    late: bool,
                    rng: &mut StdRng| {
        let mut request = Request::new(route.method, target, random_source(rng));
        if let Some((content_type, bytes)) = body {
            request = request.body(content_type, bytes);
        }
        cases.push(Case {
            route: name.clone(),
            what,
            request,
            credentials: credentials.clone(),
            surface: Surface::Console,
            effect,
            late,
        });
    };
    let base_body = || base_form.clone().map(|f| (Some(form_type), f));

    for param in placeholders(route.template) {
        let valid = world.valid_param(&param);
        let mut values = hostile_segments(rng);
        values.extend([
            format!("{valid}%00"),
            format!("{valid}%FF"),
            format!("%20{valid}"),
            format!("{valid}0"),
        ]);
        for value in values {
            if !keep(rng) {
                continue;
            }
            let target = fill_template(route.template, &|n: &str| {
                if n == param {
                    value.clone()
                } else {
                    world.valid_param(n)
                }
            });
            push(
                format!("path `{param}` = {}", cut(value.as_bytes(), 60)),
                with_query(target, query_without("")),
                base_body(),
                false,
                rng,
            );
        }
    }

    let path_only = fill_template(route.template, &|n| world.valid_param(n));
    let mut queries: Vec<(String, Vec<String>)> = Vec::new();
    for param in route.query {
        let others = query_without(param);
        let mut varied = |what: String, part: String| {
            let mut parts = others.clone();
            parts.push(part);
            queries.push((what, parts));
        };
        for value in console_query_values(rng) {
            varied(
                format!("query `{param}` = {}", cut(value.as_bytes(), 60)),
                format!("{param}={value}"),
            );
        }
        varied(
            format!("query `{param}` repeated"),
            format!("{param}=1&{param}=2"),
        );
        varied(
            format!("query `{param}` repeated, good values"),
            format!(
                "{param}={0}&{param}={0}",
                encode(good_query(param).as_bytes())
            ),
        );
        varied(
            format!("query `{param}` without a value"),
            param.to_string(),
        );
    }
    for (what, query) in [
        ("undeclared", "zz=%FF".to_owned()),
        ("undeclared, repeated", "zz=1&zz=2".to_owned()),
        ("name %FF", "%FF=%00".to_owned()),
        ("a lone %", "%".to_owned()),
        ("20 kB", format!("pad={}", "x".repeat(20_000))),
    ] {
        let mut parts = query_without("");
        parts.push(query);
        queries.push((format!("query {what}"), parts));
    }
    for (what, parts) in queries {
        if !keep(rng) {
            continue;
        }
        push(
            what,
            with_query(path_only.clone(), parts),
            base_body(),
            false,
            rng,
        );
    }

    // Headers the console reads: the browser's languages, the cookies.
    let mut with_headers = Vec::new();
    let len = rng.random_range(1..100);
    let junk = random_bytes(rng, len)
        .into_iter()
        .filter(|b| *b >= 0x20 && *b != 0x7F)
        .collect::<Vec<u8>>();
    for (what, header, value) in [
        (
            "Accept-Language non-ASCII",
            "accept-language",
            b"fr\xff\xfe;q=\xe9".to_vec(),
        ),
        ("Accept-Language junk", "accept-language", junk.clone()),
        (
            "Accept-Language long",
            "accept-language",
            "en;q=0.1,".repeat(800).into_bytes(),
        ),
        (
            "a junk session cookie",
            "cookie",
            b"console_session=\xff\xfe; console_session=x".to_vec(),
        ),
        (
            "an empty session cookie",
            "cookie",
            b"console_session=".to_vec(),
        ),
        (
            "a quoted session cookie",
            "cookie",
            b"console_session=\"abc\"".to_vec(),
        ),
        ("junk cookies", "cookie", junk),
        (
            "500 cookies",
            "cookie",
            (0..500)
                .map(|i| format!("c{i}=v"))
                .collect::<Vec<_>>()
                .join("; ")
                .into_bytes(),
        ),
    ] {
        if !keep(rng) {
            continue;
        }
        let mut request = Request::new(route.method, base_target.clone(), random_source(rng))
            .header(header, value);
        if let Some(form) = &base_form {
            request = request.body(Some(form_type), form.clone());
        }
        with_headers.push(Case {
            route: name.clone(),
            what: format!("header: {what}"),
            request,
            credentials: credentials.clone(),
            surface: Surface::Console,
            effect,
            late: false,
        });
    }

    if route.method == "POST" {
        let values = hostile_form_values();
        for (i, (field, _)) in base_fields.iter().enumerate() {
            let late = matches!(*field, "password" | "current");
            let mut variants: Vec<(String, Vec<u8>)> = values
                .iter()
                .map(|v| {
                    (
                        format!("= {}", cut(v, 60)),
                        form_of(&with_field(&base_fields, i, v)),
                    )
                })
                .collect();
            let random = encode(random_text(rng).as_bytes());
            variants.push((
                format!("= random {}", cut(random.as_bytes(), 60)),
                form_of(&with_field(&base_fields, i, random.as_bytes())),
            ));
            variants.push((
                "repeated".into(),
                [
                    form_of(&base_fields),
                    b"&".to_vec(),
                    form_of(&base_fields[i..=i]),
                ]
                .concat(),
            ));
            let without: Vec<(&str, Vec<u8>)> = base_fields
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, f)| f.clone())
                .collect();
            variants.push(("missing".into(), form_of(&without)));
            for (what, body) in variants {
                if !keep(rng) {
                    continue;
                }
                push(
                    format!("form `{field}` {what}"),
                    base_target.clone(),
                    Some((Some(form_type), body)),
                    late,
                    rng,
                );
            }
        }
        let len = rng.random_range(1..2000);
        let random = random_bytes(rng, len);
        let base = base_form.clone().unwrap_or_default();
        let bodies: Vec<Body> = vec![
            ("empty", Some(form_type), Vec::new()),
            ("without a content type", None, base.clone()),
            ("as text/plain", Some(b"text/plain"), base.clone()),
            (
                "as JSON",
                Some(b"application/json"),
                b"{\"csrf\":\"x\"}".to_vec(),
            ),
            (
                "as multipart",
                Some(b"multipart/form-data; boundary=x"),
                b"--x\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\na\r\n--x--\r\n"
                    .to_vec(),
            ),
            (
                "content type with non-ASCII bytes",
                Some(b"application/x-www-form-urlencoded\xe9"),
                base.clone(),
            ),
            ("only = and &", Some(form_type), b"=&=&&=".to_vec()),
            ("a name without a value", Some(form_type), b"csrf".to_vec()),
            ("%FF names", Some(form_type), b"%FF=%FF&\xff=\xfe".to_vec()),
            (
                "an unknown field",
                Some(form_type),
                [base.as_slice(), b"&zz=%00"].concat(),
            ),
            (
                "over the size limit",
                Some(form_type),
                [base.as_slice(), b"&pad=", &[b'x'; 20_000]].concat(),
            ),
            ("random bytes", Some(form_type), random),
        ];
        for (what, content_type, body) in bodies {
            if !keep(rng) {
                continue;
            }
            push(
                format!("form {what}"),
                base_target.clone(),
                Some((content_type, body)),
                false,
                rng,
            );
        }
    }
    cases.extend(with_headers);
    cases
}

fn with_field<'a>(
    fields: &[(&'a str, Vec<u8>)],
    i: usize,
    value: &[u8],
) -> Vec<(&'a str, Vec<u8>)> {
    let mut out = fields.to_vec();
    out[i].1 = value.to_vec();
    out
}
