//! placeholder

pub mod login;
pub mod oidc;
