use account_server::{config::Settings, telemetry, Application};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (settings, command) = match Settings::from_command_line() {
        Ok(found) => found,
        Err(err) => {
            eprintln!("account-server: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(command) = command {
        return match account_server::cli::run(&settings.database_url, command).await {
            Ok(out) => {
                println!("{out}");
                std::process::ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("account-server: {err}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    telemetry::init(settings.log_format);
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "cannot start");
            return std::process::ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped(telemetry::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "stopped on error");
            std::process::ExitCode::FAILURE
        }
    }
}
