use super::{AccountSummary, ConnectedPageState, HOME_PATH, MY_ACCOUNT_PATH};
use crate::components::{page_state, ConnectedLayout};
use crate::domain::Country;
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Accueil connecté": the event feed and the news.
#[component]
pub fn ConnectedHomePage() -> impl IntoView {
    let lang = use_lang();
    let state = page_state(ConnectedPageState::default);
    let name = state.account.display_name();
    let empty = state.events.is_empty();
    view! {
        <Title text=lang.t("connected.home_title") />
        <ConnectedLayout name current=HOME_PATH>
            <h1 class="sr-only">{lang.t("connected.home_tab")}</h1>
            <div class="panels">
                <section class="panel panel--events" aria-labelledby="events-heading">
                    <h2 id="events-heading">{lang.t("connected.events")}</h2>
                    {empty.then(|| view! { <p>{lang.t("connected.no_events")}</p> })}
                    <ol class="events">
                        {state.events.into_iter().map(|event| view! {
                            <li>
                                <time datetime=event.at>{event.when}</time>
                                " — "
                                {lang.t(&event.what)}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
                <section class="panel panel--news" aria-labelledby="news-heading">
                    <h2 id="news-heading">{lang.t("connected.news")}</h2>
                    {state.news.into_iter().map(|item| view! {
                        <article class="news">
                            <h3>{item.title}</h3>
                            <p class="news__date">{item.date}</p>
                            <p>{item.body}</p>
                        </article>
                    }).collect_view()}
                </section>
            </div>
        </ConnectedLayout>
    }
}

/// "Mon compte": the account's data.
#[component]
pub fn MyAccountPage() -> impl IntoView {
    let lang = use_lang();
    let state = page_state(ConnectedPageState::default);
    let name = state.account.display_name();
    view! {
        <Title text=lang.t("connected.account_title") />
        <ConnectedLayout name current=MY_ACCOUNT_PATH>
            <h1>{lang.t("connected.account_tab")}</h1>
            <AccountDetails account=state.account />
        </ConnectedLayout>
    }
}

/// The account's data as a description list, by the guide's blocks.
#[component]
pub fn AccountDetails(account: AccountSummary) -> impl IntoView {
    let lang = use_lang();
    let none = lang.t("account.not_given");
    let or_none = move |value: Option<String>| value.unwrap_or_else(|| none.clone());
    let country = Country::parse(&account.country)
        .map(|c| c.name(lang.code()).to_owned())
        .unwrap_or_else(|_| account.country.clone());
    let contact = account
        .contact_email
        .clone()
        .unwrap_or_else(|| lang.t("account.same_as_login"));
    view! {
        <section class="block" aria-labelledby="details-general">
            <h2 id="details-general">{lang.t("signup.block_general")}</h2>
            <dl class="details">
                <dt>{lang.t("signup.login_email")}</dt><dd>{account.login_email}</dd>
                <dt>{lang.t("signup.contact_email")}</dt><dd>{contact}</dd>
                <dt>{lang.t("signup.last_name")}</dt><dd>{account.last_name}</dd>
                <dt>{lang.t("signup.first_name")}</dt><dd>{account.first_name}</dd>
            </dl>
        </section>
        <section class="block" aria-labelledby="details-address">
            <h2 id="details-address">{lang.t("signup.block_address")}</h2>
            <dl class="details">
                <dt>{lang.t("signup.address")}</dt><dd>{account.address}</dd>
                <dt>{lang.t("signup.address_complement_1")}</dt><dd>{or_none(account.address_complement_1)}</dd>
                <dt>{lang.t("signup.address_complement_2")}</dt><dd>{or_none(account.address_complement_2)}</dd>
                <dt>{lang.t("signup.postal_code")}</dt><dd>{account.postal_code}</dd>
                <dt>{lang.t("signup.city")}</dt><dd>{account.city}</dd>
                <dt>{lang.t("signup.country")}</dt><dd>{country}</dd>
                <dt>{lang.t("signup.phone")}</dt><dd>{or_none(account.phone)}</dd>
                <dt>{lang.t("signup.fax")}</dt><dd>{or_none(account.fax)}</dd>
            </dl>
        </section>
    }
}
