//! Binary fields as unpadded base64url strings.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes carried in JSON as an unpadded base64url string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Bytes {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

/// Only the length: chip files and frames are personal data and must not end up in
/// logs through a `{:?}`.
impl core::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Base64UrlUnpadded::encode_string(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Base64UrlUnpadded::decode_vec(&text)
            .map(Bytes)
            .map_err(|_| serde::de::Error::custom("not unpadded base64url"))
    }
}

/// In the OpenAPI description: a string of unpadded base64url.
impl utoipa::PartialSchema for Bytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_encoding("base64url")
            .pattern(Some("^[A-Za-z0-9_-]*$"))
            .description(Some("bytes, unpadded base64url"))
            .into()
    }
}

impl utoipa::ToSchema for Bytes {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_unpadded_base64url() {
        let bytes = Bytes(vec![0xfb, 0xff, 0x01]);
        let json = serde_json::to_string(&bytes).unwrap();
        assert_eq!(json, "\"-_8B\"");
        assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), bytes);
    }

    #[test]
    fn rejects_padded_or_standard_alphabet() {
        assert!(serde_json::from_str::<Bytes>("\"+/8B\"").is_err());
        assert!(serde_json::from_str::<Bytes>("\"AA==\"").is_err());
    }

    #[test]
    fn debug_shows_only_the_length() {
        assert_eq!(format!("{:?}", Bytes(vec![1, 2, 3])), "Bytes(3 bytes)");
    }
}
