use crate::i18n::{use_lang, Lang};
use crate::paths::LANGUAGE_SWITCH_PATH;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_location;

/// The frame of every page: skip link, header with the language switch,
/// the page's own content in `<main>`, footer. A page drawn in it is out
/// of the connected space: the connected frame last drawn is forgotten
/// ([`LastFrame`]).
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    LastFrame::forget();
    ShellTitle::settle();
    view! {
        <Header connected=None />
        <main id="contenu" tabindex="-1">
            {children()}
        </main>
        <Footer />
    }
}

/// The frame of the connected space: the person's name, "Déconnexion", and
/// the tabs "Accueil connecté", "Mon compte" and "Sécurité".
#[component]
pub fn ConnectedLayout(
    /// "Paul Dupont".
    name: String,
    /// The "Déconnexion" form (the login flow's `LogOutForm`).
    #[prop(into)]
    log_out: ViewFn,
    /// Path of the current tab.
    current: &'static str,
    /// A manager or an administrator: the "Gestion" tab.
    #[prop(optional)]
    manages: bool,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    ShellTitle::settle();
    if let Some(LastFrame(last)) = use_context::<LastFrame>() {
        last.set_value(Some(DrawnFrame {
            name: name.clone(),
            manages,
            log_out: log_out.clone(),
        }));
    }
    let tab = move |path: &'static str, key: &'static str| {
        view! {
            <li>
                <a href=path aria-current=(path == current).then_some("page")>
                    {lang.t(key)}
                </a>
            </li>
        }
    };
    view! {
        <Header connected=Some((name, log_out)) />
        <nav class="tabs" aria-label=lang.t("connected.tabs")>
            <ul>
                {tab(crate::paths::HOME_PATH, "connected.home_tab")}
                {tab(crate::paths::MY_ACCOUNT_PATH, "connected.account_tab")}
                {tab(crate::paths::SECURITY_PATH, "connected.security_tab")}
                {manages.then(|| tab(crate::paths::MANAGEMENT_PATH, "connected.management_tab"))}
            </ul>
        </nav>
        <main id="contenu" tabindex="-1">
            {children()}
        </main>
        <Footer />
    }
}

/// The connected frame last drawn in this tab by [`ConnectedLayout`]: a
/// connected page whose data is on its way after a navigation in the
/// browser is drawn in it at once, its tab, title and heading included
/// ([`super::loaded_page`]).
///
/// It never names anybody else: any page out of the connected space
/// ([`Layout`]: the login box, the second step, a page that could not be
/// loaded) forgets it, and a person reaches the connected space only
/// through them. Logging out, a session that ended and logging in as
/// someone else all go through the login box, even when they stay in the
/// same document.
#[derive(Clone, Copy)]
pub struct LastFrame(StoredValue<Option<DrawnFrame>>);

/// The text of the app's own `<Title>`, the document's title while no page
/// gives one (between two pages of a navigation): the site's name, except
/// while the first page hydrates. The shell hydrates before the page's
/// chunk has run; with the site's name alone, it would change the tab's
/// title and the page's hydration would change it back, in each of those
/// two tasks (a title that changes is some of Chromium's costliest DOM
/// work there: 6 to 14 ms a page at 4× in a profile), for a title that
/// says less for a moment. So the shell starts from the page's own title as
/// the server drew it, and settles on the site's name once a page has been
/// drawn in its frame ([`Layout`], [`ConnectedLayout`]).
#[derive(Clone, Copy)]
pub struct ShellTitle {
    text: RwSignal<String>,
    settled: &'static str,
}

impl ShellTitle {
    /// Gives the app its shell's title, `first` until a page is drawn and
    /// `settled` from then on; returns its text, for the app's `<Title>`.
    /// Called once, above the routes.
    pub fn provide(first: String, settled: &'static str) -> RwSignal<String> {
        let text = RwSignal::new(first);
        provide_context(ShellTitle { text, settled });
        text
    }

    /// Once the page being drawn is (an effect: after its hydration), the
    /// shell's title is the settled one.
    fn settle() {
        Effect::new(|| {
            if let Some(ShellTitle { text, settled }) = use_context::<ShellTitle>() {
                if text.get_untracked() != settled {
                    text.set(settled.to_owned());
                }
            }
        });
    }
}

/// What [`LastFrame`] keeps of a [`ConnectedLayout`]: its props but the
/// current tab and the page's content.
#[derive(Clone)]
struct DrawnFrame {
    name: String,
    manages: bool,
    log_out: ViewFn,
}

impl LastFrame {
    /// Gives the app its (empty) last frame; called once, above the routes.
    pub fn provide() {
        provide_context(LastFrame(StoredValue::new(None)));
    }

    /// Gives the views made under the current owner a frame of their
    /// own, a copy of the one last drawn: what they draw or forget stays
    /// theirs (a page drawn off the document, `super::rehearsal`).
    pub fn provide_copy() {
        let last = use_context::<LastFrame>().and_then(|LastFrame(last)| last.get_value());
        provide_context(LastFrame(StoredValue::new(last)));
    }

    /// Forgets the frame: the person left the connected space.
    pub fn forget() {
        if let Some(LastFrame(last)) = use_context::<LastFrame>() {
            last.set_value(None);
        }
    }

    /// The frame of `current`'s tab as last drawn, holding `children`;
    /// `None` when no connected page was drawn in this document yet.
    pub fn draw(current: &'static str, children: Children) -> Option<AnyView> {
        let LastFrame(last) = use_context::<LastFrame>()?;
        let DrawnFrame {
            name,
            manages,
            log_out,
        } = last.get_value()?;
        Some(
            view! {
                <ConnectedLayout name log_out current manages>
                    {children()}
                </ConnectedLayout>
            }
            .into_any(),
        )
    }
}

#[component]
fn Header(connected: Option<(String, ViewFn)>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <a class="skip-link" href="#contenu" on:click=move |event| super::field::focus_target(&event, "contenu")>
            {lang.t("layout.skip_to_content")}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__brand" href="/">
                    <span class="brand__name">"Sésame"</span>
                    <span class="brand__tagline">{lang.t("layout.tagline")}</span>
                </a>
                <div class="site-header__tools">
                    <LanguageSwitch />
                    {connected.map(|(name, log_out)| view! { <UserBox name log_out /> })}
                </div>
            </div>
        </header>
    }
}

/// The person's name and "Déconnexion".
#[component]
fn UserBox(name: String, log_out: ViewFn) -> impl IntoView {
    view! {
        <div class="user-box">
            <span class="user-box__name">{name}</span>
            {log_out.run()}
        </div>
    }
}

#[component]
fn Footer() -> impl IntoView {
    let lang = use_lang();
    view! {
        <footer class="site-footer">
            <p>{lang.t("layout.footer")}</p>
        </footer>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
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
            crate::paths::encode_query_value(&here())
        )
    };
    view! {
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
    }
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
        <Meta name="description" content=lang.t("descriptions.not_found") />
        <Layout>
            <h1>{lang.t("not_found.title")}</h1>
            <p>{lang.t("not_found.text")}</p>
            <p><a href="/">{lang.t("not_found.home")}</a></p>
        </Layout>
    }
}

/// The service failed while handling a form: says so, keeps what was typed
/// (the form is shown again below), and gives the reference of the logs.
#[component]
pub fn FailureNotice(reference: crate::error::Reference) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    view! {
        <div class="notice notice--error" role="alert">
            <p>{lang.t("errors.internal")}</p>
            <p>{lang.t_with("errors.reference", &[("reference", reference.as_str())])}</p>
        </div>
    }
}
