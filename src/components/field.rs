use crate::domain::FieldErrors;
use crate::i18n::{tr, use_lang};
use leptos::prelude::*;

/// Validation as a person types: the message key of the error, if any.
pub type Validator = Callback<String, Option<String>>;

/// A labelled text input with its hint and its error.
///
/// The error is checked when the person leaves the field, and again at each
/// keystroke once an error is shown, so it disappears as soon as it is fixed.
/// It is tied to the input by `aria-describedby` and announced politely.
#[component]
pub fn TextField(
    /// The form field name, also the element id.
    #[prop(into)]
    name: String,
    /// Catalogue key of the label.
    #[prop(into)]
    label: String,
    /// The value already typed (kept after a refused submission).
    #[prop(into, optional)]
    value: String,
    /// Catalogue key of the error found by the server.
    #[prop(optional_no_strip)]
    error: Option<String>,
    #[prop(optional)] required: bool,
    /// `email`, `tel`, `text`…
    #[prop(into, default = "text".to_string())]
    input_type: String,
    #[prop(into, optional)] autocomplete: Option<String>,
    /// Catalogue key of a hint shown under the label.
    #[prop(into, optional)]
    hint: Option<String>,
    #[prop(optional)] validate: Option<Validator>,
    /// Mirrors the value, for fields whose rules depend on this one.
    #[prop(optional)]
    value_signal: Option<RwSignal<String>>,
    /// The mirror of the field this one's rule reads (the country, for a
    /// postal code): when it changes, a value typed here is checked again,
    /// the other field's value chosen before the page hydrated included.
    #[prop(optional)]
    depends_on: Option<RwSignal<String>>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(into, optional)] inputmode: Option<String>,
    /// The field the focus goes to when a navigation in the browser
    /// arrives at its page, instead of the page's heading (a page whose
    /// one job is this field: the second step's code). The title is still
    /// announced (`app::RouteAnnouncer`).
    #[prop(optional)]
    focus_on_arrival: bool,
) -> impl IntoView {
    let lang = use_lang();
    let error = RwSignal::new(error);
    if let Some(mirror) = value_signal {
        mirror.set(value.clone());
    }
    let check = move |raw: String| {
        if let Some(mirror) = value_signal {
            mirror.set(raw.clone());
        }
        if let Some(validate) = validate {
            error.set(validate.run(raw));
        }
    };
    // What was typed before the page hydrated counts: once the input is
    // live, a value other than the one the server drew is checked at once.
    // A field whose rule reads another is checked again, if not empty,
    // each time that other one changes (its mirror may catch up with what
    // was chosen before hydration only after this first check). A field
    // drawn for a navigation in the browser holds only what it was drawn
    // with: it needs no first check, and the effect's first run would only
    // lengthen the click that drew it. One drawn again in place by an
    // answer keeps what was typed in it, and is checked again.
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let drawn = value.clone();
    if !super::drawn_for_a_navigation() || depends_on.is_some() {
        Effect::new(move |ran: Option<()>| {
            if let Some(other) = depends_on {
                other.track();
            }
            if let Some(input) = input_ref.get() {
                let current = input.value();
                let other_changed = ran.is_some() && depends_on.is_some() && !current.is_empty();
                if current != drawn || other_changed {
                    check(current);
                }
            }
        });
    }
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        if let Some(mirror) = value_signal {
            mirror.set(raw.clone());
        }
        if error.get_untracked().is_some() {
            check(raw);
        }
    };
    // Checked on leaving the field, but not under a click in progress.
    let press = use_context::<super::PressInForm>();
    let on_change = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        super::after_press(press, move || check(raw));
    };

    let hint_id = hint.as_ref().map(|_| format!("{name}-hint"));
    let error_id = format!("{name}-error");
    let described_by = move || {
        let mut ids: Vec<String> = hint_id.iter().cloned().collect();
        if error.get().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let invalid = move || error.get().is_some().then_some("true");

    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=name.clone()>
                {lang.t(&label)}
                {required.then(|| view! { <RequiredMark /> })}
            </label>
            {hint.map(|key| view! { <p class="field__hint" id=format!("{name}-hint")>{lang.t(&key)}</p> })}
            <input
                node_ref=input_ref
                id=name.clone()
                name=name.clone()
                type=input_type
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                autofocus=autofocus
                data-focus-on-arrival=focus_on_arrival.then_some("")
                aria-required=required.then_some("true")
                aria-invalid=invalid
                aria-describedby=described_by
                on:input=on_input
                on:change=on_change
            />
            <p class="field__error" id=format!("{name}-error") aria-live="polite">
                {move || error.get().map(|key| lang.t(&key))}
            </p>
        </div>
    }
}

/// The `<option>`s of a [`SelectField`].
pub enum SelectOptions {
    /// `(value, text)` pairs, in display order.
    List(Vec<(String, String)>),
    /// The 249 countries of `domain::countries`, named in this language
    /// (see [`country_options`]). Their markup is written once per
    /// language and kept: the signup page draws it on every visit.
    Countries(crate::i18n::Lang),
}

impl SelectOptions {
    /// The options' markup, `selected` marked so. Every text is escaped;
    /// a `selected` that is no option's value marks none.
    fn html(&self, selected: &str) -> String {
        let all = match self {
            SelectOptions::List(list) => options_html(list),
            SelectOptions::Countries(lang) => country_options_html(*lang).to_owned(),
        };
        let value = format!("value=\"{}\">", escape_html(selected));
        all.replacen(
            &value,
            &format!("value=\"{}\" selected>", escape_html(selected)),
            1,
        )
    }
}

fn options_html(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(value, text)| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape_html(value),
                escape_html(text)
            )
        })
        .collect()
}

/// The country options' markup in `lang`, built at its first use.
fn country_options_html(lang: crate::i18n::Lang) -> &'static str {
    use std::sync::OnceLock;
    static FRENCH: OnceLock<String> = OnceLock::new();
    static ENGLISH: OnceLock<String> = OnceLock::new();
    let cell = match lang {
        crate::i18n::Lang::Fr => &FRENCH,
        crate::i18n::Lang::En => &ENGLISH,
    };
    cell.get_or_init(|| options_html(&country_options(lang)))
}

/// Escapes text for HTML content and double-quoted attributes.
fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A labelled `<select>`.
///
/// Once the page hydrates, what was chosen before the Wasm arrived counts:
/// the mirror (`value_signal`) starts from the element's current value.
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: SelectOptions,
    #[prop(into)] selected: String,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(optional)] value_signal: Option<RwSignal<String>>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let lang = use_lang();
    let error = RwSignal::new(error);
    if let Some(mirror) = value_signal {
        mirror.set(selected.clone());
    }
    let select_ref = NodeRef::<leptos::html::Select>::new();
    Effect::new(move || {
        if let (Some(select), Some(mirror)) = (select_ref.get(), value_signal) {
            mirror.set(select.value());
        }
    });
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(mirror) = value_signal {
            mirror.set(event_target_value(&ev));
        }
        error.set(None);
    };
    let error_id = format!("{name}-error");
    let options = options.html(&selected);
    // Drawn for a navigation in the browser (a click), the field shows its
    // chosen option with the page and gets the others after the page's
    // first frame: parsing a long list (the 249 countries) lengthens the
    // click by about 10 ms on a CPU four times slower (BENCHMARKS.md, part
    // 15). The server, and so the first load, draw them all. A page drawn
    // again in place by an answer draws the whole list, as it stands, so
    // the browser keeps what was chosen in it and not yet sent.
    #[cfg(feature = "hydrate")]
    let options = {
        let shown = if super::drawn_for_a_navigation() {
            let shown = RwSignal::new(shown_option(&options).to_owned());
            super::after_next_frame(move || {
                // Nothing to fill if the person left the page meanwhile.
                let _ = shown.try_set(options);
            });
            shown
        } else {
            RwSignal::new(options)
        };
        move || shown.get()
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=name.clone()>
                {lang.t(&label)}
                {required.then(|| view! { <RequiredMark /> })}
            </label>
            <select
                node_ref=select_ref
                id=name.clone()
                name=name.clone()
                autocomplete=autocomplete
                autofocus=autofocus
                aria-required=required.then_some("true")
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().is_some().then(|| error_id.clone())
                on:change=on_change
                inner_html=options
            ></select>
            <p class="field__error" id=format!("{name}-error") aria-live="polite">
                {move || error.get().map(|key| lang.t(&key))}
            </p>
        </div>
    }
}

/// The `<option>` of `options` (a select's markup) marked `selected`, else
/// the first one: what the select shows before its other options are drawn.
/// Every text and value in `options` is escaped, so `" selected>"` can only
/// be that mark.
#[cfg(any(feature = "hydrate", test))]
fn shown_option(options: &str) -> &str {
    let mark = options.find(" selected>").unwrap_or(0);
    let start = options[..mark].rfind("<option").unwrap_or(0);
    let end = options[mark..]
        .find("</option>")
        .map_or(options.len(), |end| mark + end + "</option>".len());
    &options[start..end]
}

/// The mark of a required field: an asterisk for the eye, "(obligatoire)"
/// for screen readers (RGAA 11.10).
#[component]
pub(super) fn RequiredMark() -> impl IntoView {
    view! {
        <span class="required" aria-hidden="true">" *"</span>
        <span class="sr-only">{format!(" ({})", tr("form.required"))}</span>
    }
}

/// The list of a refused submission's errors, each a link to its field,
/// in the order of `fields` (name, label key).
#[component]
pub fn ErrorSummary(
    errors: FieldErrors,
    fields: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let lang = use_lang();
    let items: Vec<_> = fields
        .iter()
        .filter_map(|(name, label)| errors.get(name).map(|key| (*name, *label, key.to_owned())))
        .collect();
    let count = items.len();
    (count > 0).then(|| {
        let heading = if count == 1 {
            lang.t("form.summary_one")
        } else {
            lang.t_with("form.summary_many", &[("count", &count.to_string())])
        };
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
                <h2 id="error-summary-title">{heading}</h2>
                <ul>
                    {items
                        .into_iter()
                        .map(|(name, label, key)| {
                            view! {
                                <li>
                                    <a href=format!("#{name}") on:click=move |event| focus_target(&event, name)>
                                        {lang.t_with("form.summary_item", &[("label", &lang.t(label)), ("message", &lang.t(&key))])}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// Moves the focus to the element `id` that an in-page link (`#id`) leads
/// to: an error summary's field (the GOV.UK Design System's error summary)
/// or the skip link's main content (WCAG 2.4.1 and 2.4.3). The router
/// handles a fragment link as a navigation, which scrolls but leaves the
/// focus on the link, so a keyboard user would have to find the place
/// again. Without JavaScript the browser follows the link itself.
pub(super) fn focus_target(event: &leptos::ev::MouseEvent, id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(field) = document().get_element_by_id(id) {
        event.prevent_default();
        super::focus_element(&field);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, id);
}

/// The countries of `domain::countries` as `(ISO code, name)` options,
/// named in `lang`: in the list's French order, or sorted by their English
/// names as a reader would (`domain::unicode::sort_key`: "Åland Islands"
/// among the A).
pub fn country_options(lang: crate::i18n::Lang) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = crate::domain::COUNTRIES
        .iter()
        .map(|(code, fr, en)| {
            (
                code.to_string(),
                if lang == crate::i18n::Lang::Fr {
                    fr
                } else {
                    en
                }
                .to_string(),
            )
        })
        .collect();
    if lang != crate::i18n::Lang::Fr {
        options.sort_by_cached_key(|(_, name)| crate::domain::unicode::sort_key(name));
    }
    options
}

#[cfg(test)]
mod tests {
    use super::{country_options, shown_option, SelectOptions};
    use crate::i18n::Lang;

    /// A select drawn by a click first shows the option chosen, whole, and
    /// nothing else; a list with none chosen shows its first.
    #[test]
    fn a_select_drawn_by_a_click_first_shows_the_chosen_option() {
        let countries = SelectOptions::Countries(Lang::Fr).html("GB");
        assert_eq!(
            shown_option(&countries),
            "<option value=\"GB\" selected>Royaume-Uni</option>"
        );
        let list = SelectOptions::List(vec![
            ("a".into(), "Un \" selected>".into()),
            ("b".into(), "Deux".into()),
        ]);
        assert_eq!(
            shown_option(&list.html("b")),
            "<option value=\"b\" selected>Deux</option>"
        );
        assert_eq!(
            shown_option(&list.html("none")),
            "<option value=\"a\">Un &quot; selected&gt;</option>"
        );
    }

    #[test]
    fn the_english_country_list_is_in_a_readers_alphabetical_order() {
        let names: Vec<String> = country_options(Lang::En)
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        let position = |name: &str| names.iter().position(|n| n == name).unwrap();
        assert!(position("Åland Islands") < position("Albania"));
        assert!(position("Côte d'Ivoire") < position("Croatia"));
        assert!(position("Türkiye") < position("Tuvalu"));
        assert_eq!(names.last().map(String::as_str), Some("Zimbabwe"));
    }
}
