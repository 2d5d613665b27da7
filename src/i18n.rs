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

    /// The sentence of a catalogue key (`"signup.title"`) in this language,
    /// from the table `build.rs` compiles out of `locales/`; an unknown key
    /// comes back as itself, so a missing sentence shows rather than
    /// vanishes (the tests check that every key used exists).
    pub fn t(self, key: &str) -> String {
        self.sentence(key).unwrap_or(key).to_owned()
    }

    /// The catalogue's sentence for `key`, if it has one.
    pub fn sentence(self, key: &str) -> Option<&'static str> {
        let column = match self {
            Lang::Fr => 0,
            Lang::En => 1,
        };
        CATALOGUE
            .binary_search_by(|(known, _)| (*known).cmp(key))
            .ok()
            .map(|found| CATALOGUE[found].1[column])
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

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

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
    fn every_sentence_of_both_catalogues_is_found_by_its_key() {
        for (lang, catalogue) in [
            (Lang::Fr, include_str!("../locales/fr.json")),
            (Lang::En, include_str!("../locales/en.json")),
        ] {
            let value: serde_json::Value = serde_json::from_str(catalogue).unwrap();
            let mut all = Vec::new();
            keys(&value, "", &mut all);
            assert_eq!(all.len(), CATALOGUE.len());
            for key in all {
                let expected = key.split('.').fold(&value, |v, part| &v[part]);
                assert_eq!(
                    Some(expected.as_str().unwrap()),
                    lang.sentence(&key),
                    "{key}"
                );
            }
        }
        assert_eq!(Lang::Fr.t("signup.title"), "Créer votre compte");
        assert_eq!(Lang::En.t("signup.title"), "Create your account");
    }

    #[test]
    fn an_unknown_key_shows_as_itself() {
        assert_eq!(Lang::Fr.sentence("signup.nothing_here"), None);
        assert_eq!(Lang::En.t("signup.nothing_here"), "signup.nothing_here");
        assert_eq!(Lang::Fr.t(""), "");
    }

    #[test]
    fn placeholders_are_filled_in() {
        let text = Lang::Fr.t_with("signup.recap.created", &[("name", "Dupont Paul")]);
        assert!(text.contains("Dupont Paul"), "{text}");
    }

    /// Every catalogue key written as a literal in `src/` (`lang.t("…")`,
    /// `message_key`, label tables), and the keys built from the typed
    /// sets, exist in both catalogues: a missing key would show as the key
    /// itself.
    #[test]
    fn every_catalogue_key_used_in_src_exists_in_both_languages() {
        let mut known = Vec::new();
        let fr: serde_json::Value =
            serde_json::from_str(include_str!("../locales/fr.json")).unwrap();
        keys(&fr, "", &mut known);
        let mut en_keys = Vec::new();
        keys(
            &serde_json::from_str(include_str!("../locales/en.json")).unwrap(),
            "",
            &mut en_keys,
        );
        let sections: Vec<&str> = fr.as_object().unwrap().keys().map(String::as_str).collect();
        let mut used = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        literal_keys(&src, &sections, &mut used);
        assert!(used.len() > 300, "only {} keys found in src/", used.len());
        // The words of each account state and membership status are
        // checked beside them (`accounts::tests`).
        let missing: Vec<String> = used
            .iter()
            .filter(|(key, _)| !known.contains(key) || !en_keys.contains(key))
            .map(|(key, file)| format!("{key} ({file})"))
            .collect();
        assert!(missing.is_empty(), "missing from a catalogue: {missing:#?}");
    }

    /// The browser's table leaves the emails' sentences out (`build.rs`):
    /// only the server's `mail` module may name them, whether as a literal
    /// key or as the start of one built with `format!`.
    #[test]
    fn the_emails_sentences_are_used_by_the_server_s_mail_module_only() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut code = Vec::new();
        code_of_rs_files(&src, &mut code);
        let files: Vec<_> = code
            .iter()
            .filter(|(_, code)| code.contains("\"email."))
            .map(|(path, _)| path)
            .collect();
        let mail = src.join("mail");
        assert!(
            files.iter().any(|file| file.starts_with(&mail)),
            "no email key found in src/mail: the search is wrong"
        );
        let elsewhere: Vec<_> = files
            .iter()
            .filter(|file| !file.starts_with(&mail))
            .collect();
        assert!(
            elsewhere.is_empty(),
            "email keys named outside src/mail: {elsewhere:#?}"
        );
    }

    /// Each `.rs` file under `dir` with its code, its tests left out
    /// (what follows its first `#[cfg(test)]`).
    fn code_of_rs_files(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                code_of_rs_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                out.push((path, code.to_owned()));
            }
        }
    }

    /// The string literals of the `.rs` files under `dir` shaped like a
    /// key of one of the catalogue's `sections` (`section.name…`).
    fn literal_keys(dir: &std::path::Path, sections: &[&str], out: &mut Vec<(String, String)>) {
        let mut files = Vec::new();
        code_of_rs_files(dir, &mut files);
        for (path, code) in files {
            // A literal is what stands between two quotes; the code between
            // two literals is never made of key characters alone.
            for literal in code.split('"').skip(1) {
                let closed = literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
                let is_key = closed
                    && literal.contains('.')
                    && !literal.ends_with('.')
                    && literal
                        .split('.')
                        .next()
                        .is_some_and(|section| sections.contains(&section));
                if is_key {
                    out.push((literal.to_owned(), path.display().to_string()));
                }
            }
        }
    }
}
