//! Integration tests: the real application on port 0, with a fresh database
//! (SQLite by default, PostgreSQL with `TEST_DATABASE=postgres`) and the
//! emails read from the outbox or from a fake SMTP server.

mod account_life;
mod activation;
mod assets;
mod authenticator;
mod authority;
mod bounds;
mod deliverability;
mod doors;
mod faults;
mod helpers;
mod hijacking;
mod language;
mod links;
mod login;
mod new_browser;
mod normalization;
mod operator;
mod outbox;
mod passkeys;
mod recovery;
mod second_step;
mod security;
mod security_keys;
mod signup;
mod smtp;
