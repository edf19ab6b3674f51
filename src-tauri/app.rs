//! The window: a thin Tauri layer. Each command below turns a call of the page into an
//! `AccountClient` call; each is declared in `build.rs` and granted in `capabilities/`.
//! The machine token never crosses into the page: the commands return account data and
//! error codes, nothing else.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};

use account_api::wire::{AccountDetails, AccountView};
use account_client::{
    identity::IdentityOverrides, AccountClient, ClientConfig, ClientError, Status,
};
use serde::Serialize;
use tauri::{Emitter, Manager};

use crate::options::{Options, Settings};

/// What the page learns at start (and again when a second launch hands new context).
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
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

/// Where this computer stands, as the page shows it.
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

/// Every command's error: a stable code the page turns into French or English.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    code: String,
    /// English, for logs; the page shows its own text for `code`.
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<account_api::error::FieldError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_seconds: Option<u64>,
    /// With `service_error`: the service's own code (e.g. `timeout`), which the page
    /// also has words for.
    #[serde(skip_serializing_if = "Option::is_none")]
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

struct AppState {
    client: Arc<AccountClient>,
    settings: Mutex<Settings>,
    /// Counts the window's moves and resizes, to save its place once they stop.
    window_changes: AtomicU64,
}

/// How long the window must stay still before its size and place are saved.
const WINDOW_STATE_SAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Saves the window's size and place once it has stayed still for a moment. The
/// window-state plugin itself writes them only when the program exits normally; a
/// program ended otherwise (killed, the session closing, a crash) would forget them.
fn save_window_state_soon(app: &tauri::AppHandle) {
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
}

#[tauri::command]
fn startup(state: tauri::State<'_, AppState>) -> Startup {
    Startup::of(&state.settings())
}

#[tauri::command]
async fn account_status(state: tauri::State<'_, AppState>) -> Reply<PageStatus> {
    Ok(match state.client.status().await? {
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
    Ok(state.client.register(&details).await?)
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
        .client
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
    Ok(state.client.link(&email, &password, move_machine).await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn edit(
    state: tauri::State<'_, AppState>,
    password: String,
    version: i64,
    details: AccountDetails,
) -> Reply<AccountView> {
    Ok(state.client.edit(&password, version, &details).await?)
}

/// The code mailed to the pending new address, as typed.
#[tauri::command(rename_all = "snake_case")]
async fn confirm_email(state: tauri::State<'_, AppState>, code: String) -> Reply<AccountView> {
    Ok(state.client.confirm_email(&code).await?)
}

#[tauri::command]
async fn cancel_email_change(state: tauri::State<'_, AppState>) -> Reply<AccountView> {
    Ok(state.client.cancel_email_change().await?)
}

#[tauri::command]
async fn unlink(state: tauri::State<'_, AppState>) -> Reply<()> {
    Ok(state.client.unlink().await?)
}

#[tauri::command(rename_all = "snake_case")]
async fn unlink_machine(
    state: tauri::State<'_, AppState>,
    machine_id: String,
    password: String,
) -> Reply<()> {
    Ok(state.client.unlink_machine(&machine_id, &password).await?)
}

/// The commands the page may call: `build.rs` declares them, the capability grants them.
#[cfg(test)]
const COMMANDS: &[&str] = &[
    "startup",
    "account_status",
    "register",
    "request_password",
    "link",
    "edit",
    "confirm_email",
    "cancel_email_change",
    "unlink",
    "unlink_machine",
];

/// Opens the window and runs until it is closed. Exits with status 1 if the window
/// system cannot be used, 11-like errors surface in the page.
pub fn run(settings: Settings, data_dir: Option<std::path::PathBuf>) {
    let client = match AccountClient::new(ClientConfig {
        service_url: settings.service_url.clone(),
        data_dir,
        identity: IdentityOverrides {
            machine_uid: std::env::var("CUSTOMER_ACCOUNT_MACHINE_UID").ok(),
            computer_name: std::env::var("CUSTOMER_ACCOUNT_COMPUTER_NAME").ok(),
        },
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        credential_namespace: None,
    }) {
        Ok(client) => Arc::new(client),
        Err(err) => {
            eprintln!("customer-account: {err}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
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
        .manage(AppState {
            client,
            settings: Mutex::new(settings),
            window_changes: AtomicU64::new(0),
        })
        .on_window_event(|window, event| {
            if matches!(
                event,
                tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)
            ) {
                save_window_state_soon(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            startup,
            account_status,
            register,
            request_password,
            link,
            edit,
            confirm_email,
            cancel_email_change,
            unlink,
            unlink_machine
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("customer-account: cannot open the window: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let build = include_str!("../build.rs");
        for command in COMMANDS {
            assert!(
                build.contains(&format!("\"{command}\"")),
                "build.rs lacks {command}"
            );
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
