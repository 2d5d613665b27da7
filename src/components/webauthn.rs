//! The browser's side of a security key or passkey (WebAuthn Level 3,
//! 5.1.3 "Create a New Credential" and 5.1.4 "Use an Existing
//! Credential"): hands the server's options to `navigator.credentials`
//! and the authenticator's answer back as JSON text, its binary fields in
//! base64url ([`crate::domain::base64url`]). It collects; the server
//! decides (`accounts::keys`).
//!
//! Without JavaScript, or in a browser without WebAuthn, [`available`] is
//! false and the pages offer the other methods only.

use crate::domain::UserMessage;
use serde::{Deserialize, Serialize};

/// Why the browser gave no credential, said beside the key's button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPromptError {
    /// `NotAllowedError` or `AbortError`: the prompt timed out, was
    /// cancelled, or no key answered (WebAuthn 5.1.3 step 21, 5.1.4.1).
    CancelledOrTimedOut,
    /// `InvalidStateError` on creation: this key is already registered to
    /// the account (its `excludeCredentials`).
    AlreadyRegistered,
    /// No WebAuthn here: an old browser, or one that refuses it for this
    /// address (`SecurityError`, `NotSupportedError`).
    Unavailable,
    /// The options could not be read, or the browser failed otherwise.
    Failed,
}

impl UserMessage for KeyPromptError {
    fn message_key(&self) -> &'static str {
        match self {
            KeyPromptError::CancelledOrTimedOut => "errors.key.cancelled",
            KeyPromptError::AlreadyRegistered => "errors.key.already_registered",
            KeyPromptError::Unavailable => "errors.key.unavailable",
            KeyPromptError::Failed => "errors.key.failed",
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{available, conditional_available, create, get, get_conditional};

#[cfg(feature = "hydrate")]
mod browser {
    use super::KeyPromptError;
    use crate::domain::base64url;
    use js_sys::{Array, Function, Object, Reflect, Uint8Array, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn field(object: &JsValue, name: &str) -> JsValue {
        Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    fn set(object: &JsValue, name: &str, value: &JsValue) {
        let _ = Reflect::set(object, &JsValue::from_str(name), value);
    }

    /// Replaces the base64url text at `object[name]` by its bytes.
    fn to_bytes(object: &JsValue, name: &str) -> Result<(), KeyPromptError> {
        let text = field(object, name)
            .as_string()
            .ok_or(KeyPromptError::Failed)?;
        let bytes = base64url::decode(&text).map_err(|_| KeyPromptError::Failed)?;
        set(object, name, &Uint8Array::from(bytes.as_slice()));
        Ok(())
    }

    /// The same for the `id` of each credential listed at `object[name]`.
    fn ids_to_bytes(object: &JsValue, name: &str) -> Result<(), KeyPromptError> {
        let list = field(object, name);
        if list.is_undefined() || list.is_null() {
            return Ok(());
        }
        for entry in Array::from(&list).iter() {
            to_bytes(&entry, "id")?;
        }
        Ok(())
    }

    /// An `ArrayBuffer` as base64url text; `null` stays `null`.
    fn text(buffer: &JsValue) -> JsValue {
        if buffer.is_undefined() || buffer.is_null() {
            return JsValue::NULL;
        }
        JsValue::from_str(&base64url::encode(&Uint8Array::new(buffer).to_vec()))
    }

    /// A DOMException's name, as WebAuthn's algorithms name their errors.
    fn refusal(error: JsValue) -> KeyPromptError {
        match field(&error, "name").as_string().as_deref() {
            Some("NotAllowedError" | "AbortError") => KeyPromptError::CancelledOrTimedOut,
            Some("InvalidStateError") => KeyPromptError::AlreadyRegistered,
            Some("SecurityError" | "NotSupportedError") => KeyPromptError::Unavailable,
            _ => KeyPromptError::Failed,
        }
    }

    fn credentials() -> Result<web_sys::CredentialsContainer, KeyPromptError> {
        if !available() {
            return Err(KeyPromptError::Unavailable);
        }
        let window = web_sys::window().ok_or(KeyPromptError::Unavailable)?;
        Ok(window.navigator().credentials())
    }

    /// The credential's common fields: `id`, `rawId`, `type`.
    fn answer(credential: &JsValue, response: &Object) -> Result<String, KeyPromptError> {
        let out = Object::new();
        set(&out, "id", &field(credential, "id"));
        set(&out, "rawId", &text(&field(credential, "rawId")));
        set(&out, "type", &field(credential, "type"));
        set(&out, "response", response);
        JSON::stringify(&out)
            .ok()
            .and_then(|json| json.as_string())
            .ok_or(KeyPromptError::Failed)
    }

    /// Whether this browser has WebAuthn (`window.PublicKeyCredential`).
    pub fn available() -> bool {
        web_sys::window()
            .map(|window| field(&window, "PublicKeyCredential").is_function())
            .unwrap_or(false)
    }

    /// Registers a new credential for the server's options (the JSON of a
    /// `CreationChallengeResponse`): the attestation as JSON text.
    ///
    /// Errors: [`KeyPromptError`], from the browser's refusal.
    pub async fn create(options: &str) -> Result<String, KeyPromptError> {
        let parsed = JSON::parse(options).map_err(|_| KeyPromptError::Failed)?;
        let public_key = field(&parsed, "publicKey");
        to_bytes(&public_key, "challenge")?;
        to_bytes(&field(&public_key, "user"), "id")?;
        ids_to_bytes(&public_key, "excludeCredentials")?;
        let request = Object::new();
        set(&request, "publicKey", &public_key);
        let promise = credentials()?
            .create_with_options(request.unchecked_ref())
            .map_err(refusal)?;
        let credential = JsFuture::from(promise).await.map_err(refusal)?;
        let response = field(&credential, "response");
        let out = Object::new();
        set(
            &out,
            "attestationObject",
            &text(&field(&response, "attestationObject")),
        );
        set(
            &out,
            "clientDataJSON",
            &text(&field(&response, "clientDataJSON")),
        );
        if let Ok(get_transports) = field(&response, "getTransports").dyn_into::<Function>() {
            if let Ok(transports) = get_transports.call0(&response) {
                set(&out, "transports", &transports);
            }
        }
        answer(&credential, &out)
    }

    /// Asks for an assertion for the server's options (the JSON of a
    /// `RequestChallengeResponse`) in the browser's modal prompt, whatever
    /// mediation the options name: the assertion as JSON text.
    ///
    /// Errors: [`KeyPromptError`], from the browser's refusal.
    pub async fn get(options: &str) -> Result<String, KeyPromptError> {
        request(options, None, None).await
    }

    /// The same through the browser's autofill of a field marked
    /// `autocomplete="username webauthn"` (WebAuthn Level 3, 5.1.4
    /// `mediation: "conditional"`): it resolves once the person picks a
    /// passkey there; `signal` ends the wait (then
    /// [`KeyPromptError::CancelledOrTimedOut`]).
    ///
    /// Errors: [`KeyPromptError`], from the browser's refusal.
    pub async fn get_conditional(
        options: &str,
        signal: &web_sys::AbortSignal,
    ) -> Result<String, KeyPromptError> {
        request(options, Some("conditional"), Some(signal)).await
    }

    /// Whether this browser offers passkeys in its autofill
    /// (`PublicKeyCredential.isConditionalMediationAvailable()`).
    pub async fn conditional_available() -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let class = field(&window, "PublicKeyCredential");
        let Ok(check) = field(&class, "isConditionalMediationAvailable").dyn_into::<Function>()
        else {
            return false;
        };
        let Ok(promise) = check.call0(&class) else {
            return false;
        };
        match JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(answer) => answer.as_bool().unwrap_or(false),
            Err(_) => false,
        }
    }

    async fn request(
        options: &str,
        mediation: Option<&str>,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<String, KeyPromptError> {
        let parsed = JSON::parse(options).map_err(|_| KeyPromptError::Failed)?;
        let public_key = field(&parsed, "publicKey");
        to_bytes(&public_key, "challenge")?;
        ids_to_bytes(&public_key, "allowCredentials")?;
        let request = Object::new();
        set(&request, "publicKey", &public_key);
        if let Some(mediation) = mediation {
            set(&request, "mediation", &JsValue::from_str(mediation));
        }
        if let Some(signal) = signal {
            set(&request, "signal", signal);
        }
        let promise = credentials()?
            .get_with_options(request.unchecked_ref())
            .map_err(refusal)?;
        let credential = JsFuture::from(promise).await.map_err(refusal)?;
        let response = field(&credential, "response");
        let out = Object::new();
        for name in [
            "authenticatorData",
            "clientDataJSON",
            "signature",
            "userHandle",
        ] {
            set(&out, name, &text(&field(&response, name)));
        }
        answer(&credential, &out)
    }
}

use leptos::prelude::*;

/// Which WebAuthn ceremony a [`KeyPrompt`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCeremony {
    /// Register a new key (`navigator.credentials.create`).
    Create,
    /// Use a registered key (`navigator.credentials.get`).
    Get,
}

/// The button that runs a key's ceremony in the browser, for the options
/// the server made (`options`, JSON), and hands the answer to the page
/// (`on_answer`), which posts it to the flow's server function.
///
/// Without JavaScript or WebAuthn it says so instead of offering the
/// button (the page's other methods stay). While the browser's prompt is
/// open the button is disabled and a status line says what to do; an
/// error (cancelled, timed out, already registered, refused by the server:
/// `error`) is said beside it and announced (WCAG 2.1 4.1.3). The button's
/// id is `name`, so that the error summary's link reaches it.
#[component]
pub fn KeyPrompt(
    options: Option<String>,
    ceremony: KeyCeremony,
    /// Catalogue key of the button's text.
    label: &'static str,
    /// The button's id, as the error summary names the field.
    name: &'static str,
    /// The server's refusal of the last answer, as a catalogue key.
    error: Option<String>,
    on_answer: Callback<String>,
    /// Focus the button as the page is drawn.
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    // Unknown until the page runs in a browser: the first load, and a
    // browser without JavaScript, say that keys need it.
    let supported = RwSignal::new(None::<bool>);
    let waiting = RwSignal::new(false);
    let refused = RwSignal::new(None::<KeyPromptError>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| supported.set(Some(available())));
    // The button exists only once the page runs (above): `autofocus` gives
    // it the focus then, since the browser's own autofocus came and went
    // with the first drawing (WCAG 2.4.3).
    let button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(button) = button.get() {
            if autofocus {
                let _ = button.focus();
            }
        }
    });
    let options = StoredValue::new(options);
    let start = move |_| {
        if waiting.get_untracked() {
            return;
        }
        let Some(options) = options.get_value() else {
            refused.set(Some(KeyPromptError::Failed));
            return;
        };
        refused.set(None);
        waiting.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let answer = match ceremony {
                KeyCeremony::Create => create(&options).await,
                KeyCeremony::Get => get(&options).await,
            };
            waiting.set(false);
            match answer {
                // A page drawn again or left while the key was awaited has
                // let go of `on_answer`: the answer is for no one (calling
                // what was let go of would stop the app).
                Ok(answer) => {
                    let _ = on_answer.try_run(answer);
                }
                Err(error) => refused.set(Some(error)),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (options, ceremony, on_answer);
    };
    let error_id = StoredValue::new(format!("{name}-error"));
    let server_error = StoredValue::new(error);
    let shown_error = move || {
        refused
            .get()
            .map(|error| error.message_key().to_owned())
            .or_else(|| server_error.get_value())
    };
    view! {
        <div class="field key-prompt" class:field--invalid=move || shown_error().is_some()>
            {move || match supported.get() {
                Some(true) => view! {
                    <button type="button" id=name class="button button--primary"
                        node_ref=button
                        autofocus=autofocus
                        data-focus-on-arrival=autofocus.then_some("")
                        aria-describedby=move || shown_error().map(|_| error_id.get_value())
                        aria-disabled=move || waiting.get().then_some("true")
                        on:click=start>
                        {lang.t(label)}
                    </button>
                }.into_any(),
                Some(false) => view! {
                    <p class="hint" id=name>{lang.t("key.unsupported")}</p>
                }.into_any(),
                None => view! {
                    <p class="hint" id=name>{lang.t("key.needs_javascript")}</p>
                }.into_any(),
            }}
            <p class="hint" role="status">
                {move || waiting.get().then(|| lang.t("key.touch"))}
            </p>
            {move || shown_error().map(|key| view! {
                <p class="field__error" id=format!("{name}-error") role="alert">{lang.t(&key)}</p>
            })}
        </div>
    }
}
