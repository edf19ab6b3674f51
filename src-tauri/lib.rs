//! The desktop app: a thin Tauri adapter between the window's web page (`ui/`) and the
//! account service.
//!
//! Owns: reading the app's options (`--service-url`, `CUSTOMER_ACCOUNT_SERVICE_URL`),
//! building the window, and the commands the page may invoke (each one also named in
//! `build.rs` and granted in `capabilities/`). For now its one command checks the
//! service's health; later commands call the client library crate (`account-api`) and
//! only turn its results into what the page shows.
//!
//! Must not know: the service's API beyond that health check (that belongs to the client
//! library), how the server stores anything, nor any secret: the page gets results to
//! show, never credentials.

use std::ffi::OsString;
use std::time::Duration;

use serde::Serialize;

/// Environment variable naming the account service's base URL.
pub const SERVICE_URL_ENV: &str = "CUSTOMER_ACCOUNT_SERVICE_URL";
/// Command-line option naming the account service's base URL (wins over the variable).
pub const SERVICE_URL_OPTION: &str = "--service-url";
/// Base URL used when neither the option nor the variable is given.
pub const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:8080";
/// How long the health check waits for the service, in all.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The app's settings, read once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Base URL of the account service, without a trailing `/`.
    pub service_url: String,
}

/// Why the command line or the environment could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{SERVICE_URL_OPTION} needs a value: {SERVICE_URL_OPTION} <URL>")]
    MissingValue,
    #[error("unknown argument {0:?} (the only option is {SERVICE_URL_OPTION} <URL>)")]
    UnknownArgument(String),
    #[error("an argument is not valid Unicode: {0:?}")]
    NotUnicode(OsString),
    #[error("invalid service URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
}

impl Settings {
    /// Reads the settings from the command-line arguments (without the program name) and
    /// the value of [`SERVICE_URL_ENV`], if set. Order of precedence: option, variable,
    /// [`DEFAULT_SERVICE_URL`]. An empty variable counts as unset.
    pub fn from_args<I>(args: I, env_url: Option<String>) -> Result<Self, SettingsError>
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        let mut option_url = None;
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            let arg = arg.into_string().map_err(SettingsError::NotUnicode)?;
            if arg == SERVICE_URL_OPTION {
                let value = args.next().ok_or(SettingsError::MissingValue)?;
                option_url = Some(value.into_string().map_err(SettingsError::NotUnicode)?);
            } else if let Some(value) = arg
                .strip_prefix(SERVICE_URL_OPTION)
                .and_then(|rest| rest.strip_prefix('='))
            {
                option_url = Some(value.to_owned());
            } else {
                return Err(SettingsError::UnknownArgument(arg));
            }
        }
        let url = option_url
            .or(env_url.filter(|value| !value.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_SERVICE_URL.to_owned());
        Ok(Self {
            service_url: normalize_service_url(&url)?,
        })
    }
}

/// Checks that `url` is an absolute http(s) URL and drops trailing slashes, so that paths
/// can be appended with `/`.
fn normalize_service_url(url: &str) -> Result<String, SettingsError> {
    let invalid = |reason: String| SettingsError::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https".to_owned()));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment".to_owned()));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// What the page shows about the service. Serialized as
/// `{ url, reachable, status, error }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceHealth {
    /// The service's base URL (the check GETs `<url>/health/ready`).
    pub url: String,
    /// True when the service answered the readiness check with a success status.
    pub reachable: bool,
    /// The HTTP status the service answered with, e.g. `"200 OK"`, if it answered.
    pub status: Option<String>,
    /// Why the service is not reachable or not ready, if it is not.
    pub error: Option<String>,
}

/// GETs `<service_url>/health/ready` within [`HEALTH_TIMEOUT`]. Never fails: any
/// problem is reported in the result.
pub async fn check_service_health(service_url: &str) -> ServiceHealth {
    let base = service_url.trim_end_matches('/');
    let url = format!("{base}/health/ready");
    let unreachable = |status: Option<String>, error: String| ServiceHealth {
        url: base.to_owned(),
        reachable: false,
        status,
        error: Some(error),
    };
    let client = match reqwest::Client::builder().timeout(HEALTH_TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => return unreachable(None, format!("cannot set up HTTP: {}", error_chain(&e))),
    };
    match client.get(&url).send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                ServiceHealth {
                    url: base.to_owned(),
                    reachable: true,
                    status: Some(status.to_string()),
                    error: None,
                }
            } else {
                unreachable(
                    Some(status.to_string()),
                    format!("the service answered {status}"),
                )
            }
        }
        Err(e) if e.is_timeout() => unreachable(
            None,
            format!("no answer within {} s", HEALTH_TIMEOUT.as_secs()),
        ),
        Err(e) => unreachable(None, error_chain(&e)),
    }
}

/// An error and its sources on one line (reqwest's own message alone is vague).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Page command: the service's health (granted by `allow-service-health`).
#[tauri::command]
async fn service_health(settings: tauri::State<'_, Settings>) -> Result<ServiceHealth, ()> {
    Ok(check_service_health(&settings.service_url).await)
}

/// Starts the app: reads the settings, opens the window and runs until it is closed.
/// Exits with status 2 on bad options, 1 if the window system cannot be used.
pub fn run() {
    let env_url = std::env::var(SERVICE_URL_ENV).ok();
    let settings = match Settings::from_args(std::env::args_os().skip(1), env_url) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("customer-account: {e}");
            std::process::exit(2);
        }
    };
    let result = tauri::Builder::default()
        .manage(settings)
        .invoke_handler(tauri::generate_handler![service_health])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("customer-account: cannot run the app: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn settings(args: &[&str], env: Option<&str>) -> Result<Settings, SettingsError> {
        Settings::from_args(args.iter().copied(), env.map(str::to_owned))
    }

    #[test]
    fn default_url_without_option_or_variable() {
        assert_eq!(
            settings(&[], None).unwrap().service_url,
            DEFAULT_SERVICE_URL
        );
        assert_eq!(
            settings(&[], Some("  ")).unwrap().service_url,
            DEFAULT_SERVICE_URL
        );
    }

    #[test]
    fn option_wins_over_variable() {
        let env = Some("http://env.example:1");
        assert_eq!(
            settings(&[], env).unwrap().service_url,
            "http://env.example:1"
        );
        assert_eq!(
            settings(&["--service-url", "http://opt.example:2/"], env)
                .unwrap()
                .service_url,
            "http://opt.example:2"
        );
        assert_eq!(
            settings(&["--service-url=http://opt.example/base/"], env)
                .unwrap()
                .service_url,
            "http://opt.example/base"
        );
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(
            settings(&["--service-url"], None),
            Err(SettingsError::MissingValue)
        );
        assert_eq!(
            settings(&["--service-ur", "x"], None),
            Err(SettingsError::UnknownArgument("--service-ur".into()))
        );
        for url in [
            "not a url",
            "ftp://host",
            "http://host/?q=1",
            "127.0.0.1:8080",
        ] {
            assert!(
                matches!(
                    settings(&["--service-url", url], None),
                    Err(SettingsError::InvalidUrl { .. })
                ),
                "{url}"
            );
        }
    }

    /// Serves one HTTP request on loopback with `response`, returns the base URL and the
    /// thread that yields the request line it received.
    fn serve_once(response: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                assert!(n > 0, "connection closed before the request ended");
                request.extend_from_slice(&buf[..n]);
            }
            stream.write_all(response.as_bytes()).unwrap();
            let text = String::from_utf8_lossy(&request).into_owned();
            text.lines().next().unwrap_or_default().to_owned()
        });
        (url, handle)
    }

    #[tokio::test]
    async fn ready_service_is_reachable() {
        let (url, server) =
            serve_once("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        let health = check_service_health(&format!("{url}/")).await;
        assert_eq!(server.join().unwrap(), "GET /health/ready HTTP/1.1");
        assert_eq!(
            health,
            ServiceHealth {
                url: url.clone(),
                reachable: true,
                status: Some("200 OK".into()),
                error: None,
            }
        );
    }

    #[tokio::test]
    async fn unready_service_is_not_reachable() {
        let (url, server) = serve_once(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        let health = check_service_health(&url).await;
        server.join().unwrap();
        assert!(!health.reachable);
        assert_eq!(health.status.as_deref(), Some("503 Service Unavailable"));
        assert_eq!(
            health.error.as_deref(),
            Some("the service answered 503 Service Unavailable")
        );
    }

    #[tokio::test]
    async fn closed_port_gives_an_error() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let health = check_service_health(&format!("http://127.0.0.1:{port}")).await;
        assert!(!health.reachable);
        assert_eq!(health.status, None);
        let error = health.error.unwrap();
        assert!(!error.is_empty());
    }

    #[test]
    fn health_serializes_with_the_page_field_names() {
        let health = ServiceHealth {
            url: "http://x".into(),
            reachable: false,
            status: None,
            error: Some("e".into()),
        };
        assert_eq!(
            serde_json::to_value(&health).unwrap(),
            serde_json::json!({
                "url": "http://x",
                "reachable": false,
                "status": null,
                "error": "e"
            })
        );
    }
}
