//! BER-TLV data objects of ISO/IEC 7816-4 (secure messaging DOs, dynamic authentication
//! data, public key templates): the one place where tags and lengths are read and
//! written by hand. Reading never panics; every malformed input is a [`TlvError`].

/// A malformed data object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("data object truncated")]
    Truncated,
    #[error("tag longer than 3 bytes")]
    TagTooLong,
    #[error("length field of {0} bytes is not supported")]
    LengthTooLong(usize),
    #[error("expected tag {expected:X}, found {found:X}")]
    UnexpectedTag { expected: u32, found: u32 },
    #[error("{0} bytes after the last data object")]
    TrailingBytes(usize),
}

/// One data object, borrowing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
}

/// Reads the tag at the start of `data`: (tag, bytes used).
fn read_tag(data: &[u8]) -> Result<(u32, usize), TlvError> {
    let first = *data.first().ok_or(TlvError::Truncated)?;
    let mut tag = u32::from(first);
    let mut used = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *data.get(used).ok_or(TlvError::Truncated)?;
            tag = (tag << 8) | u32::from(b);
            used += 1;
            if b & 0x80 == 0 {
                break;
            }
            if used >= 3 {
                return Err(TlvError::TagTooLong);
            }
        }
    }
    Ok((tag, used))
}

/// Reads a length field: (length, bytes used).
pub fn read_length(data: &[u8]) -> Result<(usize, usize), TlvError> {
    let first = *data.first().ok_or(TlvError::Truncated)?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 3 {
        return Err(TlvError::LengthTooLong(count));
    }
    let bytes = data.get(1..1 + count).ok_or(TlvError::Truncated)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Ok((len, 1 + count))
}

/// The (header length, value length) of the data object starting `data`, without
/// requiring the value to be present: used to learn a file's size from its first bytes.
pub fn peek_header(data: &[u8]) -> Result<(usize, usize), TlvError> {
    let (_, tag_len) = read_tag(data)?;
    let (len, len_len) = read_length(data.get(tag_len..).ok_or(TlvError::Truncated)?)?;
    Ok((tag_len + len_len, len))
}

/// Parses the first data object of `data`, returning it and the rest.
pub fn parse_one(data: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag, tag_len) = read_tag(data)?;
    let after_tag = data.get(tag_len..).ok_or(TlvError::Truncated)?;
    let (len, len_len) = read_length(after_tag)?;
    let value = after_tag
        .get(len_len..len_len + len)
        .ok_or(TlvError::Truncated)?;
    let rest = after_tag.get(len_len + len..).unwrap_or_default();
    Ok((Tlv { tag, value }, rest))
}

/// Parses a concatenation of data objects, all of which must be complete.
pub fn parse_all(mut data: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let (tlv, rest) = parse_one(data)?;
        out.push(tlv);
        data = rest;
    }
    Ok(out)
}

/// Parses exactly one data object with tag `expected` filling `data`.
pub fn parse_single(data: &[u8], expected: u32) -> Result<&[u8], TlvError> {
    let (tlv, rest) = parse_one(data)?;
    if tlv.tag != expected {
        return Err(TlvError::UnexpectedTag {
            expected,
            found: tlv.tag,
        });
    }
    if !rest.is_empty() {
        return Err(TlvError::TrailingBytes(rest.len()));
    }
    Ok(tlv.value)
}

/// The value of the first object tagged `tag`, if any.
pub fn find<'a>(objects: &[Tlv<'a>], tag: u32) -> Option<&'a [u8]> {
    objects.iter().find(|t| t.tag == tag).map(|t| t.value)
}

/// Encodes a length field (definite form, up to 3 length bytes).
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.push(0x82);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x83);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    }
}

/// Encodes one data object.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    let tag_bytes = tag.to_be_bytes();
    let start = tag_bytes.iter().position(|&b| b != 0).unwrap_or(3);
    out.extend_from_slice(tag_bytes.get(start..).unwrap_or_default());
    encode_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_short_long_and_two_byte_tags() {
        for (tag, len) in [(0x87, 5), (0x7C, 200), (0x7F49, 300), (0x53, 70_000)] {
            let value = vec![0xAB; len];
            let encoded = encode(tag, &value);
            let (tlv, rest) = parse_one(&encoded).unwrap();
            assert_eq!((tlv.tag, tlv.value.len(), rest.len()), (tag, len, 0));
            assert_eq!(peek_header(&encoded[..6]).unwrap().1, len);
        }
    }

    #[test]
    fn parses_icao_d4_protected_response_objects() {
        let data = hex::decode("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED").unwrap();
        let objects = parse_all(&data).unwrap();
        let tags: Vec<u32> = objects.iter().map(|t| t.tag).collect();
        assert_eq!(tags, [0x87, 0x99, 0x8E]);
        assert_eq!(find(&objects, 0x99), Some(&[0x90, 0x00][..]));
    }

    #[test]
    fn rejects_truncated_and_oversized_objects_without_panicking() {
        let data = hex::decode("7F4903860142").unwrap();
        for len in 0..data.len() {
            assert!(parse_all(&data[..len]).is_err() || len == 0);
        }
        assert_eq!(
            parse_one(&[0x87, 0x85, 1, 1, 1, 1, 1]),
            Err(TlvError::LengthTooLong(5))
        );
        assert_eq!(
            parse_one(&[0x7F, 0xFF, 0xFF, 0x01]),
            Err(TlvError::TagTooLong)
        );
        assert!(matches!(
            parse_single(&[0x80, 0, 0x81, 0], 0x80),
            Err(TlvError::TrailingBytes(2))
        ));
    }
}
