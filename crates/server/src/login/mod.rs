//! The wallet's side of an OpenID Connect login: the pending requests it sees, its
//! approval (PIN proof + selective presentation of the credential) or denial, and
//! the citizen's connection history. Paths and bodies are those of `alicem_api`.

pub mod approve;
pub mod error;
pub mod history;
pub mod pending;

pub use error::LoginError;
