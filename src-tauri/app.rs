//! The window: a thin Tauri layer. Each command below turns a call of the page into an
//! `AccountClient` call; each is declared in `build.rs` and granted in `capabilities/`.
//! The machine token never crosses into the page: the commands return account data and
//! error codes, nothing else.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};

use account_api::wire::{AccountDetails, AccountView, EnrollmentKeyCreated, EnrollmentKeyView};
use account_client::{AccountClient, ClientConfig, ClientError, Status};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::options::{Options, Settings};

/// What the page learns at start (and again when a second launch hands new context).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    #[cfg_attr(test, ts(as = "account_api::domain::Language"))]
    pub language: String,
    pub service_url: String,
    pub version: String,
    /// The registration form, pre-filled from the host software's context.
    pub registration_form: AccountDetails,
}

impl Startup {
    fn of(settings: &Settings) -> Self {
        let mut form = settings.host.registration_form();
        form.language = Some(settings.language.as_str().to_owned());
        Startup {
            language: settings.language.as_str().to_owned(),
            service_url: settings.service_url.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            registration_form: form,
        }
    }
}

/// Where this machine stands, as the page shows it.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Status"))]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PageStatus {
    NotLinked,
    Linked {
        account: AccountView,
    },
    Offline {
        account: AccountView,
        fetched_at: String,
    },
}

/// The last account this computer saw, as kept in the data folder: the page paints it at
/// once, marked as being refreshed (never as fresh), while `account_status` asks the
/// credential store and the service. Account data only, like `account_status`'s.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Snapshot"))]
#[derive(Debug, Clone, Serialize)]
pub struct PageSnapshot {
    pub account: AccountView,
    /// When the service sent it (RFC 3339).
    pub fetched_at: String,
}

/// Every command's error: a stable code the page turns into French or English.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    code: String,
    /// English, for logs; the page shows its own text for `code`.
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    fields: Option<Vec<account_api::error::FieldError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    retry_after_seconds: Option<u64>,
    /// With `service_error`: the service's own code (e.g. `timeout`), which the page
    /// also has words for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    service_code: Option<String>,
}

impl From<ClientError> for CommandError {
    fn from(err: ClientError) -> Self {
        log::warn!("command failed: {}: {err}", err.code());
        let (fields, retry_after_seconds) = match &err {
            ClientError::Fields(fields) => (Some(fields.clone()), None),
            ClientError::RateLimited {
                retry_after_seconds,
            } => (None, Some(*retry_after_seconds)),
            _ => (None, None),
        };
        let service_code = match &err {
            ClientError::Service { code, .. } => Some(code.clone()),
            _ => None,
        };
        CommandError {
            code: err.code().to_owned(),
            message: err.to_string(),
            fields,
            retry_after_seconds,
            service_code,
        }
    }
}

type Reply<T> = Result<T, CommandError>;

/// The account client, built on its own thread while the window opens: building it reads
/// the system's trust store, connects to the credential store and describes the system
/// (on Linux by running `lsb_release`), none of which the first paint needs.
#[derive(Clone)]
struct ClientSlot(tokio::sync::watch::Receiver<Option<Arc<AccountClient>>>);

impl ClientSlot {
    #[cfg(test)]
    fn ready(client: Arc<AccountClient>) -> Self {
        Self(tokio::sync::watch::channel(Some(client)).1)
    }

    /// Starts building the client; a client that cannot be built ends the program as it
    /// did before the window opened (status 1, the reason on standard error).
    fn build(config: ClientConfig) -> Self {
        let (sender, receiver) = tokio::sync::watch::channel(None);
        std::thread::spawn(move || match AccountClient::new(config) {
            Ok(client) => {
                let _ = sender.send(Some(Arc::new(client)));
            }
            Err(err) => {
                eprintln!("customer-account: {err}");
                std::process::exit(1);
            }
        });
        Self(receiver)
    }

    async fn get(&self) -> Arc<AccountClient> {
        let mut receiver = self.0.clone();
        let client = receiver
            .wait_for(Option::is_some)
            .await
            .expect("the client's thread sends it or ends the program");
        Arc::clone(client.as_ref().expect("waited for"))
    }
}

struct AppState {
    client: ClientSlot,
    /// What the client was built from: where the last snapshot is read.
    config: ClientConfig,
    settings: Mutex<Settings>,
    /// Counts the window's moves and resizes, to save its place once they stop.
    window_changes: AtomicU64,
}

/// How long the window must stay still before its size and place are saved.
const WINDOW_STATE_SAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Saves the window's size and place once it has stayed still for a moment. The
/// window-state plugin itself writes them only when the program exits normally; a
/// program ended otherwise (killed, the session closing, a crash) would forget them.
fn save_window_state_soon<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let change = state.window_changes.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(WINDOW_STATE_SAVE_DELAY).await;
        let latest = app
            .state::<AppState>()
            .window_changes
            .load(Ordering::SeqCst);
        if latest == change {
            use tauri_plugin_window_state::AppHandleExt;
            if let Err(err) = app.save_window_state(tauri_plugin_window_state::StateFlags::all()) {
                log::warn!("cannot save the window's size and place: {err}");
            }
        }
    });
}

impl AppState {
    fn settings(&self) -> Settings {
        self.settings.lock().expect("settings lock").clone()
    }

    async fn client(&self) -> Arc<AccountClient> {
        self.client.get().await
    }
}

#[tauri::command]
fn startup(state: tauri::State<'_, AppState>) -> Startup {
    Startup::of(&state.settings())
}

/// The last snapshot, from the data folder alone (no credential store, no service): the
/// page's first paint. `None` on a computer that never showed an account, or no longer
/// linked.
#[tauri::command]
async fn account_snapshot(state: tauri::State<'_, AppState>) -> Reply<Option<PageSnapshot>> {
    Ok(PageSnapshot::of(&state.config))
}

impl PageSnapshot {
    fn of(config: &ClientConfig) -> Option<Self> {
        config.last_snapshot().map(|s| PageSnapshot {
            account: s.account,
            fetched_at: s.fetched_at,
        })
    }
}

/// What the page needs for its first paint — `startup`'s answer and the last snapshot —
/// handed over before it loads, as an initialization script: the page then paints without
/// an IPC round trip, and the first ones wait for the window's page load (measured: about
/// 100 ms). The page uses each once (ui/src/api.ts); account data only, no secret.
fn first_paint_script(startup: &Startup, snapshot: Option<PageSnapshot>) -> String {
    let handed = serde_json::json!({ "startup": startup, "snapshot": snapshot });
    format!("window.__CUSTOMER_ACCOUNT_FIRST_PAINT__ = {handed};")
}

/// On Linux the page's engine, WebKitGTK, does not know the `system-ui` font: the page is
/// told so on `<html>` (`data-system-ui="unknown"`) as the parser creates it, before any
/// layout, and styles.css then asks for the desktop's `sans-serif` directly. Before, the
/// page found it out itself by measuring text on a canvas, which made WebKitGTK set up its
/// fonts ahead of the first layout, and a layout that came before the page's script still
/// asked fontconfig for `system-ui` at every size: about 20 ms of the first paint on the
/// bench machine (issue 14). WebView2 (Windows) knows `system-ui` (Segoe UI).
const ENGINE_WITHOUT_SYSTEM_UI: &str = r#"
(() => {
  const mark = () => {
    const root = document.documentElement;
    if (root !== null) {
      root.dataset.systemUi = "unknown";
    }
    return root !== null;
  };
  if (!mark()) {
    const observer = new MutationObserver(() => mark() && observer.disconnect());
    observer.observe(document, { childList: true });
  }
})();"#;

/// Everything the page is handed before it loads: the first paint's data and, on Linux,
/// what its engine lacks.
fn page_init_script(first_paint: String) -> String {
    if cfg!(target_os = "linux") {
        first_paint + ENGINE_WITHOUT_SYSTEM_UI
    } else {
        first_paint
    }
}

#[tauri::command]
async fn account_status(state: tauri::State<'_, AppState>) -> Reply<PageStatus> {
    let client = state.client().await;
    let status = client.status().await?;
    // First start after an installation with an enrollment key: link with it.
    if let Some(linked) = crate::preset::link_with_preset(&client, &status).await {
        return Ok(PageStatus::Linked { account: linked? });
    }
    Ok(match status {
        Status::NotLinked => PageStatus::NotLinked,
        Status::Linked(account) => PageStatus::Linked { account },
        Status::Offline { snapshot, .. } => PageStatus::Offline {
            account: snapshot.account,
            fetched_at: snapshot.fetched_at,
        },
    })
}

#[tauri::command(rename_all = "snake_case")]
async fn register(state: tauri::State<'_, AppState>, details: AccountDetails) -> Reply<()> {
    let mut details = details;
    if details.language.as_deref().is_none_or(str::is_empty) {
        details.language = Some(state.settings().language.as_str().to_owned());
    }
    Ok(state.client().await.register(&details).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn request_password(
    state: tauri::State<'_, AppState>,
    email: String,
    language: Option<String>,
) -> Reply<()> {
    let language = language
        .and_then(|l| account_api::domain::Language::parse(&l).ok())
        .unwrap_or(state.settings().language);
    Ok(state
        .client()
        .await
        .request_password(&email, Some(language))
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn link(
    state: tauri::State<'_, AppState>,
    email: String,
    password: String,
    move_machine: bool,
) -> Reply<AccountView> {
    Ok(state
        .client()
        .await
        .link(&email, &password, move_machine)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn edit(
    state: tauri::State<'_, AppState>,
    password: String,
    version: i64,
    details: AccountDetails,
) -> Reply<AccountView> {
    Ok(state
        .client()
        .await
        .edit(&password, version, &details)
        .await?)
}

/// The code mailed to the pending new address, as typed.
#[tauri::command(rename_all = "snake_case")]
async fn confirm_email(state: tauri::State<'_, AppState>, code: String) -> Reply<AccountView> {
    Ok(state.client().await.confirm_email(&code).await?)
}

#[tauri::command]
async fn cancel_email_change(state: tauri::State<'_, AppState>) -> Reply<AccountView> {
    Ok(state.client().await.cancel_email_change().await?)
}

#[tauri::command]
async fn unlink(state: tauri::State<'_, AppState>) -> Reply<()> {
    Ok(state.client().await.unlink().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn unlink_machine(
    state: tauri::State<'_, AppState>,
    machine_id: String,
    password: String,
) -> Reply<()> {
    Ok(state
        .client()
        .await
        .unlink_machine(&machine_id, &password)
        .await?)
}

/// "Add several computers": a key for the account (password asked); shown once.
#[tauri::command(rename_all = "snake_case")]
async fn create_enrollment_key(
    state: tauri::State<'_, AppState>,
    password: String,
    label: String,
    uses: Option<i64>,
    valid_days: Option<i64>,
) -> Reply<EnrollmentKeyCreated> {
    Ok(state
        .client()
        .await
        .create_enrollment_key(&password, &label, uses, valid_days)
        .await?)
}

#[tauri::command]
async fn enrollment_keys(state: tauri::State<'_, AppState>) -> Reply<Vec<EnrollmentKeyView>> {
    Ok(state.client().await.enrollment_keys().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn revoke_enrollment_key(state: tauri::State<'_, AppState>, key_id: i64) -> Reply<()> {
    Ok(state.client().await.revoke_enrollment_key(key_id).await?)
}

/// Unlinks the computers the page listed as not seen for `not_seen_days` days.
#[tauri::command(rename_all = "snake_case")]
async fn unlink_stale_machines(
    state: tauri::State<'_, AppState>,
    password: String,
    not_seen_days: i64,
    machine_ids: Vec<String>,
) -> Reply<Vec<String>> {
    Ok(state
        .client()
        .await
        .unlink_stale_machines(&password, not_seen_days, &machine_ids)
        .await?)
}

/// On Linux, WebKitGTK is told, before it starts, what a one-page form needs of it: painting
/// without GPU compositing and JavaScript without its JIT. Measured on the bench machine
/// (issue 14): without compositing the first frame follows the first layout at once (no GL
/// set-up) and the WebKit processes hold about 80 MiB less; without the JIT they hold
/// about 8 MiB less, at no cost to the start (the page's code runs once, in the
/// interpreter, before any JIT would kick in), and no writable code pages. The look is the
/// same: the page has no 3-D, video or canvas that compositing would speed up. A value
/// the user set (e.g. to debug a driver) wins. Called before any other thread starts:
/// changing the environment is safe only then.
fn lean_web_engine() {
    #[cfg(target_os = "linux")]
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("JSC_useJIT", "0"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

/// Tauri's handler for the listed commands.
macro_rules! handlers {
    ($($command:ident),*) => {
        tauri::generate_handler![$($command),*]
    };
}

/// The commands the page may call (the list is in `commands.rs`).
#[cfg(test)]
pub const COMMANDS: &[&str] = window_commands!(command_names);

/// Opens the window and runs until it is closed. Exits with status 1 if the window
/// system cannot be used, 11-like errors surface in the page.
pub fn run(settings: Settings, data_dir: Option<std::path::PathBuf>) {
    lean_web_engine();
    let config = settings.client_config(data_dir);
    let client = ClientSlot::build(config.clone());
    let first_paint = first_paint_script(&Startup::of(&settings), PageSnapshot::of(&config));
    let builder = tauri::Builder::default()
        // First: a second launch hands its context to this window instead of opening one.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if let Ok(options) = <Options as clap::Parser>::try_parse_from(&argv) {
                if let Ok(settings) = options.global.settings() {
                    let startup = Startup::of(&settings);
                    if let Some(state) = app.try_state::<AppState>() {
                        *state.settings.lock().expect("settings lock") = settings;
                    }
                    let _ = app.emit("host-context", startup);
                }
            }
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(
            tauri_plugin_log::Builder::new()
                .clear_targets()
                .target(tauri_plugin_log::Target::new(
                    tauri_plugin_log::TargetKind::LogDir { file_name: None },
                ))
                .level(log::LevelFilter::Info)
                .build(),
        )
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(
            tauri::plugin::Builder::<_, ()>::new("first-paint")
                .js_init_script(page_init_script(first_paint))
                .build(),
        )
        .on_window_event(|window, event| {
            if matches!(
                event,
                tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)
            ) {
                save_window_state_soon(window.app_handle());
            }
        });
    let result = with_commands(builder, client, config, settings).run(context());
    if let Err(e) = result {
        eprintln!("customer-account: cannot open the window: {e}");
        std::process::exit(1);
    }
}

/// The page's commands and what they work with, on any Tauri runtime: the program adds
/// its plugins (single instance, window place, log file, clipboard) and window events
/// around it; the tests run it on Tauri's mock runtime.
fn with_commands<R: Runtime>(
    builder: tauri::Builder<R>,
    client: ClientSlot,
    config: ClientConfig,
    settings: Settings,
) -> tauri::Builder<R> {
    builder
        .manage(AppState {
            client,
            config,
            settings: Mutex::new(settings),
            window_changes: AtomicU64::new(0),
        })
        .invoke_handler(window_commands!(handlers))
}

/// tauri.conf.json, the page (ui/dist) and the capabilities, compiled in.
fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

#[cfg(test)]
mod tests {
    use super::*;
    use account_api::domain::{Language, RawPostalAddress};
    use account_client::host::HostContext;
    use serde_json::{json, Value};
    use tauri::{
        ipc::{CallbackFn, InvokeBody},
        test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY},
        webview::InvokeRequest,
        WebviewWindow,
    };
    use test_support::{machine::Machine, service::spawn_app, unique};

    /// A command invoked as the page invokes it: through IPC, checked against the
    /// capability compiled in from capabilities/.
    fn invoke(
        page: &WebviewWindow<MockRuntime>,
        command: &str,
        args: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            page,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: if cfg!(windows) {
                    "http://tauri.localhost"
                } else {
                    "tauri://localhost"
                }
                .parse()
                .unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.into(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    /// The window's commands without a window: Tauri's mock runtime, the real capability,
    /// the real service on loopback and the real credential store (run it as
    /// scripts/test.sh runs the tests that need one). The names and argument keys are
    /// the ones ui/src/api.ts sends.
    #[test]
    fn the_page_links_and_unlinks_through_the_commands() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let service = runtime.block_on(spawn_app());
        let machine = Machine::new("POSTE-IPC").with_own_store();
        let client = machine.client(&service.address);
        let service_url = service.address.clone();
        // What the snapshot is read from: this machine's data folder, for this service.
        let config = ClientConfig {
            service_url: service_url.clone(),
            data_dir: Some(machine.data_dir()),
            identity: Default::default(),
            app_version: "1.0.0-test".into(),
            credential_namespace: None,
        };
        let settings = Settings {
            service_url,
            language: Language::En,
            host: HostContext::default(),
        };
        let client = ClientSlot::ready(Arc::new(client));
        let app = with_commands(mock_builder(), client, config, settings)
            .build(context())
            .expect("the app builds on the mock runtime");
        let page = match app.get_webview_window("main") {
            Some(page) => page,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        };

        let startup = invoke(&page, "startup", json!({})).unwrap();
        assert_eq!(startup["language"], "en");
        assert_eq!(
            invoke(&page, "account_status", json!({})).unwrap(),
            json!({ "state": "not_linked" })
        );
        assert_eq!(
            invoke(&page, "account_snapshot", json!({})).unwrap(),
            Value::Null
        );

        let email = format!("{}@example.fr", unique("ipc"));
        let details = AccountDetails {
            email: email.clone(),
            company_name: "Dupont Bâtiment SARL".into(),
            contact_first_name: "Marie".into(),
            contact_last_name: "Dupont".into(),
            phone: "01 23 45 67 89".into(),
            siret: None,
            address: Some(RawPostalAddress {
                street: "12 rue des Lilas".into(),
                postal_code: "75011".into(),
                city: "Paris".into(),
                country: String::new(),
            }),
            language: None,
        };
        assert_eq!(
            invoke(&page, "register", json!({ "details": details })).unwrap(),
            Value::Null
        );
        let mail = runtime.block_on(service.smtp.wait_for_nth(&email, 1));
        let password = mail.password().expect("the mail gives the password");
        let account = invoke(
            &page,
            "link",
            json!({ "email": email, "password": password, "move_machine": false }),
        )
        .unwrap();
        let status = invoke(&page, "account_status", json!({})).unwrap();
        assert_eq!(status["state"], "linked");
        assert_eq!(status["account"]["customer_id"], account["customer_id"]);
        // The snapshot: the account as last fetched, and when; no secret.
        let snapshot = invoke(&page, "account_snapshot", json!({})).unwrap();
        assert_eq!(snapshot["account"], status["account"]);
        assert!(snapshot["fetched_at"].is_string(), "{snapshot}");
        let token = machine.token(&service.address).expect("the machine token");
        assert!(!snapshot.to_string().contains(&token), "{snapshot}");
        assert!(!snapshot.to_string().contains(&password), "{snapshot}");

        // The argument keys are snake_case, as the page sends them.
        let refused = invoke(
            &page,
            "unlink_machine",
            json!({ "machine_id": "no-such-machine", "password": password }),
        )
        .unwrap_err();
        assert_eq!(refused["code"], "machine_not_found", "{refused}");
        let misnamed = invoke(
            &page,
            "unlink_machine",
            json!({ "machineId": "no-such-machine", "password": password }),
        )
        .unwrap_err();
        assert!(misnamed.to_string().contains("machine_id"), "{misnamed}");

        // Only what the capability grants: reading the clipboard is not.
        let denied = invoke(&page, "plugin:clipboard-manager|read_text", json!({})).unwrap_err();
        assert!(denied.to_string().contains("not allowed"), "{denied}");

        assert_eq!(invoke(&page, "unlink", json!({})).unwrap(), Value::Null);
        assert_eq!(
            invoke(&page, "account_status", json!({})).unwrap(),
            json!({ "state": "not_linked" })
        );
        // Unlinked: nothing left to paint at the next start.
        assert_eq!(
            invoke(&page, "account_snapshot", json!({})).unwrap(),
            Value::Null
        );
    }

    /// The page gets the app's commands, clipboard writing and event listening: nothing else.
    #[test]
    fn the_capability_grants_exactly_the_apps_commands() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        for command in COMMANDS {
            let permission = format!("allow-{}", command.replace('_', "-"));
            assert!(
                granted.contains(&permission.as_str()),
                "{permission} not granted"
            );
        }
        let others: Vec<&&str> = granted
            .iter()
            .filter(|p| !p.starts_with("allow-"))
            .collect();
        assert_eq!(
            others,
            [
                &"clipboard-manager:allow-write-text",
                &"core:event:allow-listen",
                &"core:event:allow-unlisten"
            ]
        );
        assert_eq!(granted.len(), COMMANDS.len() + 3);
    }

    /// The first paint's data reaches the page as a plain object literal: `startup`'s
    /// answer and the snapshot (none on this computer).
    #[test]
    fn the_first_paint_is_handed_over_as_data() {
        let settings = Settings {
            service_url: "http://127.0.0.1:1".into(),
            language: Language::Fr,
            host: HostContext::default(),
        };
        let script = first_paint_script(&Startup::of(&settings), None);
        let handed = script
            .strip_prefix("window.__CUSTOMER_ACCOUNT_FIRST_PAINT__ = ")
            .and_then(|rest| rest.strip_suffix(';'))
            .unwrap_or_else(|| panic!("{script}"));
        let handed: Value = serde_json::from_str(handed).unwrap();
        assert_eq!(handed["startup"]["language"], "fr");
        assert_eq!(handed["startup"]["service_url"], "http://127.0.0.1:1");
        assert_eq!(handed["snapshot"], Value::Null);
    }

    #[test]
    fn errors_reach_the_page_as_codes_without_secrets() {
        let err: CommandError = ClientError::RateLimited {
            retry_after_seconds: 120,
        }
        .into();
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({
                "code": "rate_limited",
                "message": "too many attempts; try again in 120 s",
                "retry_after_seconds": 120
            })
        );
        let err: CommandError = ClientError::EmailCodeInvalid.into();
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({
                "code": "email_code_invalid",
                "message": "the e-mail confirmation code is wrong or expired"
            })
        );
    }
}
