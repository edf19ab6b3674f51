//! Headless Chromium driven through chromedriver (Debian's chromium and
//! chromium-driver), one browser per test, against the real service.

use std::{
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub struct Browser {
    pub client: Client,
    driver: Child,
    pub base: String,
    /// Where the browser saves what it downloads.
    pub downloads: tempfile::TempDir,
}

impl Browser {
    /// A fresh browser (own profile, no cookies) pointed at the service at `base`.
    pub async fn start(base: &str, language: &str) -> Self {
        let port = test_support::free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt package chromium-driver)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let downloads = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", format!("--lang={language}"),
                ],
                "prefs": {
                    "intl.accept_languages": language,
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Self {
            client,
            driver,
            base: base.to_owned(),
            downloads,
        }
    }

    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("no element {css}: {err}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// Clicks a link or a form's button and waits for the next page.
    pub async fn click(&self, css: &str) {
        let old_page = self.find("html").await;
        self.find(css).await.click().await.unwrap();
        self.wait_for_new_page(old_page).await;
    }

    /// Clicks something that should not leave the page (a form the browser refuses).
    pub async fn click_in_place(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    pub async fn click_element(&self, element: Element) {
        let old_page = self.find("html").await;
        element.click().await.unwrap();
        self.wait_for_new_page(old_page).await;
    }

    async fn wait_for_new_page(&self, old_page: Element) {
        let started = Instant::now();
        // The old page's root goes stale once the next page replaced it.
        while old_page.tag_name().await.is_ok() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the click did not lead to a new page"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.find("body").await;
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn body_text(&self) -> String {
        self.text("body").await
    }

    /// The session cookie, to make requests as this browser would.
    pub async fn cookie_header(&self) -> String {
        self.client
            .get_all_cookies()
            .await
            .unwrap()
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Saves the page as docs/screenshots/console-<name>.png when SCREENSHOTS=docs.
    pub async fn screenshot(&self, name: &str) {
        if std::env::var("SCREENSHOTS").as_deref() != Ok("docs") {
            return;
        }
        // The whole page, not just what fits in the window.
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1000)
            .clamp(600, 4000) as u32;
        self.client
            .set_window_size(1280, height + 120)
            .await
            .unwrap();
        let png = self.client.screenshot().await.unwrap();
        self.client.set_window_size(1280, 1000).await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("console-{name}.png")), png).unwrap();
    }

    pub async fn log_in(&self, email: &str, password: &str) {
        self.open("/console/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("#log-in").await;
    }

    /// Waits for the one file the browser downloaded, complete, and returns its name and
    /// bytes.
    pub async fn downloaded(&self) -> (String, Vec<u8>) {
        let started = Instant::now();
        loop {
            let files: Vec<std::path::PathBuf> = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect();
            // Chromium writes into a hidden temporary file, then a .crdownload one, renamed
            // once complete.
            let complete: Vec<(String, &std::path::PathBuf)> = files
                .iter()
                .map(|f| (f.file_name().unwrap().to_string_lossy().into_owned(), f))
                .filter(|(name, _)| !name.starts_with('.') && !name.ends_with(".crdownload"))
                .collect();
            if let [(name, file)] = complete.as_slice() {
                return (name.clone(), std::fs::read(file).unwrap());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no complete download: {files:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// The export page's button, clicked: the browser saves the CSV file, whose rows are the
/// account's ledger entries of the period.
#[tokio::test]
async fn the_export_button_downloads_the_ledger_entries_as_csv() {
    let app = crate::helpers::spawn_app().await;
    crate::add_agents(&app).await;
    let (id, _) = crate::customer(&app, "export@dupont-batiment.fr").await;
    let browser = Browser::start(&app.address, "fr").await;
    browser
        .log_in("paul@vendor.test", crate::AGENT_PASSWORD)
        .await;
    browser.open(&format!("/console/accounts/{id}")).await;
    browser.fill("#support-call-minutes", "20").await;
    browser
        .fill("#support-call-note", "Sauvegarde du poste")
        .await;
    browser.click("#log-support-call-submit").await;
    browser.fill("#credit-minutes", "2h").await;
    browser.fill("#credit-reference", "FAC-2026-0101").await;
    browser.click("#add-credit-submit").await;

    // "Today" where the console works (exports count days in its zone).
    let zone = account_server::config::SupportSettings::default().time_zone;
    let today = jiff::Zoned::now().with_time_zone(zone).date().to_string();
    browser
        .open(&format!(
            "/console/export?customer_id={id}&from=2026-01-01&to={today}"
        ))
        .await;
    browser.click_in_place("#export-submit").await;
    let (name, bytes) = browser.downloaded().await;
    assert!(name.ends_with(".csv"), "{name}");
    // A BOM, so spreadsheets read the accents right.
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header + support call + credit: {text}");
    assert!(lines[0].contains(';'), "semicolon-separated: {}", lines[0]);
    assert!(
        lines[1].contains(";-30;20;") && lines[1].contains("Sauvegarde du poste"),
        "{text}"
    );
    assert!(
        lines[2].contains(";120;") && lines[2].contains("FAC-2026-0101"),
        "{text}"
    );
    assert!(lines.iter().skip(1).all(|l| l.contains(&id)), "{text}");
    browser.close().await;
}
