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
    ///
    /// In the browser, the sentences are the ones the server sent for the
    /// page's language ([`receive_sentences`]): a key of another language,
    /// or any key before they came, has none.
    pub fn sentence(self, key: &str) -> Option<&'static str> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let column = self.index();
            CATALOGUE
                .binary_search_by(|(known, _)| (*known).cmp(key))
                .ok()
                .map(|found| CATALOGUE[found].1[column])
        }
        #[cfg(target_arch = "wasm32")]
        {
            let (lang, sentences) = RECEIVED.get()?;
            if *lang != self {
                return None;
            }
            let found = KEYS.binary_search(&key).ok()?;
            sentences.get(found).copied()
        }
    }

    /// This language's place in [`Lang::ALL`], 0 or 1: its column in the
    /// catalogue, and its entry in what is kept a language
    /// (`server::sentences`, the bundle's start scripts).
    pub fn index(self) -> usize {
        match self {
            Lang::Fr => 0,
            Lang::En => 1,
        }
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

/// The sentences the browser needs to draw pages in `lang`, as the server
/// sends them (`server::sentences`): [`BROWSER_KEYS_ID`], the language's
/// code, then the sentence of each key of the browser's list (the
/// catalogue's but the emails', sorted), each part followed by a NUL but
/// the last. About 36 KB in French; no sentence holds a NUL (`locales/`
/// is JSON text, checked by the tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn browser_sentences(lang: Lang) -> String {
    let column = lang.index();
    let sentences = CATALOGUE
        .iter()
        .filter(|(key, _)| !key.starts_with(SERVER_ONLY_PREFIX))
        .map(|(_, texts)| texts[column]);
    [BROWSER_KEYS_ID, lang.code()]
        .into_iter()
        .chain(sentences)
        .collect::<Vec<_>>()
        .join("\0")
}

/// Why the browser did not take the sentences it was sent.
#[cfg(any(target_arch = "wasm32", test))]
#[derive(Debug, PartialEq, Eq)]
pub enum SentencesRefused {
    /// Made for another list of keys: a server of another build.
    OtherKeyList,
    /// A language this build does not know.
    UnknownLanguage,
    /// Not one sentence a key: `expected` keys, `got` sentences.
    Count { expected: usize, got: usize },
    /// Sentences came already (the app starts once).
    AlreadyReceived,
}

/// Reads what [`browser_sentences`] wrote, for a list of `key_count` keys
/// named `keys_id`: the language and its sentences, in the keys' order.
/// Errors: [`SentencesRefused`] but `AlreadyReceived`.
#[cfg(any(target_arch = "wasm32", test))]
fn parse_sentences<'a>(
    text: &'a str,
    keys_id: &str,
    key_count: usize,
) -> Result<(Lang, Vec<&'a str>), SentencesRefused> {
    let mut parts = text.split('\0');
    if parts.next() != Some(keys_id) {
        return Err(SentencesRefused::OtherKeyList);
    }
    let lang = parts
        .next()
        .and_then(|code| Lang::ALL.into_iter().find(|lang| lang.code() == code))
        .ok_or(SentencesRefused::UnknownLanguage)?;
    let sentences: Vec<&str> = parts.collect();
    if sentences.len() != key_count {
        return Err(SentencesRefused::Count {
            expected: key_count,
            got: sentences.len(),
        });
    }
    Ok((lang, sentences))
}

/// The sentences of the page's language, once the server's came.
#[cfg(target_arch = "wasm32")]
static RECEIVED: std::sync::OnceLock<(Lang, Vec<&'static str>)> = std::sync::OnceLock::new();

/// Takes the sentences the server sent with the page (`server::sentences`,
/// fetched by the start script) for [`Lang::sentence`], once, before the
/// app draws anything; kept for the document's life. Returns their
/// language. Errors: [`SentencesRefused`] (the app then does not start, and
/// the page works as without JavaScript).
#[cfg(target_arch = "wasm32")]
pub fn receive_sentences(text: String) -> Result<Lang, SentencesRefused> {
    if RECEIVED.get().is_some() {
        return Err(SentencesRefused::AlreadyReceived);
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    let (lang, sentences) = parse_sentences(text, BROWSER_KEYS_ID, KEYS.len())?;
    RECEIVED
        .set((lang, sentences))
        .map_err(|_| SentencesRefused::AlreadyReceived)?;
    Ok(lang)
}

/// The language of the page being rendered: the app's context; outside
/// it, in the browser, the language of the sentences the server sent (the
/// document's), else the default.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(|| {
        #[cfg(target_arch = "wasm32")]
        if let Some((lang, _)) = RECEIVED.get() {
            return *lang;
        }
        Lang::default()
    })
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

    /// The browser's list: the catalogue's keys but the emails', sorted.
    fn browser_keys() -> Vec<&'static str> {
        CATALOGUE
            .iter()
            .map(|(key, _)| *key)
            .filter(|key| !key.starts_with(SERVER_ONLY_PREFIX))
            .collect()
    }

    #[test]
    fn the_browser_gets_each_sentence_of_the_page_s_language_under_its_key_and_no_email() {
        let keys = browser_keys();
        assert!(keys.len() > 300 && keys.len() < CATALOGUE.len());
        for lang in Lang::ALL {
            let sent = browser_sentences(lang);
            let (received, sentences) =
                parse_sentences(&sent, BROWSER_KEYS_ID, keys.len()).unwrap();
            assert_eq!(received, lang);
            for (key, sentence) in keys.iter().zip(&sentences) {
                assert_eq!(Some(*sentence), lang.sentence(key), "{key}");
            }
            let other = Lang::ALL.into_iter().find(|other| *other != lang).unwrap();
            assert!(!sent.contains(other.t("signup.title").as_str()));
            let longest_email_sentence = CATALOGUE
                .iter()
                .filter(|(key, _)| key.starts_with(SERVER_ONLY_PREFIX))
                .map(|(_, texts)| texts[lang.index()])
                .max_by_key(|text| text.len())
                .unwrap();
            assert!(!sent.contains(longest_email_sentence));
        }
    }

    /// The browser checks the sentences against the name of its key list:
    /// that name is the list the server writes them in, in that order.
    #[test]
    fn the_key_list_s_name_is_the_digest_of_the_order_the_server_writes() {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in browser_keys().iter().flat_map(|key| key.bytes().chain([0])) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(BROWSER_KEYS_ID, format!("{hash:016x}"));
    }

    #[test]
    fn each_language_s_index_is_its_place_in_all() {
        for (at, lang) in Lang::ALL.into_iter().enumerate() {
            assert_eq!(lang.index(), at);
        }
    }

    #[test]
    fn no_sentence_holds_the_nul_that_separates_them() {
        assert!(CATALOGUE
            .iter()
            .all(|(_, texts)| texts.iter().all(|text| !text.contains('\0'))));
    }

    #[test]
    fn sentences_for_another_key_list_or_language_or_count_are_refused() {
        let keys = browser_keys().len();
        let sent = browser_sentences(Lang::Fr);
        assert_eq!(
            parse_sentences(&sent, "0123456789abcdef", keys),
            Err(SentencesRefused::OtherKeyList)
        );
        let german = sent.replacen("\0fr\0", "\0de\0", 1);
        assert_eq!(
            parse_sentences(&german, BROWSER_KEYS_ID, keys),
            Err(SentencesRefused::UnknownLanguage)
        );
        let cut = &sent[..sent.rfind('\0').unwrap()];
        assert_eq!(
            parse_sentences(cut, BROWSER_KEYS_ID, keys),
            Err(SentencesRefused::Count {
                expected: keys,
                got: keys - 1
            })
        );
        assert_eq!(
            parse_sentences("", BROWSER_KEYS_ID, keys),
            Err(SentencesRefused::OtherKeyList)
        );
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
