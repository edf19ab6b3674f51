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

mod api_cases;
mod case;
mod checks;
mod console_cases;
mod http;
mod inputs;
mod openapi;
mod world;

use std::{net::Ipv4Addr, time::Instant};

use rand::{rngs::StdRng, SeedableRng};
use serde_json::Value;

use self::{
    api_cases::{api_cases, method_cases, stray_path_cases},
    case::Case,
    checks::Report,
    console_cases::{console_cases, CONSOLE_ROUTES},
    http::{send, Request},
    openapi::operations,
    world::World,
};
use crate::helpers::spawn_app;

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
    send_cases(&mut world, &cases, &mut report).await;

    report.finish(started);

    // Still healthy, and still serving: the account, the support API, a registration.
    assert_ready(&world).await;
    world.ensure_linked().await;
    let account = app.account(&world.machine_token).await;
    assert_eq!(account.status(), 200, "the account after the fuzzing");
    let found = app
        .client
        .get(app.url(&format!("/api/v1/support/accounts?q={}", world.customer_id)))
        .bearer_auth(&world.api_token)
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
    send_cases(&mut world, &cases, &mut report).await;

    report.finish(started);

    // Still healthy, and the agent still works.
    assert_ready(&world).await;
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

/// Sends the cases in order, each checked and recorded, the state renewed after each.
async fn send_cases(world: &mut World, cases: &[Case], report: &mut Report) {
    for case in cases {
        let request = world.materialize(case);
        let outcome = send(world.server, &request).await;
        report.record(case, &request, &outcome);
        if let Ok(response) = &outcome {
            world.after(case, response).await;
        }
    }
}

async fn assert_ready(world: &World) {
    let ready = send(world.server, &Request::new("GET", "/health/ready", HOME))
        .await
        .expect("/health/ready answers");
    assert_eq!(ready.status, 200, "/health/ready: {}", ready.text());
}
