//! The service's state, as the cases need it: the account, its machines, the API token,
//! the agent's console session; renewed when a case ends one of them.

use std::net::SocketAddr;

use account_server::secrets::{token_hash, ApiToken, ClearPassword, PasswordHasher};
use serde_json::{json, Map, Value};

use super::{
    case::{fill_template, Auth, Case, Credentials, Effect},
    http::{encode, replace, send, Request, Response},
    openapi::Operation,
    HOME,
};
use crate::helpers::{hidden_csrf, machine, TestApp};

/// Markers in a case's target or body, replaced when it is sent.
const VERSION: &str = "@@version@@";
pub(super) const SESSION_CSRF: &str = "@@csrf@@";
pub(super) const LOGIN_CSRF: &str = "@@login-csrf@@";
const OTHER_MACHINE: &str = "@@other-machine@@";

pub(super) struct World {
    pub(super) server: SocketAddr,
    client: reqwest::Client,
    base: String,
    email: String,
    password: String,
    /// The machine token of `machine(1)`, renewed when a case unlinks or relinks it.
    pub(super) machine_token: String,
    /// Another machine of the account (the one the unlink routes may name).
    other_machine_id: String,
    pub(super) customer_id: String,
    version: i64,
    pub(super) api_token: String,
    entry_id: i64,
    // The console.
    pub(super) agent_email: String,
    pub(super) agent_password: String,
    session_cookie: String,
    session_csrf: String,
    login_cookie: String,
    login_csrf: String,
}

impl World {
    pub(super) async fn set_up(app: &TestApp) -> Self {
        let server: SocketAddr = app
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("the service's address");
        let email = "fuzz-owner@example.fr".to_owned();
        let (password, link) = app.linked(&email, &machine(1)).await;
        let other = app.link_ok(&email, &password, &machine(2), None).await;
        let api_token = create_api_token(app).await;
        let customer_id = link.account.customer_id.clone();
        // A ledger entry, for the routes that name one.
        let logged: Value = app
            .client
            .post(app.url(&format!(
                "/api/v1/support/accounts/{customer_id}/support-calls"
            )))
            .bearer_auth(&api_token)
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
            machine_token: link.token,
            other_machine_id: other.machine_id,
            customer_id,
            version,
            api_token,
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
    pub(super) async fn console_set_up(&mut self, app: &TestApp) {
        let storage = app.storage().await;
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

    pub(super) async fn ensure_console_session(&mut self) {
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

    pub(super) fn console_cookies(&self, logged_in: bool) -> String {
        if logged_in {
            format!("{}; {}", self.login_cookie, self.session_cookie)
        } else {
            self.login_cookie.clone()
        }
    }

    /// Links `machine(1)` again if a case unlinked it or replaced its token.
    pub(super) async fn ensure_linked(&mut self) {
        let response = self
            .client
            .get(format!("{}/api/v1/account", self.base))
            .bearer_auth(&self.machine_token)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            let view: Value = response.json().await.unwrap();
            self.version = view["version"].as_i64().unwrap_or(self.version);
            return;
        }
        let body = self.link_again(1, "the test's machine").await;
        self.machine_token = body["token"].as_str().unwrap().to_owned();
        self.version = body["account"]["version"].as_i64().unwrap();
    }

    /// Links `machine(2)` again if a case unlinked it.
    async fn ensure_other_machine(&mut self) {
        let body = self.link_again(2, "the other machine").await;
        self.other_machine_id = body["machine_id"].as_str().unwrap().to_owned();
        // Linking may have replaced the token of `machine(1)` too, if they matched.
        self.ensure_linked().await;
    }

    /// Links `machine(n)` with the account's e-mail and password; the link's answer.
    async fn link_again(&self, n: u8, which: &str) -> Value {
        let response = self
            .client
            .post(format!("{}/api/v1/links", self.base))
            .json(&json!({
                "email": self.email,
                "password": self.password,
                "machine": machine(n),
            }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "linking {which} again: {body}");
        body
    }

    /// What a case changed that the next ones need to know.
    pub(super) async fn after(&mut self, case: &Case, response: &Response) {
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
            Effect::ConsoleSession => {
                if matches!(case.credentials, Credentials::Console { logged_in: true })
                    && response.status < 400
                {
                    self.ensure_console_session().await;
                }
            }
        }
    }

    /// The request of `case`, with the credentials and markers of now.
    pub(super) fn materialize(&self, case: &Case) -> Request {
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
                Auth::MachineToken => self.machine_token.as_str(),
                Auth::ApiToken => self.api_token.as_str(),
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
    pub(super) fn good(&self, name: &str, op_template: &str) -> Option<Value> {
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
    pub(super) fn valid_param(&self, name: &str) -> String {
        match name {
            "customer_id" => self.customer_id.clone(),
            "machine_id" => OTHER_MACHINE.to_owned(),
            "entry_id" => self.entry_id.to_string(),
            _ => "1".to_owned(),
        }
    }

    /// A route the document does not describe: its body's fields as its own answers
    /// name them ("missing field `code`"), strings until they say otherwise.
    pub(super) async fn guess_schema(&self, op: &Operation) -> Value {
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
                .header("authorization", format!("Bearer {}", self.machine_token))
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

/// An agent and an API token for it, straight through the storage layer.
async fn create_api_token(app: &TestApp) -> String {
    let storage = app.storage().await;
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
