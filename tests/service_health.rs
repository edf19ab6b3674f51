//! The window's health check against the real account service on loopback.

use std::time::Duration;

use account_server::{
    config::{LogFormat, MailSettings, MailTransportSettings, Settings},
    Application,
};
use customer_account::check_service_health;

#[tokio::test]
async fn the_app_sees_a_running_service_as_reachable() {
    let data = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", data.path().join("a.db").display()),
        public_url: "http://accounts.test".into(),
        mail: MailSettings {
            transport: MailTransportSettings::File {
                dir: data.path().join("outbox"),
            },
            from: "Customer account <no-reply@accounts.test>".into(),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(1),
        },
        trust_forwarded_for: false,
        log_format: LogFormat::Text,
    };
    let app = Application::build(settings).await.unwrap();
    let url = format!("http://127.0.0.1:{}/", app.port());
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let health = check_service_health(&url).await;
    assert!(health.reachable, "{health:?}");
    assert_eq!(health.status.as_deref(), Some("200 OK"));
    assert_eq!(health.error, None);
}

#[tokio::test]
async fn the_app_says_why_a_stopped_service_is_unreachable() {
    let port = test_support::free_port();
    let health = check_service_health(&format!("http://127.0.0.1:{port}")).await;
    assert!(!health.reachable);
    assert!(health.error.unwrap().contains("onnection refused"));
}
