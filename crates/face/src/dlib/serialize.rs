//! dlib's binary serialization (dlib/serialize.h), the subset its model files use.
//!
//! Integers: a control byte (low 4 bits: byte count, bit 7: negative) then that many
//! little-endian bytes. Floats: a signed mantissa and an exponent, both such integers
//! (value = mantissa · 2^exponent). Strings and vectors: a length then the items.
//! Every read is bounds-checked: a model file is outside data.

/// What went wrong, and at which byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dlib model file, byte {offset}: {what}")]
pub struct DlibError {
    pub offset: usize,
    pub what: String,
}

/// A cursor over a dlib-serialized byte stream.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

const INF_EXPONENT: i64 = 32000;
const NINF_EXPONENT: i64 = 32001;
const NAN_EXPONENT: i64 = 32002;

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn error(&self, what: impl Into<String>) -> DlibError {
        DlibError {
            offset: self.pos,
            what: what.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DlibError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.error("unexpected end of file"))?;
        let out = self.bytes.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, DlibError> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    /// A signed integer of at most `max_bytes` bytes.
    pub fn int(&mut self, max_bytes: usize) -> Result<i64, DlibError> {
        let control = self.byte()?;
        let negative = control & 0x80 != 0;
        let size = usize::from(control & 0x0F);
        if size == 0 || size > max_bytes.min(8) {
            return Err(self.error(format!("bad integer size {size}")));
        }
        let bytes = self.take(size)?;
        let magnitude = bytes
            .iter()
            .rev()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let value = i64::try_from(magnitude).map_err(|_| self.error("integer overflow"))?;
        Ok(if negative { -value } else { value })
    }

    /// An unsigned integer of at most `max_bytes` bytes (no sign bit allowed).
    pub fn uint(&mut self, max_bytes: usize) -> Result<u64, DlibError> {
        let control = self.byte()? & 0x8F;
        let size = usize::from(control);
        if size == 0 || size > max_bytes.min(8) {
            return Err(self.error(format!("bad unsigned integer control byte {control:#x}")));
        }
        let bytes = self.take(size)?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A length or count, bounded so a hostile file cannot ask for huge allocations.
    pub fn count(&mut self, max: usize) -> Result<usize, DlibError> {
        let n = self.uint(8)?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| self.error(format!("length {n} is larger than {max}")))
    }

    pub fn f64(&mut self) -> Result<f64, DlibError> {
        let mantissa = self.int(8)?;
        let exponent = self.int(2)?;
        Ok(match exponent {
            INF_EXPONENT => f64::INFINITY,
            NINF_EXPONENT => f64::NEG_INFINITY,
            NAN_EXPONENT => f64::NAN,
            e => {
                let e = i32::try_from(e).map_err(|_| self.error("float exponent"))?;
                mantissa as f64 * 2f64.powi(e)
            }
        })
    }

    /// A float as dlib rebuilds it: `ldexp((float)mantissa, exponent)`.
    pub fn f32(&mut self) -> Result<f32, DlibError> {
        let mantissa = self.int(8)?;
        let exponent = self.int(2)?;
        Ok(match exponent {
            INF_EXPONENT => f32::INFINITY,
            NINF_EXPONENT => f32::NEG_INFINITY,
            NAN_EXPONENT => f32::NAN,
            e => {
                let e = i32::try_from(e).map_err(|_| self.error("float exponent"))?;
                (f64::from(mantissa as f32) * 2f64.powi(e)) as f32
            }
        })
    }

    pub fn bool(&mut self) -> Result<bool, DlibError> {
        match self.byte()? {
            b'1' => Ok(true),
            b'0' => Ok(false),
            other => Err(self.error(format!("bad boolean byte {other:#x}"))),
        }
    }

    pub fn string(&mut self) -> Result<String, DlibError> {
        let n = self.count(1 << 16)?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error("string is not UTF-8"))
    }

    /// Reads a string and checks it is one of the expected layer/version names.
    pub fn expect_string(&mut self, expected: &[&str]) -> Result<String, DlibError> {
        let at = self.pos;
        let s = self.string()?;
        if expected.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(DlibError {
                offset: at,
                what: format!("expected one of {expected:?}, found {s:?}"),
            })
        }
    }

    /// Reads a version integer and checks it.
    pub fn expect_version(&mut self, allowed: &[i64], what: &str) -> Result<i64, DlibError> {
        let at = self.pos;
        let v = self.int(4)?;
        if allowed.contains(&v) {
            Ok(v)
        } else {
            Err(DlibError {
                offset: at,
                what: format!("unexpected {what} version {v}"),
            })
        }
    }

    /// Raw little-endian f32 values (dlib tensors).
    pub fn raw_f32s(&mut self, n: usize) -> Result<Vec<f32>, DlibError> {
        let bytes = self.take(
            n.checked_mul(4)
                .ok_or_else(|| self.error("size overflow"))?,
        )?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}
