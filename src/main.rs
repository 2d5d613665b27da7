#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use sesame::server::{startup::Application, telemetry, Config, SystemClock};
    use std::sync::Arc;

    telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!("configuration refused: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if config.captcha_test_answer.is_some() {
        tracing::warn!(
            "SESAME_CAPTCHA_TEST_ANSWER is set: every captcha has a fixed answer. Never use it outside tests."
        );
    }
    if config.smtp_url.is_none() {
        tracing::info!("no SESAME_SMTP_URL: emails are kept in the dev mailbox at /dev/mailbox");
    }
    let app = match Application::build(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("start-up failed: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", app.state().config.site_addr);
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("server error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
