//! The login flow's piece of the connected pages: "Déconnexion" (the login
//! box itself is on the home page, `home`).

use super::LogOut;
use crate::components::{shown_state, ActionAnswers, DoorAlert, DoorForm};
use crate::i18n::use_lang;
use crate::paths::LOGOUT_PATH;
use leptos::prelude::*;

/// The app's one "Déconnexion" action ([`provide_log_out`]).
#[derive(Clone, Copy)]
struct LogOutAction(ServerAction<LogOut>);

/// Gives the app its one "Déconnexion" action, whose answer is followed
/// above the pages: a press answered after its page gave way to another (a
/// tab clicked meanwhile, a page's data drawn in place of its loading
/// frame, `components::loaded_page`) still leads to the login box, and the
/// frame drawn next shows the press under way. Called once, inside the
/// router (the answer is a path followed in the app).
pub fn provide_log_out() {
    let action = ServerAction::<LogOut>::new();
    shown_state((), &[ActionAnswers::of(action)]);
    // A refusal is said on the page where "Déconnexion" was pressed, not on
    // every page after it.
    let path = leptos_router::hooks::use_location().pathname;
    Effect::new(move |seen: Option<()>| {
        path.track();
        if seen.is_some() && !action.pending().get_untracked() {
            action.value().set(None);
        }
    });
    provide_context(LogOutAction(action));
}

/// "Déconnexion": a plain post to [`LOGOUT_PATH`], or the server function
/// once hydrated; either way the login box then says "Vous êtes
/// déconnecté". Drawn under [`provide_log_out`] (the app's router).
#[component]
pub fn LogOutForm() -> impl IntoView {
    let lang = use_lang();
    let LogOutAction(action) = expect_context();
    view! {
        <DoorAlert action />
        <DoorForm action plain=LOGOUT_PATH>
            <button type="submit" class="button button--secondary">
                {lang.t("connected.logout")}
            </button>
        </DoorForm>
    }
}

/// How long the browser's autofill waits on one passkey ceremony before a
/// new one replaces it: under the server's 5 minutes
/// (`accounts::keys::CEREMONY_MINUTES`).
#[cfg(feature = "hydrate")]
const AUTOFILL_RENEWAL: std::time::Duration = std::time::Duration::from_secs(4 * 60);

/// "Se connecter avec une clé d'accès", under the login box (issue 27).
///
/// Once the page runs in a browser with WebAuthn, it opens a passkey login
/// so that the browser's autofill of the address field (marked
/// `autocomplete="username webauthn"`) offers the person's passkeys, and
/// shows the button, which asks in the browser's own prompt (the autofill's
/// wait is ended first: one request at a time). The answer goes to the
/// server function, whose refusal (`refusal`) is said beside the button and
/// announced; so is a prompt cancelled or timed out. Without JavaScript or
/// WebAuthn it says why no passkey is offered, and the password login
/// above works as ever.
#[component]
pub fn PasskeyLogin(
    action: ServerAction<super::LogInWithPasskey>,
    /// Where to go after logging in: a path of this site.
    next: String,
    /// The server's refusal of the last passkey, if it was the passkey's.
    refusal: Option<super::LoginRefusal>,
) -> impl IntoView {
    let lang = use_lang();
    // Unknown until the page runs in a browser.
    let supported = RwSignal::new(None::<bool>);
    // False when the portal's address cannot carry keys.
    let offered = RwSignal::new(true);
    let waiting = RwSignal::new(false);
    // A browser-side problem, as a catalogue key.
    let problem = RwSignal::new(None::<&'static str>);
    let next = StoredValue::new(next);
    let focus = refusal.is_some();
    let server_error = StoredValue::new(refusal.map(|refusal| refusal.message_key()));
    let shown_error = move || problem.get().or_else(|| server_error.get_value());
    let pending = action.pending();
    // Sends a passkey's answer for the ceremony it was given, from the
    // autofill or the button, unless the box was drawn again or left while
    // the browser waited: it has let go of `next` then (reading it would
    // stop the app), and the answer is for no one.
    #[cfg(feature = "hydrate")]
    let send_answer = move |ceremony, answer| {
        if let Some(next) = next.try_get_value() {
            action.dispatch(super::LogInWithPasskey {
                form: super::PasskeyLoginForm {
                    ceremony,
                    answer,
                    next,
                },
            });
        }
    };
    #[cfg(feature = "hydrate")]
    let autofill = StoredValue::new_local(None::<web_sys::AbortController>);
    #[cfg(feature = "hydrate")]
    let renewal_due = StoredValue::new(false);
    #[cfg(feature = "hydrate")]
    {
        use crate::components::{
            in_a_later_task, keys_available, passkey_autofill_available, use_passkey_from_autofill,
        };
        Effect::new(move |_| {
            let ok = keys_available();
            supported.set(Some(ok));
            if !ok {
                return;
            }
            leptos::task::spawn_local(async move {
                // Not in the task that hydrates the page: the request and
                // the browser's wait are a task of their own.
                in_a_later_task().await;
                if !passkey_autofill_available().await {
                    return;
                }
                // The button was pressed meanwhile: its prompt is the one
                // request (the autofill's wait is ended by a press, and
                // none had begun).
                if waiting.try_get_untracked() != Some(false) {
                    return;
                }
                // The server keeps a ceremony 5 minutes, the autofill may
                // wait longer: a new one replaces it every 4 minutes for as
                // long as the page shows the box.
                loop {
                    let Ok(controller) = web_sys::AbortController::new() else {
                        return;
                    };
                    let signal = controller.signal();
                    if autofill.try_set_value(Some(controller.clone())).is_some() {
                        return;
                    }
                    let offer = match super::open_passkey_login().await {
                        Ok(super::PasskeyOpening::Offer(offer)) => offer,
                        Ok(super::PasskeyOpening::NoPasskeys) => {
                            offered.set(false);
                            return;
                        }
                        _ => return,
                    };
                    let _ = renewal_due.try_set_value(false);
                    let renew = set_timeout_with_handle(
                        move || {
                            let _ = renewal_due.try_set_value(true);
                            controller.abort();
                        },
                        AUTOFILL_RENEWAL,
                    )
                    .ok();
                    let answer = use_passkey_from_autofill(&offer.options, &signal).await;
                    if let Some(renew) = renew {
                        renew.clear();
                    }
                    match answer {
                        Ok(answer) => {
                            send_answer(offer.ceremony, answer);
                            return;
                        }
                        // Renewed: wait again with a fresh ceremony.
                        Err(_) if renewal_due.try_get_value() == Some(true) => continue,
                        // Ended by the button, the page, or the browser.
                        Err(_) => return,
                    }
                }
            });
        });
        on_cleanup(move || {
            if let Some(Some(controller)) = autofill.try_get_value() {
                controller.abort();
            }
        });
    }
    let start = move |_| {
        if waiting.get_untracked() || pending.get_untracked() {
            return;
        }
        problem.set(None);
        server_error.set_value(None);
        waiting.set(true);
        #[cfg(feature = "hydrate")]
        {
            use crate::domain::UserMessage;
            if let Some(controller) = autofill.get_value() {
                controller.abort();
            }
            leptos::task::spawn_local(async move {
                let offer = match super::open_passkey_login().await {
                    Ok(super::PasskeyOpening::Offer(offer)) => offer,
                    Ok(super::PasskeyOpening::NoPasskeys) => {
                        waiting.set(false);
                        offered.set(false);
                        return;
                    }
                    Ok(super::PasskeyOpening::TooManyAttempts) => {
                        waiting.set(false);
                        problem.set(Some("login.too_many_attempts"));
                        return;
                    }
                    Err(error) => {
                        waiting.set(false);
                        problem.set(Some(error.message_key()));
                        return;
                    }
                };
                // No prompt for a box drawn again (another answer came
                // meanwhile) or left: see `send_answer`.
                if next.try_get_value().is_none() {
                    return;
                }
                let answer = crate::components::use_key(&offer.options).await;
                waiting.set(false);
                match answer {
                    Ok(answer) => send_answer(offer.ceremony, answer),
                    Err(error) => problem.set(Some(error.message_key())),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (action, next);
    };
    view! {
        <div class="field key-prompt passkey-login" class:field--invalid=move || shown_error().is_some()>
            {move || match (supported.get(), offered.get()) {
                (Some(true), true) => view! {
                    <button type="button" id="passkey-login" class="button button--secondary"
                        data-focus-after-update=focus.then_some("")
                        aria-describedby=move || shown_error().map(|_| "passkey-login-error")
                        aria-disabled=move || (waiting.get() || pending.get()).then_some("true")
                        on:click=start>
                        {lang.t("login.passkey_button")}
                    </button>
                }.into_any(),
                (Some(true), false) => ().into_any(),
                (Some(false), _) => view! {
                    <p class="hint">{lang.t("login.passkey_unsupported")}</p>
                }.into_any(),
                (None, _) => view! {
                    <noscript><p class="hint">{lang.t("login.passkey_needs_javascript")}</p></noscript>
                }.into_any(),
            }}
            // A polite live region, there before it speaks (the home page's
            // status role is its notice's).
            <p class="hint" aria-live="polite">
                {move || waiting.get().then(|| lang.t("login.passkey_waiting"))}
            </p>
            {move || shown_error().map(|key| view! {
                <p class="field__error" id="passkey-login-error" role="alert">{lang.t(key)}</p>
            })}
        </div>
    }
}
