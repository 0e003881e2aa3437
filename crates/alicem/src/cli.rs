//! Command groups of the `alicem` binary, one module each.

pub mod passport;
