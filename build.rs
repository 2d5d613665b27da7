//! Tells cargo about the files the crate reads at compile time through
//! macros, which cargo cannot see by itself: the translation catalogues
//! (`rust_i18n::i18n!`) and the migrations (`sqlx::migrate!`). Without this,
//! editing `locales/fr.json` under `make dev` rebuilt nothing and the page
//! kept the old sentence until some Rust file changed. A directory here is
//! scanned whole, so adding, removing or editing any file in it counts.

fn main() {
    for read_at_compile_time in ["locales", "migrations"] {
        println!("cargo:rerun-if-changed={read_at_compile_time}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
