//! A software eMRTD chip that answers the same APDUs as a real one, and a factory that
//! issues documents (good and deliberately bad) under a test PKI.

pub mod chip;
pub mod factory;
pub mod image;
pub mod profile;
pub mod test_image;
pub mod vpcd;

pub use chip::{ChipError, VirtualChip};
pub use image::{ChipImage, ChipKeys, DocumentAccess, PrivateKey};
pub use profile::ChipProfile;
