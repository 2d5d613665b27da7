//! How guessable a password is, as zxcvbn judges it on the server. The
//! browser only displays it: zxcvbn is too heavy to ship in the bundle.

use serde::{Deserialize, Serialize};

/// The lowest acceptable zxcvbn score (0 to 4): about 10^10 guesses.
pub const MIN_SCORE: u8 = 3;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    /// zxcvbn's score, 0 (very weak) to 4 (very strong).
    pub score: u8,
    /// Catalogue key of zxcvbn's warning, if any.
    pub warning: Option<String>,
    /// Catalogue keys of zxcvbn's suggestions.
    pub suggestions: Vec<String>,
}

impl Strength {
    pub fn acceptable(&self) -> bool {
        self.score >= MIN_SCORE
    }

    /// Catalogue key of the score's name ("Très faible"…"Très fort").
    pub fn label_key(&self) -> &'static str {
        match self.score {
            0 => "password.strength.0",
            1 => "password.strength.1",
            2 => "password.strength.2",
            3 => "password.strength.3",
            _ => "password.strength.4",
        }
    }
}
