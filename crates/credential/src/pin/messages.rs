//! The PIN messages exchanged between wallet and server, with a JSON form (bytes as
//! unpadded base64url).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use super::PinError;
use crate::jose::b64;
use crate::rng::random_bytes;

fn ser<S: Serializer, const N: usize>(bytes: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&b64::encode(bytes))
}

fn de<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
    let text = String::deserialize(d)?;
    b64::decode_array::<N>("PIN message field", &text).map_err(serde::de::Error::custom)
}

/// Random identifier of a device's [`PinSecret`](super::PinSecret) generation, so
/// wallet and server agree on which PIN key is current (e.g. after a PIN change
/// interrupted by a crash). Independent of the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinSecretId(#[serde(serialize_with = "ser", deserialize_with = "de")] pub [u8; 16]);

/// In the OpenAPI description: 16 bytes as unpadded base64url.
impl utoipa::PartialSchema for PinSecretId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_encoding("base64url")
            .description(Some("16 random bytes, unpadded base64url"))
            .into()
    }
}

impl ToSchema for PinSecretId {}

/// Sent by the wallet at enrollment (inside a message signed by its device key): the
/// public half of the PIN key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinRegistration {
    pub secret_id: PinSecretId,
    /// Compressed SEC1 P-256 point.
    #[serde(serialize_with = "ser", deserialize_with = "de")]
    #[schema(value_type = String, content_encoding = "base64url")]
    pub public_key: [u8; 33],
}

/// A fresh single-use value from the server. The server stores it with the request it
/// belongs to and deletes it when a proof for it arrives, whatever the outcome.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinChallenge {
    #[serde(serialize_with = "ser", deserialize_with = "de")]
    #[schema(value_type = String, content_encoding = "base64url")]
    nonce: [u8; 32],
    /// Which device secret the server's verifier was made from.
    pub secret_id: PinSecretId,
}

impl core::fmt::Debug for PinChallenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PinChallenge")
            .field("nonce", &b64::encode(&self.nonce))
            .finish_non_exhaustive()
    }
}

impl PinChallenge {
    /// A new challenge for the identity whose verifier is `verifier`.
    pub fn generate(
        verifier: &super::PinVerifier,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Self {
        Self {
            nonce: random_bytes(rng),
            secret_id: verifier.secret_id(),
        }
    }

    pub fn nonce(&self) -> &[u8; 32] {
        &self.nonce
    }

    /// Rebuilds a challenge from its stored parts.
    pub fn from_parts(nonce: [u8; 32], secret_id: PinSecretId) -> Self {
        Self { nonce, secret_id }
    }
}

/// What the wallet sends to prove the PIN for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinProof {
    pub secret_id: PinSecretId,
    /// Compressed SEC1 public PIN key.
    #[serde(serialize_with = "ser", deserialize_with = "de")]
    #[schema(value_type = String, content_encoding = "base64url")]
    pub public_key: [u8; 33],
    /// ECDSA P-256 / SHA-256 signature `r || s` over the transcript.
    #[serde(serialize_with = "ser", deserialize_with = "de")]
    #[schema(value_type = String, content_encoding = "base64url")]
    pub signature: [u8; 64],
}

/// A PIN change: proof of the current PIN, the new PIN key, and proof of possession
/// of the new key, all over the same challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinChange {
    pub current: PinProof,
    pub new_registration: PinRegistration,
    pub new_key_proof: PinProof,
}

impl PinSecretId {
    pub(crate) fn generate(rng: &mut (impl rand_core::CryptoRng + ?Sized)) -> Self {
        Self(random_bytes(rng))
    }

    /// base64url form, e.g. for a database column.
    pub fn to_b64(&self) -> String {
        b64::encode(&self.0)
    }

    pub fn from_b64(text: &str) -> Result<Self, PinError> {
        b64::decode_array::<16>("PIN secret id", text)
            .map(Self)
            .map_err(|_| PinError::Malformed("PIN secret id"))
    }
}
