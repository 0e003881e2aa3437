//! The Logical Data Structure (Doc 9303-10): file identifiers and the parsing of what
//! the chip stores.

pub mod file_id;
pub mod security_infos;

pub use file_id::{DataGroup, FileId};
pub use security_infos::SecurityInfos;
