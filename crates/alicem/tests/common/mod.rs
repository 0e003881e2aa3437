//! Helpers shared by the integration tests of the `alicem` binary.
#![allow(dead_code)]

pub mod console;
