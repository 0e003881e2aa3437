//! `alicem passport …`: travel document chips.

use std::process::ExitCode;

use clap::Subcommand;

mod emulate;
mod mint;
mod read;
mod verify;

#[derive(Subcommand)]
pub enum PassportCommand {
    /// Parse and check an MRZ (TD1, TD2 or TD3), printing its fields as JSON.
    Mrz {
        /// The MRZ lines, separated by newlines or spaces.
        mrz: String,
    },
    /// Verify a document offline: Passive Authentication (SOD signature, Document
    /// Signer → CSCA chain, CRLs, data-group hashes), issuing state, expiry, and Active /
    /// Chip Authentication results. Exits 0 only when the document is authentic.
    Verify(verify::VerifyArgs),
    /// Mint a document (chip files, keys, profile) under a test PKI, optionally with a
    /// deliberate fault, into a directory the virtual chip serves.
    Mint(mint::MintArgs),
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
        PassportCommand::Verify(args) => verify::run(args),
        PassportCommand::Mint(args) => mint::run(args),
        PassportCommand::Readers => read::readers(),
        PassportCommand::Read(args) => read::run(args),
        PassportCommand::Emulate(args) => emulate::run(args),
    }
}
