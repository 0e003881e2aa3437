//! ISO/IEC 9797-1 padding method 2: a mandatory 0x80, then zeros to the block size.

use super::CryptoError;

/// Pads `data` to a multiple of `block` bytes (always adds at least one byte).
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block != 0 {
        out.push(0);
    }
    out
}

/// Removes method-2 padding. Only applied to data whose MAC was already verified, so
/// the position of the error leaks nothing.
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let end = data
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(CryptoError::Padding)?;
    match data.get(end) {
        Some(0x80) => Ok(data.get(..end).unwrap_or_default()),
        _ => Err(CryptoError::Padding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_the_next_block_and_always_adds_a_byte() {
        assert_eq!(pad(&[1, 2, 3], 8), [1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(pad(&[], 16), {
            let mut v = vec![0u8; 16];
            v[0] = 0x80;
            v
        });
    }

    #[test]
    fn unpads_what_it_padded_and_rejects_garbage() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).map(|b| b | 1).collect();
            assert_eq!(unpad(&pad(&data, 16)).unwrap(), &data[..]);
        }
        assert_eq!(unpad(&[1, 2, 0, 0]), Err(CryptoError::Padding));
        assert_eq!(unpad(&[0, 0]), Err(CryptoError::Padding));
        assert_eq!(unpad(&[]), Err(CryptoError::Padding));
    }
}
