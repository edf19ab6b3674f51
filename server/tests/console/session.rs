//! The console's log-in rules, checked at the HTTP level: cookie attributes, the log-in
//! form's CSRF token, limited attempts, the idle timeout.

use reqwest::{redirect::Policy, StatusCode};

use crate::{add_agents, helpers::spawn_app, AGENT_PASSWORD};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
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
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
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
    test_support::clear_of_window_boundary(15 * 60, 30).await;
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
