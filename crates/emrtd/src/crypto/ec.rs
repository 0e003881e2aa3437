//! Elliptic-curve arithmetic on every curve of Doc 9303-11 Table 12, behind one
//! byte-oriented interface: points are uncompressed SEC1 encodings, scalars big-endian.
//!
//! P-256/384/521 and brainpoolP256r1/384r1 come from their RustCrypto crates; the other
//! curves are defined in [`curves`] on the same generic `primeorder` arithmetic.

use core::marker::PhantomData;

use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::hazmat::FieldArithmetic;
use elliptic_curve::ops::Reduce;
use elliptic_curve::sec1::{FromSec1Point, Sec1Point, ToSec1Point};
use elliptic_curve::{FieldBytes, Group as _};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};
use zeroize::Zeroizing;

use super::CryptoError;
use crate::domain_parameters::Curve;

pub mod curves;

/// Arithmetic on one curve, on encoded values.
pub trait CurveOps: Send + Sync {
    fn curve(&self) -> Curve;
    /// Bytes of a field element (one coordinate).
    fn field_len(&self) -> usize;
    /// Bytes of a scalar (the group order's width).
    fn order_len(&self) -> usize;
    /// The field prime p, big-endian, `field_len` bytes.
    fn prime(&self) -> Vec<u8>;
    /// The group order n, big-endian, `order_len` bytes.
    fn order(&self) -> Vec<u8>;
    /// The standard generator G.
    fn generator(&self) -> Vec<u8>;
    /// Checks an uncompressed point: on the curve and not the identity.
    fn check_point(&self, point: &[u8]) -> Result<(), CryptoError>;
    /// Checks a private scalar: 0 < k < n, `order_len` bytes.
    fn check_scalar(&self, scalar: &[u8]) -> Result<(), CryptoError>;
    /// A scalar of at most `order_len` bytes reduced modulo n; zero is refused.
    fn reduce_scalar(&self, scalar: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
    /// `k·P` for a scalar of any length (reduced modulo n).
    fn mul(&self, point: &[u8], scalar: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// `P + Q`.
    fn add(&self, a: &[u8], b: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// `a⁻¹ · b mod n` (PACE-CAM chip authentication data).
    fn scalar_inverse_times(&self, a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
    /// Maps a field element `0 < t < p` (big-endian, `field_len` bytes) to a point: the
    /// encoding f_G of Doc 9303-11 Appendix B.2 (requires p ≡ 3 mod 4).
    fn encode_to_curve(&self, t: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

struct Ops<C>(Curve, PhantomData<C>);

fn field_bytes<C: elliptic_curve::Curve>(bytes: &[u8]) -> Result<FieldBytes<C>, CryptoError> {
    let mut out = FieldBytes::<C>::default();
    let len = out.len();
    let trimmed = super::dh::trim_leading_zeros(bytes);
    if trimmed.len() > len {
        return Err(CryptoError::InvalidPrivateKey);
    }
    out.get_mut(len - trimmed.len()..)
        .ok_or(CryptoError::InvalidPrivateKey)?
        .copy_from_slice(trimmed);
    Ok(out)
}

impl<C> Ops<C>
where
    C: PrimeCurveParams,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    fn decode(&self, point: &[u8]) -> Result<ProjectivePoint<C>, CryptoError> {
        if point.first() != Some(&0x04) || point.len() != 1 + 2 * self.field_len() {
            return Err(CryptoError::InvalidPublicKey(
                "not an uncompressed point of this curve",
            ));
        }
        let encoded = Sec1Point::<C>::from_bytes(point)
            .map_err(|_| CryptoError::InvalidPublicKey("malformed point"))?;
        let affine: Option<AffinePoint<C>> = AffinePoint::<C>::from_sec1_point(&encoded).into();
        let affine = affine.ok_or(CryptoError::InvalidPublicKey("point not on the curve"))?;
        let projective = ProjectivePoint::<C>::from(affine);
        if bool::from(projective.is_identity()) {
            return Err(CryptoError::InvalidPublicKey("point at infinity"));
        }
        Ok(projective)
    }

    fn encode(&self, point: &ProjectivePoint<C>) -> Result<Vec<u8>, CryptoError> {
        if bool::from(point.is_identity()) {
            return Err(CryptoError::DegenerateMapping);
        }
        let affine: AffinePoint<C> = (*point).into();
        Ok(affine.to_sec1_point(false).as_bytes().to_vec())
    }

    fn scalar(&self, bytes: &[u8]) -> Result<C::Scalar, CryptoError> {
        let fb = field_bytes::<C>(bytes)?;
        Ok(<C::Scalar as Reduce<FieldBytes<C>>>::reduce(&fb))
    }
}

impl<C> CurveOps for Ops<C>
where
    C: PrimeCurveParams,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    fn curve(&self) -> Curve {
        self.0
    }

    fn field_len(&self) -> usize {
        FieldBytes::<C>::default().len()
    }

    fn order_len(&self) -> usize {
        self.field_len()
    }

    fn prime(&self) -> Vec<u8> {
        // p − 1 is the field's largest element; add one in big-endian arithmetic.
        let minus_one = -<C as FieldArithmetic>::FieldElement::ONE;
        let mut bytes = minus_one.to_repr().to_vec();
        for b in bytes.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        bytes
    }

    fn order(&self) -> Vec<u8> {
        let minus_one = -<C::Scalar as Field>::ONE;
        let mut bytes = minus_one.to_repr().to_vec();
        for b in bytes.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        bytes
    }

    fn generator(&self) -> Vec<u8> {
        self.encode(&ProjectivePoint::<C>::generator())
            .unwrap_or_default()
    }

    fn check_point(&self, point: &[u8]) -> Result<(), CryptoError> {
        self.decode(point).map(|_| ())
    }

    fn check_scalar(&self, scalar: &[u8]) -> Result<(), CryptoError> {
        if scalar.len() != self.order_len() {
            return Err(CryptoError::InvalidPrivateKey);
        }
        let fb = field_bytes::<C>(scalar)?;
        let s: Option<C::Scalar> = C::Scalar::from_repr(fb).into();
        match s {
            Some(s) if !bool::from(s.is_zero()) => Ok(()),
            _ => Err(CryptoError::InvalidPrivateKey),
        }
    }

    fn reduce_scalar(&self, scalar: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let k = Zeroizing::new(self.scalar(scalar)?);
        if bool::from(k.is_zero()) {
            return Err(CryptoError::InvalidPrivateKey);
        }
        Ok(Zeroizing::new(k.to_repr().to_vec()))
    }

    fn mul(&self, point: &[u8], scalar: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let p = self.decode(point)?;
        let k = Zeroizing::new(self.scalar(scalar)?);
        self.encode(&(p * *k))
    }

    fn add(&self, a: &[u8], b: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let a = self.decode(a)?;
        let b = self.decode(b)?;
        self.encode(&(a + b))
    }

    fn scalar_inverse_times(&self, a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let a = self.scalar(a)?;
        let b = self.scalar(b)?;
        let inv: Option<C::Scalar> = a.invert().into();
        let inv = inv.ok_or(CryptoError::InvalidPrivateKey)?;
        Ok(Zeroizing::new((inv * b).to_repr().to_vec()))
    }

    fn encode_to_curve(&self, t: &[u8]) -> Result<Vec<u8>, CryptoError> {
        type Fe<C> = <C as FieldArithmetic>::FieldElement;
        let prime = self.prime();
        if prime.last().is_none_or(|b| b & 3 != 3) {
            return Err(CryptoError::Unsupported(format!(
                "Integrated Mapping on {:?} (needs p ≡ 3 mod 4)",
                self.0
            )));
        }
        let fb = field_bytes::<C>(t).map_err(|_| CryptoError::DegenerateMapping)?;
        let t: Option<Fe<C>> = Fe::<C>::from_repr(fb).into();
        let t = t.ok_or(CryptoError::DegenerateMapping)?;
        if bool::from(t.is_zero()) {
            return Err(CryptoError::DegenerateMapping);
        }
        let a = C::EQUATION_A;
        let b = C::EQUATION_B;
        // Doc 9303-11 Appendix B.2, steps 1–9.
        let alpha = -t.square();
        let alpha_sum = alpha + alpha.square();
        let inv_sum: Option<Fe<C>> = alpha_sum.invert().into();
        let inv_a: Option<Fe<C>> = a.invert().into();
        let (inv_sum, inv_a) = inv_sum.zip(inv_a).ok_or(CryptoError::DegenerateMapping)?;
        let x2 = -(b * inv_a) * (Fe::<C>::ONE + inv_sum);
        let x3 = alpha * x2;
        let h2 = x2.square() * x2 + a * x2 + b;
        let u = t.square() * t * h2;
        let exponent = sqrt_exponent(&prime);
        let big_a = h2.pow_vartime(&exponent);
        let (x, y) = if big_a.square() * h2 == Fe::<C>::ONE {
            (x2, big_a * h2)
        } else {
            (x3, big_a * u)
        };
        let mut point = vec![0x04];
        point.extend_from_slice(&x.to_repr());
        point.extend_from_slice(&y.to_repr());
        // Decoding checks the result lies on the curve (cofactor 1 on every curve here).
        self.check_point(&point)?;
        Ok(point)
    }
}

/// `p − 1 − (p + 1)/4` as little-endian 64-bit limbs, for `Field::pow_vartime`.
fn sqrt_exponent(prime: &[u8]) -> Vec<u64> {
    use crypto_bigint::BoxedUint;
    let bits = (prime.len() as u32 * 8).max(64);
    let p = BoxedUint::from_be_slice_truncated(prime, bits);
    let one = BoxedUint::one_with_precision(bits);
    let quarter = p.wrapping_add(&one).wrapping_shr_vartime(2);
    let e = p.wrapping_sub(&one).wrapping_sub(&quarter);
    e.to_le_bytes()
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w.get_mut(..c.len()).unwrap_or_default().copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect()
}

macro_rules! statics {
    ($($name:ident: $ty:ty = $curve:expr;)*) => {
        $(static $name: Ops<$ty> = Ops($curve, PhantomData);)*
    };
}

statics! {
    NIST_P192: curves::nist_p192::NistP192 = Curve::NistP192;
    BRAINPOOL_P192R1: curves::brainpool_p192r1::BrainpoolP192r1 = Curve::BrainpoolP192r1;
    NIST_P224: curves::nist_p224::NistP224 = Curve::NistP224;
    BRAINPOOL_P224R1: curves::brainpool_p224r1::BrainpoolP224r1 = Curve::BrainpoolP224r1;
    NIST_P256: p256::NistP256 = Curve::NistP256;
    BRAINPOOL_P256R1: bp256::BrainpoolP256r1 = Curve::BrainpoolP256r1;
    BRAINPOOL_P320R1: curves::brainpool_p320r1::BrainpoolP320r1 = Curve::BrainpoolP320r1;
    NIST_P384: p384::NistP384 = Curve::NistP384;
    BRAINPOOL_P384R1: bp384::BrainpoolP384r1 = Curve::BrainpoolP384r1;
    BRAINPOOL_P512R1: curves::brainpool_p512r1::BrainpoolP512r1 = Curve::BrainpoolP512r1;
    NIST_P521: p521::NistP521 = Curve::NistP521;
}

/// The arithmetic of `curve`.
pub fn ops(curve: Curve) -> &'static dyn CurveOps {
    match curve {
        Curve::NistP192 => &NIST_P192,
        Curve::BrainpoolP192r1 => &BRAINPOOL_P192R1,
        Curve::NistP224 => &NIST_P224,
        Curve::BrainpoolP224r1 => &BRAINPOOL_P224R1,
        Curve::NistP256 => &NIST_P256,
        Curve::BrainpoolP256r1 => &BRAINPOOL_P256R1,
        Curve::BrainpoolP320r1 => &BRAINPOOL_P320R1,
        Curve::NistP384 => &NIST_P384,
        Curve::BrainpoolP384r1 => &BRAINPOOL_P384R1,
        Curve::BrainpoolP512r1 => &BRAINPOOL_P512R1,
        Curve::NistP521 => &NIST_P521,
    }
}
