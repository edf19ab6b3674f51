// Generates the Tauri context and declares the app's own commands, so that capabilities
// (capabilities/*.json) can grant them as `allow-<command>` permissions. Keep the list
// in step with `app::COMMANDS`.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
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
        ]),
    ))
    .expect("failed to run tauri-build");
}
