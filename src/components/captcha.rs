use crate::i18n::use_lang;
use crate::paths::CAPTCHA_PREFIX;
use leptos::prelude::*;

/// The captcha block: the image of five characters, a button for a new
/// image, its audio version (spelled in English, in a player that opens on
/// demand: RGAA 11.1's alternative to an image captcha, WCAG 1.1.1), and
/// the field to copy them into.
///
/// The image is drawn by the server at `/captcha/{id}.png`; its answer never
/// leaves the server. A new image keeps the same challenge id: the server
/// draws new characters for it. Without JavaScript the button submits the
/// form with `intent=new_captcha`, which redraws the page with everything
/// already typed.
#[component]
pub fn CaptchaField(
    /// Challenge id, issued with the page.
    #[prop(into)]
    challenge: String,
    /// Catalogue key of the error found by the server.
    #[prop(optional_no_strip)]
    error: Option<String>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let image_id = challenge.clone();
    // Drawn off the document (`super::rehearsal`), the block names no
    // image: the browser would load it, and the server draw a challenge
    // for it, for a page no one sees.
    let rehearsed = super::rehearsing();
    let src = {
        let image_id = image_id.clone();
        move || {
            (!rehearsed).then(|| match version.get() {
                0 => format!("{CAPTCHA_PREFIX}/{image_id}.png"),
                n => format!("{CAPTCHA_PREFIX}/{image_id}.png?v={n}"),
            })
        }
    };
    let audio_src = move || match version.get() {
        0 => format!("{CAPTCHA_PREFIX}/{image_id}.wav"),
        n => format!("{CAPTCHA_PREFIX}/{image_id}.wav?v={n}"),
    };
    // The answer typed for an image that is gone is cleared, as the page
    // drawn by the server (without JavaScript) has it: after "Nouvelle
    // image", and whenever the block is drawn again in place (a refusal of
    // any field: the server used up the challenge and the page asks for new
    // characters). Not at hydration: what was typed before then counts.
    let answer_ref = NodeRef::<leptos::html::Input>::new();
    let clear_answer = move || {
        if let Some(input) = answer_ref.get_untracked() {
            input.set_value("");
        }
    };
    if !super::hydrating() {
        Effect::new(clear_answer);
    }
    let new_image = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        clear_answer();
        version.update(|v| *v += 1);
    };
    let audio_link = audio_src.clone();
    // Closing the disclosure stops the sound it holds: hidden, the player
    // would go on speaking over the page with no control in sight to stop
    // it (the person started it, so WCAG 1.4.2 does not require this; it
    // is what a person who closes a player expects).
    let stop_when_closed = |ev: leptos::ev::Event| {
        use leptos::web_sys::{HtmlDetailsElement, HtmlMediaElement};
        use wasm_bindgen::JsCast;
        let details = event_target::<HtmlDetailsElement>(&ev);
        if details.open() {
            return;
        }
        if let Ok(Some(player)) = details.query_selector("audio") {
            let _ = player.unchecked_into::<HtmlMediaElement>().pause();
        }
    };
    let announce = move || (version.get() > 0).then(|| lang.t("captcha.renewed"));
    let has_error = error.is_some();
    let described_by = if has_error {
        "captcha_answer-hint captcha_answer-error"
    } else {
        "captcha_answer-hint"
    };
    view! {
        <fieldset class="block captcha">
            <legend>{lang.t("captcha.legend")}</legend>
            <input type="hidden" name="captcha_id" value=challenge />
            <p class="field__hint" id="captcha_answer-hint">{lang.t("captcha.instructions")}</p>
            <div class="captcha__image">
                <img src=src alt=lang.t("captcha.image_alt") width="220" height="120" />
                <button
                    type="submit"
                    name="intent"
                    value="new_captcha"
                    formnovalidate=true
                    class="button button--secondary"
                    on:click=new_image
                >
                    {lang.t("captcha.new_image")}
                </button>
            </div>
            // The player opens on demand: a closed <details> is neither
            // styled nor laid out, and a native player's controls (a shadow
            // tree, three SVG icons) cost a phone's browser about 20 ms of
            // its first load (BENCHMARKS.md, part 15, tenth pass). The
            // disclosure is native: it opens from the keyboard, announces its
            // state, and needs no JavaScript.
            <details class="captcha__audio" on:toggle=stop_when_closed>
                <summary id="captcha-audio-label">{lang.t("captcha.audio")}</summary>
                <audio controls=true preload="none" src=audio_src aria-labelledby="captcha-audio-label">
                    <a href=audio_link>{lang.t("captcha.audio_download")}</a>
                </audio>
            </details>
            <p class="sr-only" aria-live="polite">{announce}</p>
            <div class="field" class:field--invalid=has_error>
                <label for="captcha_answer">
                    {lang.t("captcha.label")}
                    <super::field::RequiredMark />
                </label>
                <input
                    node_ref=answer_ref
                    id="captcha_answer"
                    name="captcha_answer"
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="5"
                    class="captcha__answer"
                    autofocus=autofocus
                    // Drawn again in place (after "Nouvelle image" sent by
                    // the form), autofocus does nothing: the focus goes here.
                    data-focus-after-update=autofocus.then_some("")
                    aria-required="true"
                    aria-invalid=has_error.then_some("true")
                    aria-describedby=described_by
                />
                <p class="field__error" id="captcha_answer-error" aria-live="polite">
                    {error.map(|key| lang.t(&key))}
                </p>
            </div>
        </fieldset>
    }
}

/// A new captcha challenge id: 128 random bits, in hexadecimal.
///
/// The server issues it with the page; in the browser (after a navigation
/// that did not go through the server) the Web Crypto API draws it.
pub fn new_challenge_id() -> String {
    let mut bytes = [0u8; 16];
    #[cfg(feature = "ssr")]
    {
        if getrandom::fill(&mut bytes).is_err() {
            return String::new();
        }
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let filled = web_sys::window()
            .and_then(|window| window.crypto().ok())
            .map(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
        if filled != Some(true) {
            return String::new();
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
