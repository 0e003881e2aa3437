//! BER-TLV data objects of ISO/IEC 7816-4 as the LDS uses them (tags of one to three
//! bytes, definite lengths of up to four bytes). Reading and writing live here, in one
//! small place; the ASN.1 structures (SOD, SecurityInfos, certificates) use `der`.

/// Why bytes are not a valid data object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("data object truncated at offset {0}")]
    Truncated(usize),
    #[error("unsupported length encoding at offset {0}")]
    BadLength(usize),
    #[error("tag at offset {0} is longer than 3 bytes")]
    TagTooLong(usize),
    #[error("expected tag {expected:X}, found {found:X}")]
    UnexpectedTag { expected: u32, found: u32 },
    #[error("missing data object with tag {0:X}")]
    Missing(u32),
}

/// One data object borrowed from its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag bytes as one number (`0x5F1F`, `0x7F61`, `0x61`).
    pub tag: u32,
    pub value: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// True when bit 6 of the first tag byte marks a constructed object.
    pub fn constructed(&self) -> bool {
        self.raw.first().is_some_and(|b| b & 0x20 != 0)
    }

    /// The objects nested in this one's value.
    pub fn children(&self) -> TlvReader<'a> {
        TlvReader::new(self.value)
    }

    /// The first child with `tag`.
    pub fn find(&self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        find(self.value, tag)
    }

    /// The first child with `tag`, which must be there.
    pub fn require(&self, tag: u32) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::Missing(tag))
    }
}

/// Iterates over consecutive data objects.
#[derive(Debug, Clone)]
pub struct TlvReader<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> TlvReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, offset: 0 }
    }

    fn byte(&self, at: usize) -> Result<u8, TlvError> {
        self.data.get(at).copied().ok_or(TlvError::Truncated(at))
    }

    fn read(&mut self) -> Result<Tlv<'a>, TlvError> {
        let start = self.offset;
        let mut at = start;
        let first = self.byte(at)?;
        let mut tag = u32::from(first);
        at += 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = self.byte(at)?;
                at += 1;
                tag = (tag << 8) | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
                if at - start >= 3 {
                    return Err(TlvError::TagTooLong(start));
                }
            }
        }
        let l0 = self.byte(at)?;
        at += 1;
        let len = match l0 {
            0x00..=0x7F => usize::from(l0),
            0x81..=0x84 => {
                let n = usize::from(l0 & 0x7F);
                let mut len = 0usize;
                for _ in 0..n {
                    len = (len << 8) | usize::from(self.byte(at)?);
                    at += 1;
                }
                len
            }
            _ => return Err(TlvError::BadLength(at - 1)),
        };
        let end = at.checked_add(len).ok_or(TlvError::BadLength(at))?;
        let value = self.data.get(at..end).ok_or(TlvError::Truncated(at))?;
        let raw = self
            .data
            .get(start..end)
            .ok_or(TlvError::Truncated(start))?;
        self.offset = end;
        Ok(Tlv { tag, value, raw })
    }
}

impl<'a> Iterator for TlvReader<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.data.len() {
            return None;
        }
        let item = self.read();
        if item.is_err() {
            // Stop after the first error rather than loop on it.
            self.offset = self.data.len();
        }
        Some(item)
    }
}

/// Parses exactly one data object filling `data`, with the expected tag.
pub fn parse_one(data: &[u8], expected: u32) -> Result<Tlv<'_>, TlvError> {
    let mut reader = TlvReader::new(data);
    let tlv = reader.next().ok_or(TlvError::Truncated(0))??;
    if tlv.tag != expected {
        return Err(TlvError::UnexpectedTag {
            expected,
            found: tlv.tag,
        });
    }
    Ok(tlv)
}

/// The first object with `tag` among consecutive objects.
pub fn find(data: &[u8], tag: u32) -> Result<Option<Tlv<'_>>, TlvError> {
    for item in TlvReader::new(data) {
        let item = item?;
        if item.tag == tag {
            return Ok(Some(item));
        }
    }
    Ok(None)
}

/// Encodes a length in the shortest form.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        0x1_0000..=0xFF_FFFF => {
            out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8])
        }
        _ => out.extend_from_slice(&[
            0x84,
            (len >> 24) as u8,
            (len >> 16) as u8,
            (len >> 8) as u8,
            len as u8,
        ]),
    }
}

/// Encodes one data object.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    let tag_bytes = tag.to_be_bytes();
    let skip = tag_bytes.iter().take_while(|b| **b == 0).count().min(3);
    out.extend_from_slice(tag_bytes.get(skip..).unwrap_or(&[0]));
    encode_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_two_byte_tags_and_long_lengths() {
        let inner = encode(0x5F1F, &[b'A'; 200]);
        let outer = encode(0x61, &inner);
        assert_eq!(&outer[..3], &[0x61, 0x81, 0xCC]);
        let dg = parse_one(&outer, 0x61).unwrap();
        let mrz = dg.require(0x5F1F).unwrap();
        assert_eq!(mrz.value.len(), 200);
        assert!(dg.constructed());
    }

    #[test]
    fn rejects_truncation_and_wrong_tag_without_panicking() {
        let outer = encode(0x61, &encode(0x5F1F, b"ABC"));
        for len in 0..outer.len() {
            assert!(parse_one(&outer[..len], 0x61).is_err());
        }
        assert_eq!(
            parse_one(&outer, 0x75),
            Err(TlvError::UnexpectedTag {
                expected: 0x75,
                found: 0x61
            })
        );
        assert!(parse_one(&[0x61, 0x85, 0, 0, 0, 0, 1], 0x61).is_err());
        assert!(parse_one(&[0x5F, 0xFF, 0xFF, 0x01, 0x00], 0x5F).is_err());
    }
}
