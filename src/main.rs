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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = sesame::management::cli::parse(&args);
    if let Some(Err(usage)) = &command {
        eprintln!("{usage}");
        return std::process::ExitCode::FAILURE;
    }
    let app = match Application::build(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("start-up failed: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(Ok(admin)) = command {
        return create_admin(app.state(), admin).await;
    }
    tracing::info!("listening on http://{}", app.state().config.site_addr);
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("server error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `sesame admin create …`: creates the account, then delivers its
/// activation email (or leaves it in the dev mailbox without SMTP).
#[cfg(feature = "ssr")]
async fn create_admin(
    state: sesame::server::AppState,
    admin: sesame::management::cli::CreateAdmin,
) -> std::process::ExitCode {
    use sesame::management::cli::{create_admin, Created};
    match create_admin(&state, &admin).await {
        Ok(Created::Promoted) => {
            println!("{} is now an administrator.", admin.email);
            std::process::ExitCode::SUCCESS
        }
        Ok(Created::New) => {
            if state.config.smtp_url.is_some() {
                if let Err(error) = sesame::mail::outbox::deliver_due(&state).await {
                    eprintln!("the activation email will be retried by the server: {error:#}");
                }
            }
            println!(
                "Administrator {} created: the activation link was sent to that address.",
                admin.email
            );
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("creating the administrator failed: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
