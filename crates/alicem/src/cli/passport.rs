//! `alicem passport …`: travel document chips.

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum PassportCommand {
    /// Parse and check an MRZ (TD1, TD2 or TD3), printing its fields as JSON.
    Mrz {
        /// The MRZ lines, separated by newlines or spaces.
        mrz: String,
    },
}

pub fn run(command: PassportCommand) -> anyhow::Result<ExitCode> {
    match command {
        PassportCommand::Mrz { mrz } => {
            let parsed = alicem_emrtd::mrz::Mrz::parse(&mrz)?;
            println!("{}", serde_json::to_string_pretty(&parsed)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
