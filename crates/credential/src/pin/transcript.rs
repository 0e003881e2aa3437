//! What a PIN proof signs: everything that makes it valid for one use only.

use super::PinChallenge;

/// What the PIN approves. Part of the signed transcript, so a proof for one purpose
/// is useless for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinPurpose {
    /// Approve an OpenID Connect login.
    Login,
    /// Prove the current PIN to change it.
    ChangePin,
    /// Suspend, revoke or delete the identity, or read its history.
    Lifecycle,
    /// Proof of possession of a new PIN key (inside a PIN change).
    NewPinKey,
}

impl PinPurpose {
    fn code(self) -> u8 {
        match self {
            PinPurpose::Login => 1,
            PinPurpose::ChangePin => 2,
            PinPurpose::Lifecycle => 3,
            PinPurpose::NewPinKey => 4,
        }
    }
}

/// The request a proof belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofContext<'a> {
    pub purpose: PinPurpose,
    /// The server's identifier of the citizen's identity.
    pub account: &'a str,
    /// The request being approved (login request id, lifecycle operation id…).
    pub request: &'a str,
    /// RFC 7638 thumbprint of the device key that signs the surrounding message.
    pub device_key_thumbprint: &'a str,
}

const DOMAIN: &[u8] = b"alicem-pin-proof-v1";

fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field);
}

/// The signed bytes: a domain label, then every field length-prefixed so no two
/// contexts encode alike.
pub(crate) fn transcript(
    context: &ProofContext<'_>,
    purpose: PinPurpose,
    challenge: &PinChallenge,
    secret_id: &[u8; 16],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    push_field(&mut out, DOMAIN);
    out.push(purpose.code());
    push_field(&mut out, context.account.as_bytes());
    push_field(&mut out, context.request.as_bytes());
    push_field(&mut out, context.device_key_thumbprint.as_bytes());
    push_field(&mut out, challenge.nonce());
    push_field(&mut out, secret_id);
    out
}
