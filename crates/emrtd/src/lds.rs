//! The Logical Data Structure (Doc 9303-10): file identifiers and the parsing of what
//! the chip stores.

pub mod card_security;
pub mod com;
pub mod dg1;
pub mod dg11;
pub mod dg12;
pub mod dg15;
pub mod dg2;
pub mod dg7;
#[cfg(feature = "image")]
pub mod face_image;
pub mod file_id;
pub mod security_infos;
pub mod signed_data;
pub mod sod;
pub mod tlv;

pub use card_security::CardSecurity;
pub use com::EfCom;
pub use dg2::{Dg2, FaceImage, ImageFormat};
pub use dg7::Dg7;
pub use dg11::Dg11;
pub use dg12::Dg12;
pub use dg15::Dg15;
#[cfg(feature = "image")]
pub use face_image::{FaceImageError, decode_face_image};
pub use file_id::{DataGroup, FileId};
pub use security_infos::SecurityInfos;
pub use signed_data::SignedObject;
pub use sod::Sod;
