//! One interface over both kinds of key-agreement group (RFC 5114 MODP groups and
//! elliptic curves), so PACE and Chip Authentication are written once.
//!
//! Elements travel as bytes: uncompressed points, or integers left-padded to the width
//! of p. Private keys are big-endian scalars, zeroized on drop.

use core::fmt;

use zeroize::Zeroizing;

use super::CryptoError;
use super::dh::{self, DhParams};
use super::ec::{self, CurveOps};
use super::entropy::Entropy;
use crate::domain_parameters::{Curve, DomainParameters};

/// A group element (a point, or an integer modulo p), canonically encoded. Shared
/// elements (the mapping's H, the key agreement's K) are secrets: wiped on drop and
/// never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Element(Vec<u8>);

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element({} bytes)", self.0.len())
    }
}

impl Drop for Element {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Element {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A private key (exponent or scalar).
#[derive(Clone)]
pub struct PrivateKey(Zeroizing<Vec<u8>>);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PrivateKey {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Ec(&'static dyn CurveOps),
    Dh(&'static DhParams),
}

/// A key-agreement group given by standardized domain parameters.
#[derive(Clone, Copy)]
pub struct Group {
    parameters: DomainParameters,
    kind: Kind,
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Group({:?})", self.parameters)
    }
}

impl Group {
    pub fn new(parameters: DomainParameters) -> Result<Self, CryptoError> {
        let kind = match parameters {
            DomainParameters::Ecdh(curve) => Kind::Ec(ec::ops(curve)),
            DomainParameters::Dh(group) => Kind::Dh(dh::params(group)?),
        };
        Ok(Self { parameters, kind })
    }

    pub fn parameters(&self) -> DomainParameters {
        self.parameters
    }

    pub fn curve(&self) -> Option<Curve> {
        match self.parameters {
            DomainParameters::Ecdh(c) => Some(c),
            DomainParameters::Dh(_) => None,
        }
    }

    /// The standard generator.
    pub fn generator(&self) -> Element {
        match self.kind {
            Kind::Ec(ops) => Element(ops.generator()),
            Kind::Dh(p) => Element(p.generator()),
        }
    }

    /// Width of a field element / of p in bytes.
    pub fn field_len(&self) -> usize {
        match self.kind {
            Kind::Ec(ops) => ops.field_len(),
            Kind::Dh(p) => p.element_len(),
        }
    }

    /// The prime p of the underlying field, big-endian.
    pub fn prime(&self) -> Vec<u8> {
        match self.kind {
            Kind::Ec(ops) => ops.prime(),
            Kind::Dh(p) => p.p_bytes(),
        }
    }

    /// The prime order of the group (EC: n; DH: q), big-endian.
    pub fn order(&self) -> Vec<u8> {
        match self.kind {
            Kind::Ec(ops) => ops.order(),
            Kind::Dh(p) => p.q_bytes(),
        }
    }

    /// Draws a private key uniformly in [1, order − 1] by rejection sampling.
    pub fn generate_private(&self, rng: &mut dyn Entropy) -> Result<PrivateKey, CryptoError> {
        let order = self.order();
        let len = order.len();
        let top_bits = order.first().map_or(8, |b| 8 - b.leading_zeros());
        for _ in 0..256 {
            let mut candidate = Zeroizing::new(vec![0u8; len]);
            rng.fill(&mut candidate)?;
            if let Some(first) = candidate.first_mut() {
                *first &= if top_bits >= 8 {
                    0xFF
                } else {
                    (1u8 << top_bits) - 1
                };
            }
            if less_than(&candidate, &order) && candidate.iter().any(|&b| b != 0) {
                return Ok(PrivateKey(candidate));
            }
        }
        Err(CryptoError::Randomness)
    }

    /// A private key from stored bytes (a chip's static key).
    pub fn private_from_bytes(&self, bytes: &[u8]) -> Result<PrivateKey, CryptoError> {
        match self.kind {
            // Reduced modulo n: published examples (Doc 9303-11 App. I) use scalars ≥ n.
            Kind::Ec(ops) => Ok(PrivateKey(ops.reduce_scalar(bytes)?)),
            Kind::Dh(_) => {
                if bytes.iter().all(|&b| b == 0) {
                    return Err(CryptoError::InvalidPrivateKey);
                }
                Ok(PrivateKey(Zeroizing::new(bytes.to_vec())))
            }
        }
    }

    /// `sk · base` (EC) or `base^sk mod p` (DH).
    pub fn public(&self, base: &Element, sk: &PrivateKey) -> Result<Element, CryptoError> {
        self.exp(base, &sk.0)
    }

    fn exp(&self, base: &Element, scalar: &[u8]) -> Result<Element, CryptoError> {
        match self.kind {
            Kind::Ec(ops) => Ok(Element(ops.mul(&base.0, scalar)?)),
            Kind::Dh(p) => {
                let b = p.from_bytes(&base.0)?;
                let r = p.pow_bytes(&b, scalar);
                if p.is_one(&r) {
                    return Err(CryptoError::DegenerateMapping);
                }
                Ok(Element(p.to_bytes(&r)))
            }
        }
    }

    /// Decodes and validates a peer's public key as sent in PACE / CA data objects:
    /// an uncompressed point, or an unsigned integer of any width (Doc 9303-11 §9.4).
    pub fn decode_public(&self, bytes: &[u8]) -> Result<Element, CryptoError> {
        match self.kind {
            Kind::Ec(ops) => {
                ops.check_point(bytes)?;
                Ok(Element(bytes.to_vec()))
            }
            Kind::Dh(p) => {
                let y = p.from_bytes(bytes)?;
                p.validate(&y)?;
                Ok(Element(p.to_bytes(&y)))
            }
        }
    }

    /// Decodes a generator-like element without the subgroup check (used for elements
    /// this side computed itself).
    fn decode_own(&self, bytes: &[u8]) -> Result<Element, CryptoError> {
        self.decode_public(bytes)
    }

    /// Encodes a public key for a data object: the point, or the integer without leading
    /// zero bytes.
    pub fn encode_public(&self, element: &Element) -> Vec<u8> {
        match self.kind {
            Kind::Ec(_) => element.0.clone(),
            Kind::Dh(_) => dh::trim_leading_zeros(&element.0).to_vec(),
        }
    }

    /// Key agreement: the shared element `sk · peer` / `peer^sk`.
    pub fn agree(&self, sk: &PrivateKey, peer: &Element) -> Result<Element, CryptoError> {
        self.exp(peer, &sk.0)
    }

    /// The shared secret fed to the KDF: the x-coordinate (EC) or the integer at the
    /// width of p (DH).
    pub fn shared_secret(&self, shared: &Element) -> Zeroizing<Vec<u8>> {
        match self.kind {
            Kind::Ec(ops) => Zeroizing::new(
                shared
                    .0
                    .get(1..1 + ops.field_len())
                    .unwrap_or_default()
                    .to_vec(),
            ),
            Kind::Dh(_) => Zeroizing::new(shared.0.clone()),
        }
    }

    /// PACE Generic Mapping: `s·G + H` (EC) or `g^s · h mod p` (DH).
    pub fn map_generic(&self, nonce: &[u8], h: &Element) -> Result<Element, CryptoError> {
        match self.kind {
            Kind::Ec(ops) => {
                let sg = ops.mul(&ops.generator(), nonce)?;
                Ok(Element(ops.add(&sg, &h.0)?))
            }
            Kind::Dh(p) => {
                let gs = p.pow_bytes(p.g(), nonce);
                let hh = p.from_bytes(&h.0)?;
                let g_hat = p.mul(&gs, &hh);
                if p.is_one(&g_hat) {
                    return Err(CryptoError::DegenerateMapping);
                }
                Ok(Element(p.to_bytes(&g_hat)))
            }
        }
    }

    /// PACE Integrated Mapping's `f_G` / `f_g` applied to a value already reduced modulo
    /// p: the point encoding of Appendix B, or `x^((p−1)/q) mod p`.
    pub fn map_field_element(&self, x: &[u8]) -> Result<Element, CryptoError> {
        match self.kind {
            Kind::Ec(ops) => Ok(Element(ops.encode_to_curve(x)?)),
            Kind::Dh(p) => {
                let v = p.from_bytes(x)?;
                let g_hat = p.pow(&v, &p.cofactor());
                if p.is_one(&g_hat)
                    || g_hat
                        == crypto_bigint::BoxedUint::zero_with_precision(g_hat.bits_precision())
                {
                    return Err(CryptoError::DegenerateMapping);
                }
                Ok(Element(p.to_bytes(&g_hat)))
            }
        }
    }

    /// Reduces a big-endian integer of any width modulo p.
    pub fn reduce_mod_prime(&self, bytes: &[u8]) -> Vec<u8> {
        let prime = self.prime();
        let bits = (bytes.len().max(prime.len()) as u32) * 8;
        let x = crypto_bigint::BoxedUint::from_be_slice_truncated(bytes, bits);
        let p = crypto_bigint::BoxedUint::from_be_slice_truncated(&prime, bits);
        let reduced = match crypto_bigint::NonZero::new(p).into_option() {
            Some(m) => x.rem(&m),
            None => x,
        };
        let raw = reduced.to_be_bytes();
        raw.get(raw.len().saturating_sub(prime.len())..)
            .unwrap_or_default()
            .to_vec()
    }

    /// PACE-CAM chip side: `CA_IC = SK_IC⁻¹ · SK_map,IC mod n`, at the order's width.
    pub fn cam_authentication_data(
        &self,
        static_key: &PrivateKey,
        map_key: &PrivateKey,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        match self.kind {
            Kind::Ec(ops) => ops.scalar_inverse_times(&static_key.0, &map_key.0),
            Kind::Dh(_) => Err(CryptoError::Unsupported("PACE-CAM with DH".into())),
        }
    }

    /// PACE-CAM terminal side: checks `PK_map,IC = CA_IC · PK_IC`.
    pub fn cam_verify(
        &self,
        authentication_data: &[u8],
        static_public: &Element,
        map_public: &Element,
    ) -> Result<bool, CryptoError> {
        let computed = self.exp(static_public, authentication_data)?;
        Ok(bool::from(subtle::ConstantTimeEq::ct_eq(
            computed.as_bytes(),
            map_public.as_bytes(),
        )))
    }

    /// Wraps bytes known to be a valid element (e.g. computed by this side).
    pub fn element(&self, bytes: &[u8]) -> Result<Element, CryptoError> {
        self.decode_own(bytes)
    }
}

/// Big-endian `a < b` for equal-length slices.
fn less_than(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a < b
}

#[cfg(test)]
mod tests;
