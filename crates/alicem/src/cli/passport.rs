//! `alicem passport …`: travel document chips.

use std::process::ExitCode;

use clap::Subcommand;

mod emulate;
mod read;

#[derive(Subcommand)]
pub enum PassportCommand {
    /// Parse and check an MRZ (TD1, TD2 or TD3), printing its fields as JSON.
    Mrz {
        /// The MRZ lines, separated by newlines or spaces.
        mrz: String,
    },
    /// List the PC/SC readers.
    Readers,
    /// Read every file of a passport or ID card chip into a directory.
    Read(read::ReadArgs),
    /// Serve a chip image to pcscd's virtual reader (vpcd) until interrupted.
    Emulate(emulate::EmulateArgs),
}

pub fn run(command: PassportCommand) -> anyhow::Result<ExitCode> {
    match command {
        PassportCommand::Mrz { mrz } => {
            let parsed = alicem_emrtd::mrz::Mrz::parse(&mrz)?;
            println!("{}", serde_json::to_string_pretty(&parsed)?);
            Ok(ExitCode::SUCCESS)
        }
        PassportCommand::Readers => read::readers(),
        PassportCommand::Read(args) => read::run(args),
        PassportCommand::Emulate(args) => emulate::run(args),
    }
}
