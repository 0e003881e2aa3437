//! Reading PINs: from the terminal without echo, or one per line from standard input
//! (`--pin-stdin`, for scripts). PINs are wiped once used.

use std::io::BufRead;

use alicem_credential::pin::{Pin, PinError};
use anyhow::{Context as _, bail};
use clap::Args;
use zeroize::Zeroizing;

#[derive(Args, Clone, Copy)]
pub struct PinStdinArgs {
    /// Read PINs from standard input, one per line, instead of the terminal.
    #[arg(long)]
    pub pin_stdin: bool,
}

/// Where PINs come from.
pub struct PinInput {
    stdin: bool,
}

impl PinInput {
    pub fn new(args: PinStdinArgs) -> Self {
        Self {
            stdin: args.pin_stdin,
        }
    }

    fn line(&self, prompt: &str) -> anyhow::Result<Zeroizing<String>> {
        if self.stdin {
            let mut line = Zeroizing::new(String::new());
            let read = std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading a PIN from standard input")?;
            if read == 0 {
                bail!("standard input ended before the PIN ({prompt})");
            }
            let trimmed = Zeroizing::new(line.trim().to_owned());
            Ok(trimmed)
        } else {
            rpassword::prompt_password(format!("{prompt}: "))
                .map(Zeroizing::new)
                .context("no terminal to read the PIN from (use --pin-stdin)")
        }
    }

    /// A PIN to unlock something.
    pub fn read(&self, prompt: &str) -> anyhow::Result<Pin> {
        let text = self.line(prompt)?;
        Pin::new(text.trim()).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// A new PIN: refused if easy to guess; typed twice on a terminal.
    pub fn choose(&self, prompt: &str) -> anyhow::Result<Pin> {
        for _ in 0..3 {
            let text = self.line(prompt)?;
            let pin = match Pin::new_chosen(text.trim()) {
                Ok(pin) => pin,
                Err(e @ (PinError::TooWeak | PinError::NotSixDigits)) if !self.stdin => {
                    eprintln!("{e}; try again");
                    continue;
                }
                Err(e) => bail!("{e}"),
            };
            if self.stdin {
                return Ok(pin);
            }
            let again = self.line("Type it again")?;
            if Pin::new(again.trim()).ok().as_ref() == Some(&pin) {
                return Ok(pin);
            }
            eprintln!("the two PINs differ; try again");
        }
        bail!("no PIN chosen")
    }
}
