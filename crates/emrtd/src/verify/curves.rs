//! Elliptic curves given by explicit parameters (`ECParameters` instead of a named
//! curve OID), as many CSCAs and Document Signers of Germany, Austria, Finland, Russia or
//! the United Kingdom encode them: recognised by comparing every parameter with the
//! standard curves, never used as given.

use der::asn1::{Int, OctetString};
use der::{Any, Decode, Sequence};

use crate::domain_parameters::Curve;

/// `FieldID ::= SEQUENCE { fieldType OID, parameters ANY }` (prime-field: the prime).
#[derive(Debug, Clone, Sequence)]
struct FieldId {
    field_type: const_oid::ObjectIdentifier,
    parameters: Int,
}

/// `Curve ::= SEQUENCE { a, b, seed BIT STRING OPTIONAL }`.
#[derive(Debug, Clone, Sequence)]
struct CurveCoefficients {
    a: OctetString,
    b: OctetString,
    #[asn1(optional = "true")]
    seed: Option<der::asn1::BitString>,
}

/// `ECParameters ::= SEQUENCE { version, fieldID, curve, base, order, cofactor OPTIONAL }`
/// (SEC 1 §C.2, X9.62).
#[derive(Debug, Clone, Sequence)]
struct SpecifiedEcDomain {
    version: u8,
    field_id: FieldId,
    curve: CurveCoefficients,
    base: OctetString,
    order: Int,
    #[asn1(optional = "true")]
    cofactor: Option<Int>,
}

const PRIME_FIELD: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.1.1");

struct ExplicitCurve {
    curve: Curve,
    p: &'static str,
    a: &'static str,
    b: &'static str,
    g: &'static str,
    n: &'static str,
}

/// Parameters of the standard curves (SEC 2, RFC 5639), big-endian hex.
const CURVES: &[ExplicitCurve] = &[
    ExplicitCurve {
        curve: Curve::NistP192,
        p: "fffffffffffffffffffffffffffffffeffffffffffffffff",
        a: "fffffffffffffffffffffffffffffffefffffffffffffffc",
        b: "64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1",
        g: "04188da80eb03090f67cbf20eb43a18800f4ff0afd82ff101207192b95ffc8da78631011ed6b24cdd573f977a11e794811",
        n: "ffffffffffffffffffffffff99def836146bc9b1b4d22831",
    },
    ExplicitCurve {
        curve: Curve::NistP224,
        p: "ffffffffffffffffffffffffffffffff000000000000000000000001",
        a: "fffffffffffffffffffffffffffffffefffffffffffffffffffffffe",
        b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
        g: "04b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34",
        n: "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
    },
    ExplicitCurve {
        curve: Curve::NistP256,
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        g: "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    },
    ExplicitCurve {
        curve: Curve::NistP384,
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        g: "04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    },
    ExplicitCurve {
        curve: Curve::NistP521,
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        a: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
        b: "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        g: "0400c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP192r1,
        p: "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
        a: "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
        b: "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
        g: "04c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd614b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f",
        n: "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP224r1,
        p: "d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
        a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
        b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
        g: "040d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
        n: "d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP256r1,
        p: "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
        a: "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
        b: "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
        g: "048bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
        n: "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP320r1,
        p: "d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
        a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
        b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
        g: "0443bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e2061114fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
        n: "d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP384r1,
        p: "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
        a: "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
        b: "04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
        g: "041d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
        n: "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565",
    },
    ExplicitCurve {
        curve: Curve::BrainpoolP512r1,
        p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
        a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
        b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
        g: "0481aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f8227dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
        n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
    },
];

fn strip(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}

fn same_number(bytes: &[u8], hex_value: &str) -> bool {
    hex::decode(hex_value).is_ok_and(|v| strip(bytes) == strip(&v))
}

/// Whether `base` (uncompressed or compressed SEC 1 point) is the generator `g`
/// (uncompressed hex).
fn same_point(base: &[u8], g: &str) -> bool {
    let Ok(g) = hex::decode(g) else {
        return false;
    };
    match base.first() {
        Some(0x04) => base == g.as_slice(),
        Some(prefix @ (0x02 | 0x03)) => {
            let size = (g.len() - 1) / 2;
            let (x, y) = (g.get(1..1 + size), g.get(1 + size..));
            let odd = y.and_then(|y| y.last()).is_some_and(|b| b & 1 == 1);
            base.get(1..) == x && (*prefix == 0x03) == odd
        }
        _ => false,
    }
}

/// The named curve whose every parameter equals these explicit `ECParameters` (DER),
/// or `None` if they match no standard curve.
pub fn match_explicit(parameters: &Any) -> Option<Curve> {
    let der = der::Encode::to_der(parameters).ok()?;
    let domain = SpecifiedEcDomain::from_der(&der)
        .or_else(|_| SpecifiedEcDomain::from_ber(&der))
        .ok()?;
    if domain.field_id.field_type != PRIME_FIELD {
        return None;
    }
    if domain
        .cofactor
        .as_ref()
        .is_some_and(|h| strip(h.as_bytes()) != [1])
    {
        return None;
    }
    CURVES
        .iter()
        .find(|c| {
            same_number(domain.field_id.parameters.as_bytes(), c.p)
                && same_number(domain.curve.a.as_bytes(), c.a)
                && same_number(domain.curve.b.as_bytes(), c.b)
                && same_number(domain.order.as_bytes(), c.n)
                && same_point(domain.base.as_bytes(), c.g)
        })
        .map(|c| c.curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// brainpoolP256r1 in explicit form, as in the German master list signer's key.
    const BP256_EXPLICIT: &str = "3081E0020101302C06072A8648CE3D0101022100A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377304404207D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9042026DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B60441048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997022100A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7020101";

    #[test]
    fn recognises_explicit_brainpool_p256r1() {
        let any = Any::from_der(&hex::decode(BP256_EXPLICIT).unwrap()).unwrap();
        assert_eq!(match_explicit(&any), Some(Curve::BrainpoolP256r1));
    }

    #[test]
    fn refuses_a_curve_with_another_generator() {
        let mut bytes = hex::decode(BP256_EXPLICIT).unwrap();
        // Flip a bit of the generator's x coordinate.
        let at = bytes
            .windows(3)
            .position(|w| w == [0x04, 0x8B, 0xD2])
            .unwrap();
        bytes[at + 2] ^= 1;
        let any = Any::from_der(&bytes).unwrap();
        assert_eq!(match_explicit(&any), None);
    }
}
