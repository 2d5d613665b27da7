use crate::domain::{PasswordChecks, PasswordPolicy, Strength};
use crate::i18n::{use_lang, Lang};
use leptos::prelude::*;

/// zxcvbn's judgement of a password being typed, computed on the server
/// (zxcvbn is too heavy for the browser bundle). `user_inputs` are the
/// person's own words (email, names), which make a password weaker.
#[server(prefix = "/api", endpoint = "password_strength")]
pub async fn password_strength(
    password: String,
    user_inputs: Vec<String>,
) -> Result<Strength, crate::outcome::DoorError> {
    if password.len() > 512 {
        return Ok(Strength::default());
    }
    let inputs: Vec<&str> = user_inputs.iter().take(8).map(String::as_str).collect();
    let password = crate::domain::unicode::normalized(&password);
    Ok(crate::server::strength::strength(&password, &inputs))
}

/// A new password with its confirmation: the rules as a checklist that ticks
/// as the person types, zxcvbn's meter, and whether the confirmation matches.
/// Without JavaScript the rules are listed and the server checks them.
#[component]
pub fn NewPasswordFields(
    policy: PasswordPolicy,
    /// Catalogue keys of the two labels.
    label: &'static str,
    confirmation_label: &'static str,
    /// The person's email and names, for the strength meter.
    user_inputs: Vec<String>,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional_no_strip)] confirmation_error: Option<String>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let lang = use_lang();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let visible = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let judgement = RwSignal::new(Judgement::Awaited);
    let checks = Memo::new(move |_| PasswordChecks::of(&password.get(), policy));
    let has_error = error.is_some();
    let has_confirmation_error = confirmation_error.is_some();
    let sequence = StoredValue::new(0u64);

    // The account this password is for, as password managers look for it
    // beside a new password (Chromium: "password forms should have
    // username fields"); hidden, and ignored by the server.
    let username = user_inputs
        .iter()
        .find(|input| input.contains('@'))
        .cloned();
    let on_password = move |value: String| {
        password.set(value.clone());
        request_strength(value, user_inputs.clone(), judgement, sequence);
    };
    // What was typed before the page hydrated counts: once the inputs are
    // live, the checklist, the meter and the confirmation start from their
    // current values, not from the next keystroke.
    let password_ref = NodeRef::<leptos::html::Input>::new();
    let confirmation_ref = NodeRef::<leptos::html::Input>::new();
    {
        let on_password = on_password.clone();
        Effect::new(move || {
            if let Some(input) = password_ref.get() {
                let typed = input.value();
                if !typed.is_empty() {
                    on_password(typed);
                }
            }
            if let Some(input) = confirmation_ref.get() {
                confirmation.set(input.value());
            }
        });
    }
    let on_input = move |ev: leptos::ev::Event| on_password(event_target_value(&ev));
    let field_type = move || if visible.get() { "text" } else { "password" };
    let matches = move || {
        let confirmation = confirmation.get();
        (!confirmation.is_empty())
            .then(|| crate::domain::unicode::same_text(&confirmation, &password.get()))
    };
    let rule = move |met: Signal<bool>, key: &'static str| {
        view! {
            <li class=move || if met.get() { "rule rule--met" } else { "rule" }>
                <span aria-hidden="true" class="rule__mark">{move || if met.get() { "✓" } else { "•" }}</span>
                {lang.t(key)}
                <span class="sr-only">
                    {move || if met.get() { lang.t("password.rule_met") } else { lang.t("password.rule_not_met") }}
                </span>
            </li>
        }
    };
    let min_rule = match policy {
        PasswordPolicy::Activation => "password.rule_min_8",
        PasswordPolicy::Reset => "password.rule_min_12",
    };
    let long_enough = Signal::derive(move || checks.get().long_enough());
    let classes = Signal::derive(move || checks.get().enough_classes());
    let upper = Signal::derive(move || checks.get().upper);
    let lower = Signal::derive(move || checks.get().lower);
    let digit = Signal::derive(move || checks.get().digit);
    let special = Signal::derive(move || checks.get().special);
    let not_too_long = Signal::derive(move || checks.get().not_too_long());

    view! {
        {username.map(|username| view! {
            <input type="email" name="username" autocomplete="username" value=username hidden=true />
        })}
        <div class="field" class:field--invalid=has_error>
            <label for="password">
                {lang.t(label)}
                <super::field::RequiredMark />
            </label>
            <div class="password-input">
                <input
                    node_ref=password_ref
                    id="password"
                    name="password"
                    type=field_type
                    autocomplete="new-password"
                    autofocus=autofocus
                    aria-required="true"
                    aria-invalid=has_error.then_some("true")
                    aria-describedby=if has_error { "password-rules password-error" } else { "password-rules" }
                    on:input=on_input
                />
                <button
                    type="button"
                    class="button button--secondary password-input__toggle"
                    hidden=move || !hydrated.get()
                    aria-pressed=move || if visible.get() { "true" } else { "false" }
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() { lang.t("password.hide") } else { lang.t("password.show") }}
                </button>
            </div>
            <p class="field__error" id="password-error" aria-live="polite">{error.map(|key| lang.t(&key))}</p>
            <div id="password-rules" class="password-rules">
                <p class="password-rules__title">{lang.t("password.rules_title")}</p>
                <ul>
                    {rule(long_enough, min_rule)}
                    {rule(classes, "password.rule_classes")}
                    <li class="rule-classes">
                        <ul>
                            {rule(upper, "password.class_upper")}
                            {rule(lower, "password.class_lower")}
                            {rule(digit, "password.class_digit")}
                            {rule(special, "password.class_special")}
                        </ul>
                    </li>
                    {rule(not_too_long, "password.rule_max")}
                </ul>
            </div>
            <StrengthMeter judgement lang />
        </div>
        <div class="field" class:field--invalid=has_confirmation_error>
            <label for="password_confirmation">
                {lang.t(confirmation_label)}
                <super::field::RequiredMark />
            </label>
            <input
                node_ref=confirmation_ref
                id="password_confirmation"
                name="password_confirmation"
                type=field_type
                autocomplete="new-password"
                aria-required="true"
                aria-invalid=has_confirmation_error.then_some("true")
                aria-describedby="password_confirmation-error"
                on:input=move |ev| confirmation.set(event_target_value(&ev))
            />
            <p class="field__error" id="password_confirmation-error" aria-live="polite">
                {move || match (matches(), &confirmation_error) {
                    (Some(false), _) => Some(lang.t("errors.password.confirmation_differs")),
                    (Some(true), _) => None,
                    (None, server) => server.as_ref().map(|key| lang.t(key)),
                }}
            </p>
            <p class="field__ok" aria-live="polite">
                {move || (matches() == Some(true)).then(|| lang.t("password.confirmation_matches"))}
            </p>
        </div>
    }
}

/// What the strength meter shows of the password being typed (only the
/// browser asks for a verdict; the server draws the meter awaiting one).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
enum Judgement {
    /// Nothing typed yet, or the first answer not in yet.
    #[default]
    Awaited,
    /// zxcvbn's verdict, from the server.
    Judged(Strength),
    /// The server could not be asked, after the tries `STRENGTH_RETRY_MS`
    /// spaces out: the rules' checklist still applies, and the server
    /// judges the password when the form is sent (OWASP ASVS 4.0.3 V2.1.8 asks for a
    /// strength meter; its absence must not stop the person).
    Unavailable,
}

impl Judgement {
    /// The meter's value, 0 to 4 (0 while there is no verdict).
    fn score(&self) -> u8 {
        match self {
            Judgement::Judged(strength) => strength.score,
            Judgement::Awaited | Judgement::Unavailable => 0,
        }
    }
}

/// After a keystroke, how long the meter waits for the next one before it
/// asks the server, in milliseconds.
#[cfg(feature = "hydrate")]
const STRENGTH_AFTER_TYPING_MS: u64 = 250;

/// The pauses before asking the server again when a request for the
/// meter failed (the server or the network down for a moment), in
/// milliseconds: three more tries over about 7 seconds, then
/// [`Judgement::Unavailable`].
#[cfg(feature = "hydrate")]
const STRENGTH_RETRY_MS: [i32; 3] = [1_000, 2_000, 4_000];

/// Asks the server for zxcvbn's score, `STRENGTH_AFTER_TYPING_MS` after
/// the last keystroke, and again after each of `STRENGTH_RETRY_MS` while
/// the request fails; an answer that arrives after a newer request is
/// dropped. Each step first checks that the fields are still on the page:
/// a form drawn again or left meanwhile has let go of `sequence`, and the
/// request ends there (reading a value let go of would stop the app).
fn request_strength(
    password: String,
    user_inputs: Vec<String>,
    judgement: RwSignal<Judgement>,
    sequence: StoredValue<u64>,
) {
    #[cfg(feature = "hydrate")]
    {
        sequence.update_value(|n| *n += 1);
        let Some(mine) = sequence.try_get_value() else {
            return;
        };
        let still_mine = move || sequence.try_get_value() == Some(mine);
        if password.is_empty() {
            judgement.set(Judgement::Awaited);
            return;
        }
        set_timeout(
            move || {
                if !still_mine() {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let mut pauses = STRENGTH_RETRY_MS.into_iter();
                    let answer = loop {
                        match password_strength(password.clone(), user_inputs.clone()).await {
                            Ok(strength) => break Judgement::Judged(strength),
                            Err(_) => match pauses.next() {
                                Some(pause) => {
                                    super::after_ms(pause).await;
                                    if !still_mine() {
                                        return;
                                    }
                                }
                                None => break Judgement::Unavailable,
                            },
                        }
                    };
                    if still_mine() {
                        judgement.set(answer);
                    }
                });
            },
            std::time::Duration::from_millis(STRENGTH_AFTER_TYPING_MS),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (password, user_inputs, judgement, sequence);
    }
}

/// "Complexité du mot de passe": zxcvbn's score as a meter, its warning and
/// its suggestions; if the server could not be asked, that it was not.
#[component]
fn StrengthMeter(judgement: RwSignal<Judgement>, lang: Lang) -> impl IntoView {
    let score = move || judgement.with(Judgement::score);
    view! {
        <div class="strength">
            <p class="strength__title" id="strength-title">{lang.t("password.strength_title")}</p>
            <meter
                class="strength__meter"
                min="0"
                max="4"
                low="2"
                high="3"
                optimum="4"
                value=move || score().to_string()
                aria-labelledby="strength-title"
            ></meter>
            <div aria-live="polite" class="strength__feedback">
                {move || match judgement.get() {
                    Judgement::Awaited => None,
                    Judgement::Unavailable => Some(view! {
                        <p class="strength__unavailable">{lang.t("password.strength_unavailable")}</p>
                    }.into_any()),
                    Judgement::Judged(s) => {
                        let verdict = if s.acceptable() { "password.strength_ok" } else { "password.strength_too_weak" };
                        Some(view! {
                            <p class=if s.acceptable() { "strength__label strength__label--ok" } else { "strength__label" }>
                                {format!("{} — {}", lang.t(s.label_key()), lang.t(verdict))}
                            </p>
                            {s.warning.map(|key| view! { <p class="strength__warning">{lang.t(&key)}</p> })}
                            <ul class="strength__suggestions">
                                {s.suggestions.into_iter().map(|key| view! { <li>{lang.t(&key)}</li> }).collect_view()}
                            </ul>
                        }.into_any())
                    }
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(judgement: Judgement) -> String {
        Owner::new().with(|| {
            view! { <StrengthMeter judgement=RwSignal::new(judgement) lang=Lang::Fr /> }.to_html()
        })
    }

    #[test]
    fn the_meter_awaiting_a_verdict_says_nothing_yet() {
        let html = meter(Judgement::Awaited);
        assert!(html.contains(r#"value="0""#), "{html}");
        assert!(!html.contains("strength__label"), "{html}");
        assert!(!html.contains("strength__unavailable"), "{html}");
    }

    #[test]
    fn the_meter_shows_the_servers_verdict() {
        let html = meter(Judgement::Judged(Strength {
            score: 4,
            warning: None,
            suggestions: Vec::new(),
        }));
        assert!(html.contains(r#"value="4""#), "{html}");
        assert!(html.contains("Très fort — accepté"), "{html}");
    }

    #[test]
    fn the_meter_says_when_the_server_could_not_judge_and_that_the_form_still_goes() {
        let html = meter(Judgement::Unavailable);
        assert!(html.contains(r#"value="0""#), "{html}");
        assert!(
            html.contains("le serveur ne répond pas. Elle sera vérifiée à l'envoi du formulaire."),
            "{html}"
        );
    }
}
