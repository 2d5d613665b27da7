//! The composition root: the one place that names the app and every flow.
//! It connects the state, builds the router from each flow's `routes()`
//! and the pages Leptos draws, and starts the workers (the outbox and
//! housekeeping). Used by `main`, the integration tests (which bind port
//! 0) and the benches.

use crate::app::App;
use crate::mail::outbox;
use crate::paths::{with_segment, CAPTCHA_PREFIX, LANGUAGE_SWITCH_PATH, SERVER_FN_PREFIX};
use crate::server::document::{self, shell, Bundle};
use crate::server::{
    assets, captcha, config::Config, db, keys::Keys, language, limits, mailer::Mailer, packs,
    password::Hasher, security, sentences, AppState, Clock,
};
use crate::{
    account, activation, contact, lifecycle, login, management, recovery, second_step, signup,
};
use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::get_configuration;
use leptos::prelude::{provide_context, AnyView, IntoAny};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;

/// The portal, bound to its address with its workers started, ready to
/// serve ([`Application::run_until_stopped`]).
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

/// The state every part of Sésame works with, without serving anything:
/// connects to the database (applying its migrations), loads the shared
/// keys and prepares the mailer. Binds no port and starts no worker, so the
/// operator's commands (`sesame admin create`) can run beside a running
/// portal. Errors: the database is unreachable or refuses the migrations,
/// `SESAME_SMTP_URL` or `SESAME_MAIL_FROM` is malformed, the Leptos
/// configuration cannot be read.
pub async fn connect(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database_url).await?;
    crate::accounts::spelling::respell_stored_addresses(&db).await?;
    let mailer = Mailer::from_config(&config)?;
    let hasher = Hasher::new(config.hash_cost)?;
    let keys = Keys::load_or_create(&db, clock.now_seconds()).await?;
    let mut leptos_options = get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "sesame".into();
    }
    leptos_options.site_addr = config.site_addr;
    // A release built by cargo-leptos with `hash-files` leaves the hashes
    // next to the binary: use them even when started without cargo-leptos.
    if !leptos_options.hash_files {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.parent()
                    .map(|dir| dir.join(leptos_options.hash_file.as_ref()))
            })
            .is_some_and(|path| path.exists());
    }
    leptos_options.site_root = config.site_root.to_string_lossy().into_owned().into();
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf));
    let bundle = Arc::new(Bundle::load(
        &leptos_options,
        exe_dir.as_deref(),
        crate::app::LINKED_ROUTES,
    ));
    Ok(AppState {
        config: Arc::new(config),
        db,
        clock,
        mailer,
        hasher,
        keys,
        leptos_options,
        bundle,
        app: the_app,
    })
}

/// The app the document draws (`server::document::shell`).
fn the_app() -> AnyView {
    leptos::view! { <App /> }.into_any()
}

impl Application {
    /// [`connect`], then binds the listen address and starts the workers:
    /// the outbox's and housekeeping. Errors: those of [`connect`], or the
    /// address is taken.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let site_addr = config.site_addr;
        let state = connect(config, clock).await?;
        let listener = TcpListener::bind(site_addr)
            .await
            .with_context(|| format!("binding {site_addr}"))?;
        let router = router(state.clone());
        tokio::spawn(outbox::run_worker(state.clone()));
        tokio::spawn(crate::housekeeping::run(state.clone()));
        let pkg = state
            .config
            .site_root
            .join(state.leptos_options.site_pkg_dir.as_ref());
        tokio::task::spawn_blocking(move || match assets::precompress(&pkg) {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "precompressed the browser's files"),
            Err(error) => tracing::warn!(%error, "precompressing the browser's files failed"),
        });
        Ok(Application {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// `POST /api/…`: the flows' server functions, with the application's
/// state in their context (`server::door::FnRequest`).
async fn server_functions(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
        .into_response()
}

/// The routes Leptos draws, generated once per process.
///
/// Generating them runs the whole app with resource loading suspended
/// through a process-wide flag (`leptos_server`'s `SuppressResourceLoad`):
/// a page with data (a resource under `<Transition>`) that another instance
/// in the same process renders meanwhile waits for its data for ever
/// (leptos issue 4773). Another instance in the same process (the
/// integration tests run many portals at once) reuses the first one's list.
fn leptos_route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every flow's own routes (its plain door, in its `handlers.rs`): adding
/// a flow adds one line here.
fn flow_routes() -> Router<AppState> {
    Router::new()
        .merge(signup::handlers::routes())
        .merge(activation::handlers::routes())
        .merge(login::handlers::routes())
        .merge(second_step::handlers::routes())
        .merge(crate::security::handlers::routes())
        .merge(recovery::handlers::routes())
        .merge(account::handlers::routes())
        .merge(contact::handlers::routes())
        .merge(lifecycle::handlers::routes())
        .merge(management::handlers::routes())
        .merge(crate::not_me::handlers::routes())
}

/// The whole site: the flows' routes, the language switch, captchas, the
/// server functions, the dev mailbox (outside production), the browser's
/// files, and every other page drawn by Leptos, under the middleware
/// every answer goes through.
///
/// A request a flow's route answers is the flow's (its handler draws the
/// page, loading its data or sending the person to log in first); any
/// other, or another method at a flow's address (`GET /inscription`, whose
/// route takes the post), is drawn by Leptos.
pub fn router(state: AppState) -> Router {
    let context_state = state.clone();
    let provide_state = move || provide_context(context_state.clone());
    let options = state.leptos_options.clone();
    let app = state.app;
    let app_shell = move || shell(options.clone(), app);
    let leptos_pages: Router = Router::new()
        .leptos_routes_with_context(
            &state,
            leptos_route_list(),
            provide_state.clone(),
            app_shell,
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_state, move |options| shell(options, app)))
        .with_state(state.clone());
    let drawn_by_leptos = leptos_pages.clone();

    // Another method at a flow's address is Leptos's to draw (before the
    // other routes are added: their other methods stay 405).
    let flows =
        flow_routes().method_not_allowed_fallback(move |request: axum::extract::Request| {
            use tower::ServiceExt;
            let pages = drawn_by_leptos.clone();
            async move {
                match pages.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            }
        });
    let mut router: Router<AppState> = flows
        .route(LANGUAGE_SWITCH_PATH, get(language::switch))
        .route(&with_segment(CAPTCHA_PREFIX, "file"), get(captcha::serve))
        .route(
            &format!("{SERVER_FN_PREFIX}/{{*fn_name}}"),
            post(server_functions),
        );
    if state.config.dev_surfaces() {
        router = router.merge(crate::dev::routes());
    }
    let pkg = Router::new()
        .route(&format!("/{}/{{file}}", packs::FOLDER), get(packs::serve))
        .route(
            &format!("/{}/{{file}}", sentences::FOLDER),
            get(sentences::serve),
        )
        .fallback_service(assets::service(
            &state.config.site_root,
            &state.leptos_options.site_pkg_dir,
        ))
        .layer(axum::middleware::from_fn(assets::cache_headers))
        .with_state(state.clone());
    router
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), pkg)
        .fallback_service(leptos_pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            document::preload_chunks,
        ))
        .layer(axum::middleware::from_fn(security::without_trailing_slash))
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bounded_bodies,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::accounts::language::follow_the_person,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_posts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            security::panic_page,
        ))
        // Pages and answers are compressed as they are sent, so at the
        // fastest level, and in gzip even for a browser that takes brotli:
        // at that level both give the same size, and gzip takes a third to
        // a half of the time (the home page's 11.3 KB of HTML: 3.2 KB in
        // 29 µs against 3.1 KB in 80 µs with brotli quality 1; BENCHMARKS.md,
        // sixth pass). The other encodings are refused by name: a feature
        // that another crate turned on would otherwise make the layer pick
        // an encoding it has no encoder for, and send pages uncompressed.
        // The browser's files are compressed once, in brotli at its best
        // level (`assets::precompress`), and sent as they are.
        .layer(
            CompressionLayer::new()
                .no_br()
                .no_deflate()
                .no_zstd()
                .quality(CompressionLevel::Fastest),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
