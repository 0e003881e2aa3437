//! Object identifiers of ICAO Doc 9303 and BSI TR-03110 used by the LDS and protocols.

use const_oid::ObjectIdentifier as Oid;

/// bsi-de: 0.4.0.127.0.7
pub const BSI_DE: Oid = Oid::new_unwrap("0.4.0.127.0.7");
/// Standardized domain parameters (`AlgorithmIdentifier` whose parameter is an id).
pub const STANDARDIZED_DOMAIN_PARAMETERS: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.2");

/// id-PK-DH / id-PK-ECDH: chip authentication public keys.
pub const PK_DH: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.1.1");
pub const PK_ECDH: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.1.2");
/// id-TA: terminal authentication.
pub const TA: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.2");
/// id-CA: chip authentication; children .1 (DH) and .2 (ECDH), then the cipher.
pub const CA: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.3");
pub const CA_DH: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.3.1");
pub const CA_ECDH: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.3.2");
/// id-PACE; children .1 DH-GM, .2 ECDH-GM, .3 DH-IM, .4 ECDH-IM, .6 ECDH-CAM, then the
/// cipher (.1 3DES, .2 AES-128, .3 AES-192, .4 AES-256).
pub const PACE: Oid = Oid::new_unwrap("0.4.0.127.0.7.2.2.4");

/// id-icao-mrtd-security: 2.23.136.1.1
pub const ICAO_MRTD_SECURITY: Oid = Oid::new_unwrap("2.23.136.1.1");
/// The content type of EF.SOD's signed content.
pub const LDS_SECURITY_OBJECT: Oid = Oid::new_unwrap("2.23.136.1.1.1");
/// The content type of a CSCA master list.
pub const CSCA_MASTER_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.2");
/// Extended key usage of a master list signer.
pub const CSCA_MASTER_LIST_SIGNING_KEY: Oid = Oid::new_unwrap("2.23.136.1.1.3");
/// ActiveAuthenticationInfo's protocol.
pub const AA_PROTOCOL: Oid = Oid::new_unwrap("2.23.136.1.1.5");
/// The content type of EF.CardSecurity's signed content (BSI TR-03110 id-SecurityObject).
pub const SECURITY_OBJECT: Oid = Oid::new_unwrap("0.4.0.127.0.7.3.2.1");

/// Public-key algorithms.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub const DH_PUBLIC_NUMBER: Oid = Oid::new_unwrap("1.2.840.10046.2.1");
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");

/// Named curves.
pub const SECP192R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.1");
pub const SECP224R1: Oid = Oid::new_unwrap("1.3.132.0.33");
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
pub const BRAINPOOL_P192R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.3");
pub const BRAINPOOL_P224R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.5");
pub const BRAINPOOL_P256R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.7");
pub const BRAINPOOL_P320R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.9");
pub const BRAINPOOL_P384R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.11");
pub const BRAINPOOL_P512R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.13");

/// Digest algorithms.
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Signature algorithms (X9.62 ECDSA, BSI plain ECDSA, PKCS#1).
pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
pub const ECDSA_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
pub const ECDSA_PLAIN_SHA1: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
pub const ECDSA_PLAIN_SHA224: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
pub const ECDSA_PLAIN_SHA256: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
pub const ECDSA_PLAIN_SHA384: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.4");
pub const ECDSA_PLAIN_SHA512: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.5");
pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
