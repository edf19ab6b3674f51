//! The console's log-in rules, checked at the HTTP level: cookie attributes, the log-in
//! form's CSRF token, limited attempts (under bursts too), the idle timeout.

use std::net::IpAddr;

use reqwest::{redirect::Policy, StatusCode};

use crate::{
    add_agents,
    helpers::{hidden_csrf, spawn_app, spawn_instances},
    AGENT_PASSWORD, NEW_AGENT_PASSWORD,
};

/// Requests sent at once in the burst tests.
const BURST: usize = 30;
/// Wrong passwords checked per agent and address in 15 minutes (`console/auth.rs`).
const WRONG_PER_ADDRESS: usize = 5;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A browser at `source` (any 127.x.y.z is this machine): to the service, another office.
fn no_redirects_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .local_address(source.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// The log-in form's token and its cookie, as a browser gets them.
async fn login_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let page = client
        .get(format!("{base}/console/login"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let csrf = hidden_csrf(&html);
    (cookie, csrf)
}

async fn post_login(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    csrf: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/console/login"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&email=paul%40vendor.test&password={}",
            password.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict_and_ends_when_idle() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let client = no_redirects();
    let (cookie, csrf) = login_form(&client, &app.address).await;

    // The log-in form without its own token is refused.
    let forged = post_login(&client, &app.address, "", &csrf, AGENT_PASSWORD).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let response = post_login(&client, &app.address, &cookie, &csrf, AGENT_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("console_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(session.contains("Path=/console"), "{session}");
    let session = session.split(';').next().unwrap().to_owned();
    let page = client
        .get(app.url("/console/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    for header in ["content-security-policy", "x-content-type-options"] {
        assert!(page.headers().contains_key(header), "{header}");
    }

    // Half an hour without a request: the log-in has ended.
    let db = app.db().await;
    sqlx::query("UPDATE agent_sessions SET last_seen_at = last_seen_at - 31 * 60")
        .execute(&db)
        .await
        .unwrap();
    let page = client
        .get(app.url("/console/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/console/login?expired=1");
    let remaining: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agent_sessions")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(remaining, 0, "the ended log-in is forgotten");
}

#[tokio::test]
async fn log_in_attempts_are_limited_and_say_how_to_go_on() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let client = no_redirects();
    let (cookie, csrf) = login_form(&client, &app.address).await;
    for _ in 0..5 {
        let wrong = post_login(&client, &app.address, &cookie, &csrf, "wrong password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert!(wrong.text().await.unwrap().contains("login-error"));
    }
    // Even the right password waits now: guessing cannot go on.
    let limited = post_login(&client, &app.address, &cookie, &csrf, AGENT_PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("Trop de tentatives"));
}

/// What a burst's answers were: how many had each status, the waits the refused ones
/// were told, the pages.
struct Answers(Vec<(StatusCode, Option<u64>, String)>);

impl Answers {
    async fn of(responses: Vec<tokio::task::JoinHandle<reqwest::Response>>) -> Self {
        let mut answers = Vec::new();
        for response in responses {
            let response = response.await.unwrap();
            let wait = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse().unwrap());
            answers.push((response.status(), wait, response.text().await.unwrap()));
        }
        Self(answers)
    }

    fn with(&self, status: StatusCode) -> Vec<&(StatusCode, Option<u64>, String)> {
        self.0.iter().filter(|(s, ..)| *s == status).collect()
    }

    fn statuses(&self) -> Vec<u16> {
        self.0.iter().map(|(s, ..)| s.as_u16()).collect()
    }

    /// Every refusal says to wait, and for no longer than the window.
    fn assert_refusals_say_how_long(&self) {
        for (_, wait, page) in self.with(StatusCode::TOO_MANY_REQUESTS) {
            let wait = wait.expect("a Retry-After header");
            assert!((1..=15 * 60).contains(&wait), "{wait}");
            assert!(page.contains("Trop de tentatives"), "{page}");
        }
    }
}

async fn session_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("console_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_log_ins_gets_no_more_checks_than_the_limit() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let office = no_redirects_from("127.0.3.1");
    let (cookie, csrf) = login_form(&office, &app.address).await;

    let burst = (0..BURST)
        .map(|n| {
            let (office, base, cookie, csrf) = (
                office.clone(),
                app.address.clone(),
                cookie.clone(),
                csrf.clone(),
            );
            tokio::spawn(async move {
                post_login(
                    &office,
                    &base,
                    &cookie,
                    &csrf,
                    &format!("wrong password {n}"),
                )
                .await
            })
        })
        .collect();
    let answers = Answers::of(burst).await;
    let checked = answers.with(StatusCode::UNAUTHORIZED);
    let refused = answers.with(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(checked.len(), WRONG_PER_ADDRESS, "{:?}", answers.statuses());
    assert_eq!(
        refused.len(),
        BURST - WRONG_PER_ADDRESS,
        "{:?}",
        answers.statuses()
    );
    for (_, _, page) in checked {
        assert!(page.contains("login-error"), "{page}");
    }
    answers.assert_refusals_say_how_long();

    // Even the right password waits now, from this address.
    let limited = post_login(&office, &app.address, &cookie, &csrf, AGENT_PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));

    // From another address, the agent logs in.
    let elsewhere = no_redirects_from("127.0.3.2");
    let (cookie, csrf) = login_form(&elsewhere, &app.address).await;
    let response = post_login(&elsewhere, &app.address, &cookie, &csrf, AGENT_PASSWORD).await;
    let session = session_of(response).await;
    let page = elsewhere
        .get(app.url("/console/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_current_passwords_gets_no_more_checks_than_the_limit() {
    let app = spawn_app().await;
    add_agents(&app).await;
    let office = no_redirects_from("127.0.4.1");
    let (cookie, csrf) = login_form(&office, &app.address).await;
    let response = post_login(&office, &app.address, &cookie, &csrf, AGENT_PASSWORD).await;
    let session = session_of(response).await;
    let page = office
        .get(app.url("/console/password"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_csrf(&page);
    let change = |client: &reqwest::Client, current: &str| {
        client
            .post(app.url("/console/password"))
            .header("cookie", &session)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf={csrf}&current={}&new={new}&again={new}",
                current.replace(' ', "+"),
                new = NEW_AGENT_PASSWORD.replace(' ', "+"),
            ))
            .send()
    };

    let burst = (0..BURST)
        .map(|n| {
            let sent = change(&office, &format!("wrong password {n}"));
            tokio::spawn(async move { sent.await.unwrap() })
        })
        .collect();
    let answers = Answers::of(burst).await;
    let checked = answers.with(StatusCode::UNPROCESSABLE_ENTITY);
    let refused = answers.with(StatusCode::TOO_MANY_REQUESTS);
    // The log-in's own attempt was given back (its password was right): 5 are left.
    assert!(
        (1..=WRONG_PER_ADDRESS).contains(&checked.len()),
        "{:?}",
        answers.statuses()
    );
    assert_eq!(
        checked.len() + refused.len(),
        BURST,
        "{:?}",
        answers.statuses()
    );
    for (_, _, page) in checked {
        assert!(page.contains("pas votre mot de passe actuel"), "{page}");
    }
    answers.assert_refusals_say_how_long();

    // The right current password waits too, from this address...
    let limited = change(&office, AGENT_PASSWORD).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...and nothing changed: the old password still opens the console elsewhere.
    let elsewhere = no_redirects_from("127.0.4.2");
    let (cookie, login_csrf) = login_form(&elsewhere, &app.address).await;
    let response = post_login(
        &elsewhere,
        &app.address,
        &cookie,
        &login_csrf,
        AGENT_PASSWORD,
    )
    .await;
    session_of(response).await;

    // From another address the same log-in changes it.
    let changed = change(&elsewhere, AGENT_PASSWORD).await.unwrap();
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(changed.headers()["location"], "/console/password?done=1");
}

#[tokio::test]
async fn a_console_log_in_works_on_every_instance() {
    // Behind a load balancer without sticky sessions: the form from one instance, the
    // log-in through another, the pages from any.
    let instances = spawn_instances(3).await;
    add_agents(&instances[0]).await;
    let client = no_redirects();
    let (cookie, csrf) = login_form(&client, &instances[0].address).await;
    let response = post_login(
        &client,
        &instances[1].address,
        &cookie,
        &csrf,
        AGENT_PASSWORD,
    )
    .await;
    let session = session_of(response).await;
    for app in &instances {
        let page = client
            .get(app.url("/console/"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", app.address);
    }
}
