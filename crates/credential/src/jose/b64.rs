//! base64url without padding (RFC 7515 §2), strict: no padding, no whitespace, no
//! non-canonical trailing bits, so one value has exactly one encoding.

use base64ct::{Base64UrlUnpadded, Encoding};

use super::JoseError;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url; `what` names the field in the error.
pub fn decode(what: &'static str, text: &str) -> Result<Vec<u8>, JoseError> {
    let bytes = Base64UrlUnpadded::decode_vec(text).map_err(|_| JoseError::Base64(what))?;
    // Belt and braces: the decoder is meant to refuse non-canonical input; check
    // that re-encoding gives the text back so no two strings decode alike.
    if Base64UrlUnpadded::encode_string(&bytes) != text {
        return Err(JoseError::Base64(what));
    }
    Ok(bytes)
}

/// Decodes into exactly `N` bytes.
pub fn decode_array<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], JoseError> {
    decode(what, text)?
        .try_into()
        .map_err(|_| JoseError::Malformed {
            what,
            reason: "wrong length",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode("x", &encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_padding_standard_alphabet_and_non_canonical_bits() {
        assert!(decode("x", "AA==").is_err());
        assert!(decode("x", "+/8").is_err());
        assert!(decode("x", "AB").is_err()); // trailing bits set: "AA" is the canonical form
        assert!(decode("x", "A").is_err());
        assert!(decode("x", " AA").is_err());
        assert_eq!(decode("x", "AA").unwrap(), vec![0]);
        assert_eq!(decode("x", "-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
