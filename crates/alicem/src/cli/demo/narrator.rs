//! The demo's story on the terminal: numbered steps, results, progress bars. Output goes
//! to stdout (the narrative is the demo's product); progress bars to stderr, hidden when
//! stderr is not a terminal.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Narrator {
    step: usize,
    total: usize,
    started: Instant,
}

impl Narrator {
    pub fn new(total: usize) -> Self {
        let now = Instant::now();
        Self {
            step: 0,
            total,
            started: now,
        }
    }

    /// Starts the next numbered step.
    pub fn step(&mut self, title: &str) {
        self.step += 1;
        crate::cli::emit(&format!("\n[{}/{}] {title}\n", self.step, self.total));
    }

    /// A fact established by the current step.
    pub fn ok(&self, text: &str) {
        crate::cli::emit(&format!("  ✓ {text}\n"));
    }

    /// Context that is neither success nor failure.
    pub fn say(&self, text: &str) {
        crate::cli::emit(&format!("    {text}\n"));
    }

    /// An expected refusal (the negative part of the story).
    pub fn refused(&self, text: &str) {
        crate::cli::emit(&format!("  ✗ {text}\n"));
    }

    pub fn total_elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// A progress bar of `len` units (bytes when `bytes`), on stderr when it is a terminal.
    pub fn progress(&self, len: u64, message: &str, bytes: bool) -> ProgressBar {
        if !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        let template = if bytes {
            "    {msg} [{bar:30}] {bytes}/{total_bytes} {eta}"
        } else {
            "    {msg} [{bar:30}] {pos}/{len}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        bar
    }
}
