//! The window: a thin Tauri layer whose page invokes the commands below, each granted
//! in `capabilities/` and declared in `build.rs`.

use std::time::Duration;

use serde::Serialize;

use crate::options::Settings;

/// How long the health check waits for the service, in all.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Opens the window and runs until it is closed. Exits with status 1 if the window
/// system cannot be used.
pub fn run(settings: Settings) {
    let result = tauri::Builder::default()
        .manage(settings)
        .invoke_handler(tauri::generate_handler![service_health])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("customer-account: cannot open the window: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

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
