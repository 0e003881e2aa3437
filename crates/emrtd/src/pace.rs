//! Password Authenticated Connection Establishment v2 (Doc 9303-11 §4.4), terminal side:
//! choose the strongest offer of EF.CardAccess, then MSE:Set AT and four GENERAL
//! AUTHENTICATE steps (nonce, mapping, key agreement, tokens).
//!
//! The maths shared with the chip lives in [`mapping`], [`token`] and [`cam`].

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::apdu::{ResponseApdu, StatusMeaning};
use crate::commands::{self, PasswordRef};
use crate::crypto::entropy::{Entropy, random_bytes};
use crate::crypto::{Element, Group};
use crate::domain_parameters::DomainParameters;
use crate::error::{AccessMethod, EmrtdError};
use crate::lds::security_infos::{Mapping, PaceProtocol, SecurityInfos};
use crate::mrz::AccessKey;
use crate::session::link::Link;
use crate::sm::{SecureChannel, SessionKeys};
use crate::tlv;
use crate::transport::Transport;

pub mod cam;
pub mod mapping;
pub mod token;

pub use cam::CamEvidence;

/// One PACE offer the terminal can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaceChoice {
    pub protocol: PaceProtocol,
    pub parameters: DomainParameters,
    /// The standardized parameter id (also the CAM key id).
    pub parameter_id: u64,
    /// Whether MSE:Set AT must name the parameters (the chip offers several).
    pub ambiguous: bool,
}

fn mapping_rank(mapping: Mapping) -> u8 {
    match mapping {
        // CAM also authenticates the chip; GM is the most widely implemented.
        Mapping::ChipAuthentication => 3,
        Mapping::Generic => 2,
        Mapping::Integrated => 1,
    }
}

/// The strongest offer of `card_access` this crate can run: strongest group first, then
/// longest key, then CAM over GM over IM. `None` when the chip offers no usable PACE.
pub fn choose(card_access: &SecurityInfos) -> Option<PaceChoice> {
    let offers: Vec<PaceChoice> = card_access
        .pace_infos()
        .filter(|info| info.version == 2)
        .filter_map(|info| {
            let id = info.parameter_id?;
            let parameters = DomainParameters::from_standardized_id(id)?;
            Group::new(parameters).ok()?;
            let usable = match (info.protocol.mapping, parameters) {
                (Mapping::Integrated, DomainParameters::Ecdh(c)) => {
                    c != crate::domain_parameters::Curve::NistP224
                }
                _ => true,
            };
            usable.then_some(PaceChoice {
                protocol: info.protocol,
                parameters,
                parameter_id: id,
                ambiguous: false,
            })
        })
        .collect();
    let distinct_ids = {
        let mut ids: Vec<u64> = card_access
            .pace_infos()
            .filter_map(|i| i.parameter_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    offers
        .into_iter()
        .max_by_key(|c| {
            (
                c.parameters.strength_bits(),
                c.protocol.cipher.key_len(),
                c.protocol.cipher,
                mapping_rank(c.protocol.mapping),
            )
        })
        .map(|c| PaceChoice {
            ambiguous: distinct_ids > 1,
            ..c
        })
}

/// A completed PACE run.
pub(crate) struct Established {
    pub channel: SecureChannel,
    pub cam: Option<CamEvidence>,
}

fn password_ref(key: &AccessKey) -> PasswordRef {
    match key {
        AccessKey::Mrz(_) => PasswordRef::Mrz,
        AccessKey::Can(_) => PasswordRef::Can,
    }
}

/// Sends one GENERAL AUTHENTICATE step and returns the objects of the answer.
fn step<T: Transport>(
    link: &mut Link<T>,
    chained: bool,
    objects: &[(u32, &[u8])],
) -> Result<ResponseApdu, EmrtdError> {
    let command = commands::general_authenticate(chained, objects);
    let wide = command.needs_extended_length();
    let answer = link.transmit(&command, wide)?;
    match answer.status.meaning() {
        StatusMeaning::Success => Ok(answer),
        StatusMeaning::VerificationFailed { retries } if !chained => {
            Err(EmrtdError::AccessDenied {
                method: AccessMethod::Pace,
                retries: Some(retries),
            })
        }
        StatusMeaning::AuthenticationFailed if !chained => Err(EmrtdError::AccessDenied {
            method: AccessMethod::Pace,
            retries: None,
        }),
        StatusMeaning::AuthenticationMethodBlocked => Err(EmrtdError::AccessBlocked {
            method: AccessMethod::Pace,
            status: answer.status,
        }),
        _ => Err(EmrtdError::Chip {
            command: "GENERAL AUTHENTICATE",
            status: answer.status,
        }),
    }
}

fn expect_object<'a>(
    answer: &'a ResponseApdu,
    tag: u32,
    what: &'static str,
) -> Result<Vec<tlv::Tlv<'a>>, EmrtdError> {
    let objects = commands::parse_dynamic_authentication_data(&answer.data)
        .map_err(EmrtdError::tlv("GENERAL AUTHENTICATE"))?;
    if tlv::find(&objects, tag).is_none() {
        return Err(EmrtdError::protocol(
            "GENERAL AUTHENTICATE",
            format!("no {what}"),
        ));
    }
    Ok(objects)
}

/// Runs PACE with `key` on `choice`. On success the chip has started secure messaging.
pub(crate) fn establish<T: Transport>(
    link: &mut Link<T>,
    key: &AccessKey,
    choice: &PaceChoice,
    rng: &mut dyn Entropy,
) -> Result<Established, EmrtdError> {
    let protocol = choice.protocol;
    let cipher = protocol.cipher;
    let oid = protocol
        .oid()
        .ok_or_else(|| EmrtdError::Unsupported("undefined PACE protocol".into()))?;
    let group = Group::new(choice.parameters)?;

    // MSE:Set AT.
    let mse = commands::mse_set_at_pace(
        &oid,
        password_ref(key),
        choice.ambiguous.then_some(choice.parameter_id),
    );
    let answer = link.transmit(&mse, false)?;
    match answer.status.meaning() {
        StatusMeaning::Success => {}
        // A retry counter warning: the password is still usable.
        StatusMeaning::VerificationFailed { retries } if retries > 0 => {}
        StatusMeaning::VerificationFailed { .. } | StatusMeaning::AuthenticationMethodBlocked => {
            return Err(EmrtdError::AccessBlocked {
                method: AccessMethod::Pace,
                status: answer.status,
            });
        }
        _ => {
            return Err(EmrtdError::Chip {
                command: "MSE:Set AT (PACE)",
                status: answer.status,
            });
        }
    }

    // 1. Encrypted nonce.
    let answer = step(link, true, &[])?;
    let objects = expect_object(&answer, 0x80, "encrypted nonce")?;
    let z = tlv::find(&objects, 0x80).unwrap_or_default();
    let k_pi = mapping::password_key(key, cipher);
    let s = mapping::decrypt_nonce(cipher, &k_pi, z)?;
    drop(k_pi);

    // 2. Mapping.
    let mut cam_map_public: Option<Element> = None;
    let g_hat = match protocol.mapping {
        Mapping::Generic | Mapping::ChipAuthentication => {
            let sk_map = group.generate_private(rng)?;
            let pk_map = group.public(&group.generator(), &sk_map)?;
            let answer = step(link, true, &[(0x81, &group.encode_public(&pk_map))])?;
            let objects = expect_object(&answer, 0x82, "mapping data")?;
            let chip_pk_map = group
                .decode_public(tlv::find(&objects, 0x82).unwrap_or_default())
                .map_err(|e| EmrtdError::protocol("GENERAL AUTHENTICATE", e.to_string()))?;
            if chip_pk_map == pk_map {
                return Err(EmrtdError::protocol(
                    "GENERAL AUTHENTICATE",
                    "the chip echoed the terminal's mapping key",
                ));
            }
            let h = group.agree(&sk_map, &chip_pk_map)?;
            cam_map_public = Some(chip_pk_map);
            group.map_generic(&s, &h)?
        }
        Mapping::Integrated => {
            let t = random_bytes(rng, mapping::key_size(cipher))?;
            let answer = step(link, true, &[(0x81, &t)])?;
            commands::parse_dynamic_authentication_data(&answer.data)
                .map_err(EmrtdError::tlv("GENERAL AUTHENTICATE"))?;
            mapping::integrated_generator(&group, cipher, &s, &t)?
        }
    };
    drop(s);

    // 3. Key agreement on the mapped generator.
    let sk = group.generate_private(rng)?;
    let pk = group.public(&g_hat, &sk)?;
    let answer = step(link, true, &[(0x83, &group.encode_public(&pk))])?;
    let objects = expect_object(&answer, 0x84, "ephemeral public key")?;
    let chip_pk = group
        .decode_public(tlv::find(&objects, 0x84).unwrap_or_default())
        .map_err(|e| EmrtdError::protocol("GENERAL AUTHENTICATE", e.to_string()))?;
    if chip_pk == pk {
        return Err(EmrtdError::protocol(
            "GENERAL AUTHENTICATE",
            "the chip echoed the terminal's ephemeral key",
        ));
    }
    let shared = group.agree(&sk, &chip_pk)?;
    let secret = Zeroizing::new(group.shared_secret(&shared).to_vec());
    let keys = SessionKeys::derive(&secret, cipher);

    // 4. Mutual authentication.
    let t_ifd = token::token(&keys, &oid, &group, &chip_pk)?;
    let answer = step(link, false, &[(0x85, &t_ifd)])?;
    let objects = expect_object(&answer, 0x86, "authentication token")?;
    let t_ic = tlv::find(&objects, 0x86).unwrap_or_default();
    let expected = token::token(&keys, &oid, &group, &pk)?;
    if !bool::from(expected.ct_eq(t_ic)) {
        return Err(EmrtdError::ChipNotAuthenticated);
    }
    let cam = if protocol.mapping == Mapping::ChipAuthentication {
        let encrypted = tlv::find(&objects, 0x8A).ok_or_else(|| {
            EmrtdError::protocol(
                "GENERAL AUTHENTICATE",
                "no encrypted chip authentication data",
            )
        })?;
        let authentication_data = cam::decrypt_authentication_data(&keys, encrypted)?;
        Some(CamEvidence {
            parameters: choice.parameters,
            key_id: Some(choice.parameter_id),
            mapping_public: cam_map_public
                .ok_or_else(|| EmrtdError::protocol("GENERAL AUTHENTICATE", "no mapping key"))?,
            authentication_data,
        })
    } else {
        None
    };
    Ok(Established {
        channel: SecureChannel::with_zero_ssc(keys),
        cam,
    })
}

#[cfg(test)]
mod tests;
