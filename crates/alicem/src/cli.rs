//! Command groups of the `alicem` binary, one module each.

pub mod admin;
pub mod demo;
pub mod demo_sp;
pub mod face;
pub mod models;
pub mod passport;
pub mod serve;
pub mod trust;
pub mod wallet;

/// Writes command output to stdout; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
