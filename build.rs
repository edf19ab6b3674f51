// Generates the Tauri context and declares the app's own commands, so that capabilities
// (capabilities/*.json) can grant them as `allow-<command>` permissions.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["service_health"])),
    )
    .expect("failed to run tauri-build");
}
