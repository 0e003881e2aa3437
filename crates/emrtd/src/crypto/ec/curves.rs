//! Curves of Doc 9303-11 Table 12 that have no RustCrypto crate (brainpoolP192r1,
//! P224r1, P320r1, P512r1, NIST P-192 and P-224), defined from their published
//! parameters (RFC 5639, FIPS 186-4) on RustCrypto's generic `primefield` / `primeorder`
//! arithmetic: only the constants are ours.

/// Defines a short-Weierstrass prime-order curve (cofactor 1) in module `$module`.
///
/// Hex constants are big-endian; `p` and `n` are zero-padded to the width of `$uint`.
macro_rules! weierstrass_curve {
    (
        module: $module:ident,
        curve: $curve:ident,
        doc: $doc:expr,
        uint: $uint:ident,
        bytes: $bytes:ident,
        p: $p:expr,
        a: $a:expr,
        b: $b:expr,
        gx: $gx:expr,
        gy: $gy:expr,
        n: $n:expr,
        field_generator: $fgen:expr,
        scalar_generator: $sgen:expr $(,)?
    ) => {
        pub mod $module {
            use elliptic_curve::bigint::{Odd, $uint};
            use elliptic_curve::consts::$bytes;
            #[allow(unused_imports)]
            use elliptic_curve::ff::PrimeField;
            use elliptic_curve::ops::BatchInvert;
            use elliptic_curve::scalar::{FromUintUnchecked, IsHigh};
            #[allow(unused_imports)]
            use elliptic_curve::subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};
            use elliptic_curve::{CurveArithmetic, PrimeCurveArithmetic, hazmat::FieldArithmetic};
            use primeorder::{PrimeCurveParams, mul_backend, point_arithmetic};

            #[doc = $doc]
            #[derive(Copy, Clone, Debug, Default, Eq, PartialEq, PartialOrd, Ord)]
            pub struct $curve;

            const ORDER_HEX: &str = $n;
            const ORDER: Odd<$uint> = Odd::<$uint>::from_be_hex(ORDER_HEX);

            impl elliptic_curve::Curve for $curve {
                type FieldBytesSize = $bytes;
                type Uint = $uint;
                const ORDER: Odd<$uint> = ORDER;
            }

            impl elliptic_curve::PrimeCurve for $curve {}

            impl elliptic_curve::point::PointCompression for $curve {
                const COMPRESS_POINTS: bool = false;
            }

            mod field {
                use super::*;

                primefield::monty_field_params! {
                    name: FieldParams,
                    modulus: $p,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $fgen,
                    doc: "Montgomery parameters of the base field"
                }

                primefield::monty_field_element! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint,
                    doc: "An element of the base field"
                }

                primefield::monty_field_arithmetic! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint
                }

                impl BatchInvert for FieldElement {}
            }

            mod scalar {
                use super::*;

                primefield::monty_field_params! {
                    name: ScalarParams,
                    modulus: ORDER_HEX,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $sgen,
                    doc: "Montgomery parameters of the scalar field"
                }

                primefield::monty_field_element! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint,
                    doc: "An element of the scalar field (integers modulo the group order)"
                }

                primefield::monty_field_arithmetic! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint
                }

                // `primefield::monty_field_reduce!` needs the field's byte width to equal the
                // integer's; 224- and 320-bit fields sit in wider integers, so pad by hand.
                impl elliptic_curve::ops::Reduce<$uint> for Scalar {
                    fn reduce(w: &$uint) -> Self {
                        Self::from_uint_unchecked(*w)
                    }
                }

                impl elliptic_curve::ops::Reduce<elliptic_curve::FieldBytes<$curve>> for Scalar {
                    fn reduce(bytes: &elliptic_curve::FieldBytes<$curve>) -> Self {
                        let mut wide = [0u8; <$uint>::BYTES];
                        let start = wide.len().saturating_sub(bytes.len());
                        if let Some(tail) = wide.get_mut(start..) {
                            tail.copy_from_slice(bytes);
                        }
                        Self::from_uint_unchecked(<$uint>::from_be_slice(&wide))
                    }
                }

                elliptic_curve::scalar_impls!($curve, Scalar);
                primeorder::wnaf::impl_wnaf_size_for_scalar!(Scalar);

                impl AsRef<Scalar> for Scalar {
                    fn as_ref(&self) -> &Scalar {
                        self
                    }
                }

                impl FromUintUnchecked for Scalar {
                    type Uint = $uint;

                    fn from_uint_unchecked(uint: Self::Uint) -> Self {
                        Self::from_uint_unchecked(uint)
                    }
                }

                impl IsHigh for Scalar {
                    fn is_high(&self) -> Choice {
                        const MODULUS_SHR1: $uint = ORDER.as_ref().shr_vartime(1);
                        self.to_canonical().ct_gt(&MODULUS_SHR1)
                    }
                }
            }

            pub use field::FieldElement;
            pub use scalar::Scalar;

            impl CurveArithmetic for $curve {
                type AffinePoint = primeorder::AffinePoint<$curve>;
                type ProjectivePoint = primeorder::ProjectivePoint<$curve>;
                type Scalar = Scalar;
            }

            impl FieldArithmetic for $curve {
                type FieldElement = FieldElement;
            }

            impl PrimeCurveArithmetic for $curve {
                type CurveGroup = primeorder::ProjectivePoint<$curve>;
            }

            impl ecdsa::EcdsaCurve for $curve {
                const NORMALIZE_S: bool = false;
            }

            impl PrimeCurveParams for $curve {
                type PointArithmetic = point_arithmetic::EquationAIsGeneric;
                type Backend = mul_backend::VariableOnly;

                const EQUATION_A: FieldElement = FieldElement::from_hex_vartime($a);
                const EQUATION_B: FieldElement = FieldElement::from_hex_vartime($b);
                const GENERATOR: (FieldElement, FieldElement) = (
                    FieldElement::from_hex_vartime($gx),
                    FieldElement::from_hex_vartime($gy),
                );
            }
        }
    };
}

weierstrass_curve! {
    module: brainpool_p192r1,
    curve: BrainpoolP192r1,
    doc: "brainpoolP192r1 (RFC 5639 §3.1).",
    uint: U192,
    bytes: U24,
    p: "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
    a: "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
    b: "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
    gx: "c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6",
    gy: "14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f",
    n: "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
    field_generator: 3,
    scalar_generator: 7,
}

weierstrass_curve! {
    module: brainpool_p224r1,
    curve: BrainpoolP224r1,
    doc: "brainpoolP224r1 (RFC 5639 §3.2).",
    uint: U256,
    bytes: U28,
    p: "00000000d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
    a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
    b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
    gx: "0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d",
    gy: "58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
    n: "00000000d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
    field_generator: 3,
    scalar_generator: 3,
}

weierstrass_curve! {
    module: brainpool_p320r1,
    curve: BrainpoolP320r1,
    doc: "brainpoolP320r1 (RFC 5639 §3.4).",
    uint: U384,
    bytes: U40,
    p: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
    a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
    b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
    gx: "43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611",
    gy: "14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
    n: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
    field_generator: 5,
    scalar_generator: 3,
}

weierstrass_curve! {
    module: brainpool_p512r1,
    curve: BrainpoolP512r1,
    doc: "brainpoolP512r1 (RFC 5639 §3.7).",
    uint: U512,
    bytes: U64,
    p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
    a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
    b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
    gx: "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
    gy: "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
    n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
    field_generator: 2,
    scalar_generator: 7,
}

weierstrass_curve! {
    module: nist_p192,
    curve: NistP192,
    doc: "NIST P-192 / secp192r1 (FIPS 186-4 §D.1.2.1).",
    uint: U192,
    bytes: U24,
    p: "fffffffffffffffffffffffffffffffeffffffffffffffff",
    a: "fffffffffffffffffffffffffffffffefffffffffffffffc",
    b: "64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1",
    gx: "188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012",
    gy: "07192b95ffc8da78631011ed6b24cdd573f977a11e794811",
    n: "ffffffffffffffffffffffff99def836146bc9b1b4d22831",
    field_generator: 11,
    scalar_generator: 3,
}

weierstrass_curve! {
    module: nist_p224,
    curve: NistP224,
    doc: "NIST P-224 / secp224r1 (FIPS 186-4 §D.1.2.2).",
    uint: U256,
    bytes: U28,
    p: "00000000ffffffffffffffffffffffffffffffff000000000000000000000001",
    a: "fffffffffffffffffffffffffffffffefffffffffffffffffffffffe",
    b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
    gx: "b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21",
    gy: "bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34",
    n: "00000000ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
    field_generator: 11,
    scalar_generator: 2,
}
