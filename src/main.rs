//! `sesame`: serves the portal, or runs one operator command
//! (`sesame admin create …`) and exits. A command needs the database and the
//! outbox only: it binds no port and starts no worker, so it runs beside a
//! running portal on the same configuration.

/// Stack of each runtime thread, in bytes: drawing a page runs as nested
/// futures (lazy routes, suspense boundaries, the page), which need more
/// than tokio's default 2 MiB in an unoptimised build; it costs address
/// space only.
#[cfg(feature = "ssr")]
const THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()
    {
        Ok(runtime) => runtime.block_on(serve_or_run()),
        Err(error) => {
            eprintln!("starting the runtime failed: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "ssr")]
async fn serve_or_run() -> std::process::ExitCode {
    use sesame::management::cli;
    use sesame::server::{telemetry, Config, SystemClock};
    use sesame::startup;
    use std::process::ExitCode;
    use std::sync::Arc;

    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        None => None,
        Some(Ok(command)) => Some(command),
        Some(Err(usage)) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!("configuration refused: {error}");
            eprintln!("configuration refused: {error}");
            return ExitCode::FAILURE;
        }
    };
    for notice in config.development_notices() {
        tracing::warn!("{notice}");
    }
    if let Some(admin) = command {
        let state = match startup::connect(config, Arc::new(SystemClock)).await {
            Ok(state) => state,
            Err(error) => {
                eprintln!("creating the administrator failed: {error:#}");
                return ExitCode::FAILURE;
            }
        };
        return create_admin(state, admin).await;
    }
    let app = match startup::Application::build(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("start-up failed: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", app.state().config.site_addr);
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `sesame admin create …`: creates the account, then delivers its
/// activation email (or leaves it in the outbox for the dev mailbox, or for
/// the running portal's worker to retry).
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
