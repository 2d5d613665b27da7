//! The interface language: French first, English offered.
//!
//! The server decides the language of each request (the `sesame_lang` cookie
//! set by the switch, else the configured default, French) and hands it to
//! the browser with the page, so both render the same words. Switching language is
//! a plain link to [`LANGUAGE_SWITCH_PATH`], which sets the cookie and comes
//! back: it works without JavaScript and persists.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const LANGUAGE_COOKIE: &str = "sesame_lang";
/// Path of the language switch (`?lang=en&next=/inscription`).
pub const LANGUAGE_SWITCH_PATH: &str = "/langue";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 tag, also the catalogue name in `locales/`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language's own name, as shown on the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Reads the language from a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANGUAGE_COOKIE)
            .and_then(|(_, value)| Lang::from_code(value))
    }

    /// Translates a catalogue key.
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.code()).into_owned()
    }

    /// Translates a catalogue key with `%{name}` placeholders filled in.
    pub fn t_with(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("%{{{name}}}"), value);
        }
        text
    }
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Shorthand for `use_lang().t(key)` inside views.
pub fn tr(key: &str) -> String {
    use_lang().t(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_cookie_is_found_among_other_cookies() {
        assert_eq!(
            Lang::from_cookie_header("a=1; sesame_lang=en; b=2"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("sesame_lang=xx"), None);
    }

    fn keys(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = value.as_object() {
            for (name, inner) in map {
                keys(inner, &format!("{prefix}{name}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let mut fr = Vec::new();
        let mut en = Vec::new();
        keys(
            &serde_json::from_str(include_str!("../locales/fr.json")).unwrap(),
            "",
            &mut fr,
        );
        keys(
            &serde_json::from_str(include_str!("../locales/en.json")).unwrap(),
            "",
            &mut en,
        );
        fr.sort();
        en.sort();
        assert_eq!(fr, en);
    }

    #[test]
    fn placeholders_are_filled_in() {
        let text = Lang::Fr.t_with("signup.recap.created", &[("name", "Dupont Paul")]);
        assert!(text.contains("Dupont Paul"), "{text}");
    }
}
