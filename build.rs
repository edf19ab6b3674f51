// Generates the Tauri context and declares the app's own commands, so that capabilities
// (capabilities/*.json) can grant them as `allow-<command>` permissions.
include!("src-tauri/commands.rs");

fn main() {
    let commands: &[&str] = window_commands!(command_names);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
