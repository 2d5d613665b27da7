use super::UserMessage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The errors of a submitted form, by field name, each as the catalogue key
/// of its message. The order of `fields` in the form decides which error gets
/// the focus; this map only holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, field: &str, error: &impl UserMessage) {
        self.0
            .insert(field.to_owned(), error.message_key().to_owned());
    }

    /// Records the error of `result`, if any, and passes its value on.
    pub fn check<T, E: UserMessage>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.insert(field, &error);
                None
            }
        }
    }

    /// The first field of `fields` (name, label key), in form order, that
    /// has an error: the one that gets the focus.
    pub fn first_in(&self, fields: &[(&'static str, &'static str)]) -> Option<&'static str> {
        fields
            .iter()
            .map(|(name, _)| *name)
            .find(|name| self.0.contains_key(*name))
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Forgets the error of `field`.
    pub fn remove(&mut self, field: &str) {
        self.0.remove(field);
    }

    /// Adds the errors of `other` (keeping the first error of a field).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, key) in other.0 {
            self.0.entry(field).or_insert(key);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
