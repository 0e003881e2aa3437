//! The README must stay true: every `alicem …` command line it shows parses (every
//! subcommand and flag exists), checked with the binary itself in parse-only mode.
//! What the commands do is covered by the other integration tests.

use std::path::Path;
use std::process::Command;

/// Command lines of the README's `sh` blocks that start with `alicem` (comments and
/// trailing `\` continuations handled).
fn readme_commands() -> Vec<Vec<String>> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md is readable");
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = trimmed.split(" #").next().unwrap_or("").trim();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        let full = std::mem::take(&mut pending);
        let full = full.trim();
        if let Some(args) = full.strip_prefix("alicem ") {
            commands.push(split_shell_words(args));
        }
    }
    commands
}

/// Splits like a shell for the simple quoting the README uses ('…' and "…").
fn split_shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut has_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if has_word || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if has_word || !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn readme_shows_alicem_commands() {
    assert!(
        readme_commands().len() >= 5,
        "the README should show how to run alicem for real"
    );
}

#[test]
fn every_readme_command_line_parses() {
    for args in readme_commands() {
        let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(&args)
            .env("ALICEM_PARSE_ONLY", "1")
            .output()
            .expect("alicem runs");
        assert!(
            output.status.success(),
            "README command `alicem {}` does not parse:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_misspelt_flag_would_be_caught() {
    let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(["passport", "verify", "--no-such-flag"])
        .env("ALICEM_PARSE_ONLY", "1")
        .output()
        .expect("alicem runs");
    assert!(!output.status.success());
}
