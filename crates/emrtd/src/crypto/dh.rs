//! Finite-field Diffie-Hellman over the RFC 5114 groups (standardized domain parameters
//! 0–2), with `crypto-bigint` modular arithmetic and RFC 2631 public-key validation.

use std::sync::OnceLock;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd, Resize};
use zeroize::Zeroizing;

use super::CryptoError;
use crate::domain_parameters::DhGroup;

/// One MODP group: prime `p`, generator `g` of the prime-order-`q` subgroup.
pub struct DhParams {
    pub group: DhGroup,
    p: Odd<BoxedUint>,
    g: BoxedUint,
    q: BoxedUint,
    monty: BoxedMontyParams,
    bits: u32,
}

const RFC5114_1024_160: [&str; 3] = [
    "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
    "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
    "F518AA8781A8DF278ABA4E7D64B7CB9D49462353",
];

const RFC5114_2048_224: [&str; 3] = [
    "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F",
    "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA",
    "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB",
];

const RFC5114_2048_256: [&str; 3] = [
    "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597",
    "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659",
    "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3",
];

fn uint(hex_str: &str, bits: u32) -> BoxedUint {
    let bytes = hex::decode(hex_str).unwrap_or_default();
    BoxedUint::from_be_slice_truncated(&bytes, bits)
}

fn build(group: DhGroup) -> Option<DhParams> {
    let ([p, g, q], bits) = match group {
        DhGroup::Modp1024_160 => (RFC5114_1024_160, 1024),
        DhGroup::Modp2048_224 => (RFC5114_2048_224, 2048),
        DhGroup::Modp2048_256 => (RFC5114_2048_256, 2048),
    };
    let p = Odd::new(uint(p, bits)).into_option()?;
    let monty = BoxedMontyParams::new_vartime(p.clone());
    Some(DhParams {
        group,
        monty,
        g: uint(g, bits),
        q: uint(q, bits),
        p,
        bits,
    })
}

/// The parameters of a group (built once).
pub fn params(group: DhGroup) -> Result<&'static DhParams, CryptoError> {
    static CELLS: [OnceLock<Option<DhParams>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = match group {
        DhGroup::Modp1024_160 => 0,
        DhGroup::Modp2048_224 => 1,
        DhGroup::Modp2048_256 => 2,
    };
    CELLS
        .get(index)
        .and_then(|cell| cell.get_or_init(|| build(group)).as_ref())
        .ok_or_else(|| CryptoError::Unsupported(format!("{group:?}")))
}

impl DhParams {
    /// Length of p in bytes: the width of every encoded element.
    pub fn element_len(&self) -> usize {
        (self.bits as usize).div_ceil(8)
    }

    /// Length of q in bytes: the width of private exponents.
    pub fn order_len(&self) -> usize {
        (self.q.bits_vartime() as usize).div_ceil(8)
    }

    pub fn p_bytes(&self) -> Vec<u8> {
        self.to_bytes(self.p.as_ref())
    }

    pub fn q_bytes(&self) -> Vec<u8> {
        self.q.to_be_bytes_trimmed_vartime().to_vec()
    }

    pub fn generator(&self) -> Vec<u8> {
        self.to_bytes(&self.g)
    }

    /// Big-endian, left-padded to the length of p.
    pub fn to_bytes(&self, x: &BoxedUint) -> Vec<u8> {
        let raw = x.to_be_bytes();
        let len = self.element_len();
        if raw.len() >= len {
            raw.get(raw.len() - len..).unwrap_or_default().to_vec()
        } else {
            let mut out = vec![0u8; len - raw.len()];
            out.extend_from_slice(&raw);
            out
        }
    }

    /// An integer of at most the width of p.
    pub fn from_bytes(&self, bytes: &[u8]) -> Result<BoxedUint, CryptoError> {
        let trimmed = trim_leading_zeros(bytes);
        if trimmed.len() > self.element_len() {
            return Err(CryptoError::InvalidPublicKey(
                "longer than the group's prime",
            ));
        }
        BoxedUint::from_be_slice(trimmed, self.bits)
            .map_err(|_| CryptoError::InvalidPublicKey("not an integer"))
    }

    /// An integer reduced modulo p (for the Integrated Mapping's pseudo-random value).
    pub fn reduce(&self, bytes: &[u8]) -> Vec<u8> {
        let wide_bits = (bytes.len() as u32 * 8).max(self.bits);
        let x = BoxedUint::from_be_slice_truncated(bytes, wide_bits);
        let p_wide = self.p.as_ref().resize(wide_bits);
        match NonZero::new(p_wide).into_option() {
            Some(modulus) => self.to_bytes(&x.rem(&modulus).resize(self.bits)),
            None => vec![0; self.element_len()],
        }
    }

    /// RFC 2631 §2.1.5: 1 < y < p − 1 and y^q = 1 (mod p).
    pub fn validate(&self, y: &BoxedUint) -> Result<(), CryptoError> {
        let one = BoxedUint::one_with_precision(self.bits);
        let p_minus_one = self.p.as_ref().wrapping_sub(&one);
        if y <= &one || y >= &p_minus_one {
            return Err(CryptoError::InvalidPublicKey("outside 2..p-2"));
        }
        let in_subgroup = self.pow(y, &self.q);
        if in_subgroup != one {
            return Err(CryptoError::InvalidPublicKey(
                "not in the prime-order subgroup",
            ));
        }
        Ok(())
    }

    /// `base^exponent mod p`.
    pub fn pow(&self, base: &BoxedUint, exponent: &BoxedUint) -> BoxedUint {
        let base = BoxedMontyForm::new(base.resize(self.bits), &self.monty);
        base.pow(exponent).retrieve()
    }

    /// `base^exponent mod p` with a big-endian exponent of any length.
    pub fn pow_bytes(&self, base: &BoxedUint, exponent: &[u8]) -> BoxedUint {
        let bits = (exponent.len() as u32 * 8).max(64);
        let e = Zeroizing::new(BoxedUint::from_be_slice_truncated(exponent, bits));
        self.pow(base, &e)
    }

    /// `a · b mod p`.
    pub fn mul(&self, a: &BoxedUint, b: &BoxedUint) -> BoxedUint {
        let a = BoxedMontyForm::new(a.resize(self.bits), &self.monty);
        let b = BoxedMontyForm::new(b.resize(self.bits), &self.monty);
        a.mul(&b).retrieve()
    }

    pub fn g(&self) -> &BoxedUint {
        &self.g
    }

    /// `(p − 1) / q`, the cofactor of the Integrated Mapping's `f_g`.
    pub fn cofactor(&self) -> BoxedUint {
        let one = BoxedUint::one_with_precision(self.bits);
        let p_minus_one = self.p.as_ref().wrapping_sub(&one);
        match NonZero::new(self.q.clone().resize(self.bits)).into_option() {
            Some(q) => p_minus_one.wrapping_div(&q),
            None => one,
        }
    }

    pub fn is_one(&self, x: &BoxedUint) -> bool {
        x == &BoxedUint::one_with_precision(self.bits)
    }
}

/// Strips leading zero bytes (Doc 9303-11 §9.4.1 encodes unsigned integers minimally).
pub fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rfc5114_generator_has_the_published_prime_order() {
        for group in [
            DhGroup::Modp1024_160,
            DhGroup::Modp2048_224,
            DhGroup::Modp2048_256,
        ] {
            let p = params(group).unwrap();
            assert!(p.validate(p.g()).is_ok(), "{group:?}");
            let expected_q_bits = match group {
                DhGroup::Modp1024_160 => 160,
                DhGroup::Modp2048_224 => 224,
                DhGroup::Modp2048_256 => 256,
            };
            assert_eq!(p.q.bits_vartime(), expected_q_bits);
        }
    }

    #[test]
    fn rejects_small_subgroup_and_out_of_range_values() {
        let p = params(DhGroup::Modp1024_160).unwrap();
        let one = BoxedUint::one_with_precision(1024);
        assert!(p.validate(&one).is_err());
        let p_minus_one = p.p.as_ref().wrapping_sub(&one);
        assert!(p.validate(&p_minus_one).is_err());
        // 2 generates (almost surely) a group much larger than q.
        assert!(
            p.validate(&BoxedUint::from_be_slice(&[2], 1024).unwrap())
                .is_err()
        );
    }

    #[test]
    fn reduces_wide_values_modulo_p() {
        let p = params(DhGroup::Modp1024_160).unwrap();
        let mut wide = vec![0u8; 16];
        wide.extend_from_slice(&p.p_bytes());
        assert_eq!(p.reduce(&wide), vec![0; 128]);
        let small = p.reduce(&[5]);
        assert_eq!(small.len(), 128);
        assert_eq!(small[127], 5);
    }
}
