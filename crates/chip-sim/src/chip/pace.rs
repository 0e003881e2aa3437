//! The chip's side of PACE: MSE:Set AT, then the four GENERAL AUTHENTICATE steps.

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::commands::{self, PasswordRef};
use alicem_emrtd::crypto::entropy::random_bytes;
use alicem_emrtd::crypto::{Element, Group, PrivateKey};
use alicem_emrtd::lds::security_infos::{Mapping, PaceProtocol};
use alicem_emrtd::mrz::AccessKey;
use alicem_emrtd::pace::{cam, mapping, token};
use alicem_emrtd::sm::{SecureChannel, SessionKeys};
use alicem_emrtd::tlv;
use const_oid::ObjectIdentifier;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{Open, Security, Via, VirtualChip, sw};
use crate::profile::PaceOffer;

/// Where a PACE run stands.
enum Step {
    Nonce,
    Mapping {
        s: Zeroizing<Vec<u8>>,
    },
    KeyAgreement {
        g_hat: Element,
        sk_map: Option<PrivateKey>,
    },
    Tokens {
        keys: SessionKeys,
        pk_ic: Element,
        pk_ifd: Element,
        sk_map: Option<PrivateKey>,
    },
}

/// A PACE run in progress.
pub(super) struct Run {
    protocol: PaceProtocol,
    oid: ObjectIdentifier,
    group: Group,
    k_pi: Zeroizing<Vec<u8>>,
    step: Step,
}

impl VirtualChip {
    pub(super) fn pace_set_at(&mut self, command: &CommandApdu) -> ResponseApdu {
        self.state.security = Security::None;
        let Ok(objects) = tlv::parse_all(&command.data) else {
            return sw(0x6A80);
        };
        let Some(protocol) = tlv::find(&objects, 0x80)
            .and_then(|v| ObjectIdentifier::from_bytes(v).ok())
            .and_then(|oid| PaceProtocol::from_oid(&oid))
        else {
            return sw(0x6A80);
        };
        let Some(password) = tlv::find(&objects, 0x83).and_then(|v| match v {
            [b] => PasswordRef::from_byte(*b),
            _ => None,
        }) else {
            return sw(0x6A80);
        };
        let parameter_id = match tlv::find(&objects, 0x84) {
            Some(v) => match commands::decode_reference(v) {
                Some(id) => Some(id),
                None => return sw(0x6A80),
            },
            None => None,
        };
        let offers: Vec<PaceOffer> = self
            .profile
            .pace
            .iter()
            .copied()
            .filter(|o| o.protocol == protocol)
            .filter(|o| {
                parameter_id.is_none_or(|id| u64::from(o.parameters.standardized_id()) == id)
            })
            .collect();
        let [offer] = offers.as_slice() else {
            // None, or ambiguous without DO'84'.
            return sw(if offers.is_empty() { 0x6A80 } else { 0x6A88 });
        };
        let key = match password {
            PasswordRef::Mrz => AccessKey::Mrz(self.mrz.clone()),
            PasswordRef::Can => match &self.can {
                Some(can) => AccessKey::Can(can.clone()),
                None => return sw(0x6A88),
            },
        };
        let Ok(group) = Group::new(offer.parameters) else {
            return sw(0x6A80);
        };
        if protocol.mapping == Mapping::ChipAuthentication
            && self
                .ca_key
                .as_ref()
                .is_none_or(|k| k.group.parameters() != offer.parameters)
        {
            return sw(0x6A88);
        }
        let Some(oid) = protocol.oid() else {
            return sw(0x6A80);
        };
        self.state.security = Security::Pace(Box::new(Run {
            protocol,
            oid,
            group,
            k_pi: mapping::password_key(&key, protocol.cipher),
            step: Step::Nonce,
        }));
        ResponseApdu::status(StatusWord::SUCCESS)
    }

    /// One GENERAL AUTHENTICATE step of PACE; any failure ends the run.
    pub(super) fn pace_step(&mut self, command: &CommandApdu) -> ResponseApdu {
        let Security::Pace(run) = std::mem::replace(&mut self.state.security, Security::None)
        else {
            return sw(0x6985);
        };
        match self.advance(*run, command) {
            Ok((answer, next)) => {
                self.state.security = next;
                answer
            }
            Err(status) => sw(status),
        }
    }

    fn advance(
        &mut self,
        mut run: Run,
        command: &CommandApdu,
    ) -> Result<(ResponseApdu, Security), u16> {
        let last = matches!(run.step, Step::Tokens { .. });
        let chained = command.cla & 0x10 != 0;
        if chained == last {
            return Err(0x6985);
        }
        let objects =
            commands::parse_dynamic_authentication_data(&command.data).map_err(|_| 0x6A80u16)?;
        let group = run.group;
        let rng = self.rng.as_mut();
        let ok = |objects: &[(u32, &[u8])]| {
            ResponseApdu::new(
                commands::dynamic_authentication_data(objects),
                StatusWord::SUCCESS,
            )
        };
        let step = std::mem::replace(&mut run.step, Step::Nonce);
        let answer = match step {
            Step::Nonce => {
                if !objects.is_empty() {
                    return Err(0x6A80);
                }
                let s =
                    random_bytes(rng, mapping::nonce_len(run.protocol)).map_err(|_| 0x6F00u16)?;
                let z = mapping::encrypt_nonce(run.protocol.cipher, &run.k_pi, &s)
                    .map_err(|_| 0x6F00u16)?;
                run.step = Step::Mapping { s };
                ok(&[(0x80, &z)])
            }
            Step::Mapping { s } => {
                let data = tlv::find(&objects, 0x81).ok_or(0x6A80u16)?;
                match run.protocol.mapping {
                    Mapping::Generic | Mapping::ChipAuthentication => {
                        let pk_ifd = group.decode_public(data).map_err(|_| 0x6A80u16)?;
                        let sk_map = group.generate_private(rng).map_err(|_| 0x6F00u16)?;
                        let pk_map = group
                            .public(&group.generator(), &sk_map)
                            .map_err(|_| 0x6F00u16)?;
                        if pk_map == pk_ifd {
                            return Err(0x6A80);
                        }
                        let h = group.agree(&sk_map, &pk_ifd).map_err(|_| 0x6A80u16)?;
                        let g_hat = group.map_generic(&s, &h).map_err(|_| 0x6A80u16)?;
                        let encoded = group.encode_public(&pk_map);
                        run.step = Step::KeyAgreement {
                            g_hat,
                            sk_map: Some(sk_map),
                        };
                        ok(&[(0x82, &encoded)])
                    }
                    Mapping::Integrated => {
                        if data.len() != mapping::key_size(run.protocol.cipher) {
                            return Err(0x6A80);
                        }
                        let g_hat =
                            mapping::integrated_generator(&group, run.protocol.cipher, &s, data)
                                .map_err(|_| 0x6A80u16)?;
                        run.step = Step::KeyAgreement {
                            g_hat,
                            sk_map: None,
                        };
                        ok(&[(0x82, &[])])
                    }
                }
            }
            Step::KeyAgreement { g_hat, sk_map } => {
                let data = tlv::find(&objects, 0x83).ok_or(0x6A80u16)?;
                let pk_ifd = group.decode_public(data).map_err(|_| 0x6A80u16)?;
                let sk = group.generate_private(rng).map_err(|_| 0x6F00u16)?;
                let pk_ic = group.public(&g_hat, &sk).map_err(|_| 0x6F00u16)?;
                if pk_ic == pk_ifd {
                    return Err(0x6A80);
                }
                let shared = group.agree(&sk, &pk_ifd).map_err(|_| 0x6A80u16)?;
                let keys = SessionKeys::derive(&group.shared_secret(&shared), run.protocol.cipher);
                let encoded = group.encode_public(&pk_ic);
                run.step = Step::Tokens {
                    keys,
                    pk_ic,
                    pk_ifd,
                    sk_map,
                };
                ok(&[(0x84, &encoded)])
            }
            Step::Tokens {
                keys,
                pk_ic,
                pk_ifd,
                sk_map,
            } => {
                let t_ifd = tlv::find(&objects, 0x85).ok_or(0x6A80u16)?;
                let expected =
                    token::token(&keys, &run.oid, &group, &pk_ic).map_err(|_| 0x6F00u16)?;
                if !bool::from(expected.ct_eq(t_ifd)) {
                    // Wrong password: the terminal derived other keys.
                    return Err(0x6300);
                }
                let t_ic = token::token(&keys, &run.oid, &group, &pk_ifd).map_err(|_| 0x6F00u16)?;
                let mut answer_objects: Vec<(u32, Vec<u8>)> = vec![(0x86, t_ic.to_vec())];
                if run.protocol.mapping == Mapping::ChipAuthentication {
                    let ca_key = self.ca_key.as_ref().ok_or(0x6A88u16)?;
                    let sk_map = sk_map.ok_or(0x6F00u16)?;
                    let ca = group
                        .cam_authentication_data(&ca_key.private, &sk_map)
                        .map_err(|_| 0x6F00u16)?;
                    let encrypted =
                        cam::encrypt_authentication_data(&keys, &ca).map_err(|_| 0x6F00u16)?;
                    answer_objects.push((0x8A, encrypted));
                }
                let borrowed: Vec<(u32, &[u8])> = answer_objects
                    .iter()
                    .map(|(t, v)| (*t, v.as_slice()))
                    .collect();
                let answer = ok(&borrowed);
                let open = Open {
                    channel: SecureChannel::with_zero_ssc(keys),
                    via: Via::Pace,
                    ca_pending: false,
                };
                return Ok((answer, Security::Open(Box::new(open))));
            }
        };
        Ok((answer, Security::Pace(Box::new(run))))
    }
}
