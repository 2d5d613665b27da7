use crate::i18n::{use_lang, Lang, LANGUAGE_SWITCH_PATH};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

/// The frame of every page: skip link, header with the language switch,
/// the page's own content in `<main>`, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };
    let switch_to = move |other: Lang| {
        format!(
            "{LANGUAGE_SWITCH_PATH}?lang={}&next={}",
            other.code(),
            encode_query_value(&here())
        )
    };
    view! {
        <a class="skip-link" href="#contenu">{lang.t("layout.skip_to_content")}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__brand" href="/" rel="external">
                    <span class="brand__name">"Sésame"</span>
                    <span class="brand__tagline">{lang.t("layout.tagline")}</span>
                </a>
                <nav aria-label=lang.t("layout.language_nav")>
                    <ul class="language-switch">
                        {Lang::ALL
                            .into_iter()
                            .map(|other| {
                                let current = other == lang;
                                view! {
                                    <li>
                                        <a
                                            href=move || switch_to(other)
                                            hreflang=other.code()
                                            lang=other.code()
                                            rel="external"
                                            aria-current=current.then_some("true")
                                        >
                                            {other.native_name()}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </div>
        </header>
        <main id="contenu" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{lang.t("layout.footer")}</p>
        </footer>
    }
}

/// Percent-encodes a value for a query string.
fn encode_query_value(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text=lang.t("not_found.title") />
        <Layout>
            <h1>{lang.t("not_found.title")}</h1>
            <p>{lang.t("not_found.text")}</p>
            <p><a href="/" rel="external">{lang.t("not_found.home")}</a></p>
        </Layout>
    }
}
