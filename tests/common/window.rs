//! The app's real window, driven through WebDriver: its own Xvfb display, tauri-driver
//! (with WebKitWebDriver) on free ports, and the app binary launched by the driver.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{elements::Element, key::Key, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use test_support::machine::Machine;

/// A virtual display (Xvfb picks a free number and tells it).
struct Display {
    process: Child,
    name: String,
}

impl Display {
    fn start() -> Self {
        let mut process = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (apt package xvfb)");
        let mut line = String::new();
        BufReader::new(process.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Self {
            process,
            name: format!(":{}", line.trim()),
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        // The app is single-instance: a window of this display still closing would take
        // the next test's launch for its own, and that test would get no session. Its
        // processes go with the display (without it they die of the lost connection).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = processes_on_display(&self.name);
            if left.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                for pid in left {
                    let _ = Command::new("kill")
                        .arg("-KILL")
                        .arg(pid.to_string())
                        .status();
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The processes started on display `name` (from their environment; a process that
/// ended has none left to read).
fn processes_on_display(name: &str) -> Vec<u32> {
    let wanted = format!("DISPLAY={name}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let environment = std::fs::read(entry.path().join("environ")).ok()?;
            environment
                .split(|byte| *byte == 0)
                .any(|variable| variable == wanted.as_bytes())
                .then_some(pid)
        })
        .collect()
}

struct Driver {
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM: tauri-driver then stops its WebKitWebDriver (SIGKILL would orphan it).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.process.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn tauri_driver() -> PathBuf {
    if let Ok(path) = std::env::var("TAURI_DRIVER") {
        return path.into();
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    match cargo_bin {
        Some(path) if path.exists() => path,
        _ => "tauri-driver".into(),
    }
}

/// A transparent dot, blinking on every frame until `window.__screenshotTaken()` removes it.
const PAINT_UNTIL_SHOT: &str = r#"
    const dot = document.createElement("div");
    dot.setAttribute("aria-hidden", "true");
    Object.assign(dot.style, {
        position: "fixed", left: "0", top: "0", width: "1px", height: "1px",
        pointerEvents: "none", background: "transparent",
    });
    document.body.append(dot);
    let frame = requestAnimationFrame(function blink() {
        dot.style.visibility = dot.style.visibility === "hidden" ? "visible" : "hidden";
        frame = requestAnimationFrame(blink);
    });
    window.__screenshotTaken = () => {
        cancelAnimationFrame(frame);
        dot.remove();
        delete window.__screenshotTaken;
    };
"#;

/// The app is single-instance per session: a second launch would hand its context to the
/// first window. Tests therefore open one window at a time.
static ONE_WINDOW: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(Default::default);

/// The app's window on `machine`, talking to the service at `service_url`.
/// See [`Window::page_timings`].
pub struct PageTimings {
    pub origin: f64,
    pub first_paint: Option<f64>,
    pub mark: Option<f64>,
}

pub struct Window {
    pub client: Client,
    _driver: Driver,
    _display: Display,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl Window {
    pub async fn open(service_url: &str, machine: &Machine, language: &str) -> Window {
        let args = ["--service-url", service_url, "--lang", language];
        Self::launch(Path::new(super::PROGRAM), &args, machine)
            .await
            .0
    }

    /// Launches `application` with `args` on `machine`; also returns when the
    /// WebDriver session was asked for, i.e. when the program was about to start.
    pub async fn launch(application: &Path, args: &[&str], machine: &Machine) -> (Window, Instant) {
        let turn = ONE_WINDOW.clone().lock_owned().await;
        let display = Display::start();
        let port = test_support::free_port();
        let native_port = test_support::free_port();
        // What the driver and the app say, shown if no session starts.
        let driver_log = tempfile::NamedTempFile::new().expect("a temporary file");
        let process = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display.name)
            .envs(machine.environment())
            .stdout(Stdio::null())
            .stderr(driver_log.reopen().expect("the driver's log"))
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver --version ^2 --locked)");
        let driver = Driver { process };
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": application, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let mut asked;
        let client = loop {
            asked = Instant::now();
            let attempt = tokio::time::timeout(
                Duration::from_secs(20),
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&url),
            )
            .await;
            match attempt {
                Ok(Ok(client)) => break client,
                _ if started.elapsed() < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                other => panic!(
                    "no WebDriver session: {other:?}\n{}",
                    std::fs::read_to_string(driver_log.path()).unwrap_or_default()
                ),
            }
        };
        let window = Window {
            client,
            _driver: driver,
            _display: display,
            _turn: turn,
        };
        (window, asked)
    }

    /// The element, once it is there and displayed (up to 20 s).
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return element;
                }
            }
            if started.elapsed() > Duration::from_secs(20) {
                let source = self.client.source().await.unwrap_or_default();
                panic!(
                    "{css} never appeared; page: {}",
                    &source[..source.len().min(3000)]
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element, once it is displayed and enabled (up to 20 s): as at start, while the
    /// last snapshot is on show read-only until the service's answer replaces it.
    pub async fn find_enabled(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            let element = self.find(css).await;
            if element.is_enabled().await.unwrap_or(false) {
                return element;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{css} stays disabled"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks `css` once it is enabled and nothing covers it (a notice, or a sticky header the page was
    /// scrolled under): as a user would, waiting or scrolling it to the middle.
    pub async fn click(&self, css: &str) {
        let started = Instant::now();
        loop {
            let element = self.find_enabled(css).await;
            match element.click().await {
                Ok(()) => return,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted
                        && started.elapsed() < Duration::from_secs(10) =>
                {
                    let arguments = vec![serde_json::to_value(&element).unwrap()];
                    self.client
                        .execute("arguments[0].scrollIntoView({block: 'center'});", arguments)
                        .await
                        .unwrap();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("{css} cannot be clicked: {e}"),
            }
        }
    }

    /// Replaces the field's value with `text`, as typed (once the field is enabled).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find_enabled(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Waits until `css`'s text contains `expected`, and returns it.
    pub async fn wait_text(&self, css: &str, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(css).await;
            if text.contains(expected) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{css} says {text:?}, never {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Waits until no element matching `css` is displayed.
    pub async fn wait_hidden(&self, css: &str) {
        let started = Instant::now();
        loop {
            let shown = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.is_displayed().await.unwrap_or(false),
                Err(_) => false,
            };
            if !shown {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{css} stays displayed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot of the window as `name`.png under target/screenshots (and
    /// into docs/screenshots when SCREENSHOTS=docs, to refresh the README's pictures).
    pub async fn screenshot(&self, name: &str) {
        self.wait_hidden("#loading").await;
        // Let the page paint what it just shown.
        tokio::time::sleep(Duration::from_millis(300)).await;
        // WebKitGTK without compositing (the program's choice on Linux, src-tauri/app.rs)
        // takes a WebDriver screenshot at the page's next paint, and an idle page does not
        // paint: meanwhile a transparent dot blinks, so that a paint comes and nothing on
        // show changes.
        self.client.execute(PAINT_UNTIL_SHOT, vec![]).await.unwrap();
        let png = self.client.screenshot().await;
        let _ = self
            .client
            .execute("window.__screenshotTaken?.();", vec![])
            .await;
        let png = png.unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("target/screenshots")];
        if std::env::var("SCREENSHOTS").as_deref() == Ok("docs") {
            dirs.push(root.join("docs/screenshots"));
        }
        for dir in dirs {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        }
    }

    /// The X display the window is on (for another program on the same screen).
    pub fn display(&self) -> &str {
        &self._display.name
    }

    /// Types `keys` (text or `fantoccini::key::Key`s) into the focused element.
    pub async fn press(&self, keys: &str) {
        let focused = self.client.active_element().await.unwrap();
        focused.send_keys(keys).await.unwrap();
    }

    /// Presses `key` in the focused element.
    pub async fn key(&self, key: Key) {
        self.press(&char::from(key).to_string()).await;
    }

    /// The `id` of the focused element ("" if it has none).
    pub async fn focused_id(&self) -> String {
        let focused = self.client.active_element().await.unwrap();
        focused.attr("id").await.unwrap().unwrap_or_default()
    }

    /// The page's own clock (ms): when it started (`performance.timeOrigin`, since the Unix
    /// epoch), its first contentful paint and the performance mark `mark` (ui/src/page.ts
    /// marks `screen:<id>`), each relative to that start. WebKit leaves the paint entry out
    /// now and then.
    pub async fn page_timings(&self, mark: &str) -> PageTimings {
        let page = self
            .client
            .execute(
                "const paint = performance.getEntriesByName('first-contentful-paint')[0];
                 const mark = performance.getEntriesByName(arguments[0])[0];
                 return [performance.timeOrigin, paint ? paint.startTime : null,
                         mark ? mark.startTime : null];",
                vec![json!(mark)],
            )
            .await
            .expect("the page's timings");
        PageTimings {
            origin: page[0].as_f64().expect("performance.timeOrigin"),
            first_paint: page[1].as_f64(),
            mark: page[2].as_f64(),
        }
    }

    /// Waits until the field `css` holds `expected`.
    pub async fn wait_value(&self, css: &str, expected: &str) {
        let started = Instant::now();
        loop {
            let value = self.value(css).await;
            if value == expected {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{css} holds {value:?}, never {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
