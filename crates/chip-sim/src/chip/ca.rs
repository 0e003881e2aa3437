//! The chip's side of Chip Authentication v1: MSE:Set AT + GENERAL AUTHENTICATE, or the
//! legacy MSE:Set KAT; the answer is protected with the old keys, then secure messaging
//! restarts with keys from the static key agreement.

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::commands;
use alicem_emrtd::lds::security_infos::Cipher;
use alicem_emrtd::sm::SessionKeys;
use alicem_emrtd::tlv;
use const_oid::ObjectIdentifier;

use super::{Security, VirtualChip, sw};
use crate::profile::{CaCommand, ChipAuthenticationProfile};

impl VirtualChip {
    fn ca_profile(&self, command: CaCommand) -> Option<ChipAuthenticationProfile> {
        let profile = self.profile.chip_authentication?;
        let allowed = profile.command == CaCommand::Both || profile.command == command;
        allowed.then_some(profile)
    }

    fn key_id_matches(profile: &ChipAuthenticationProfile, objects: &[tlv::Tlv<'_>]) -> bool {
        match tlv::find(objects, 0x84) {
            None => true,
            Some(v) => commands::decode_reference(v).is_some_and(|id| Some(id) == profile.key_id),
        }
    }

    /// Agrees on new session keys with the terminal's ephemeral key; they take effect
    /// after the current answer.
    fn ca_agree(&mut self, cipher: Cipher, public: &[u8]) -> Result<(), u16> {
        let key = self.ca_key.as_ref().ok_or(0x6A88u16)?;
        let peer = key.group.decode_public(public).map_err(|_| 0x6A80u16)?;
        let shared = key
            .group
            .agree(&key.private, &peer)
            .map_err(|_| 0x6A80u16)?;
        self.state.switch_to = Some(SessionKeys::derive(
            &key.group.shared_secret(&shared),
            cipher,
        ));
        Ok(())
    }

    pub(super) fn ca_set_at(&mut self, command: &CommandApdu) -> ResponseApdu {
        let Some(profile) = self.ca_profile(CaCommand::SetAt) else {
            return sw(0x6A80);
        };
        let Ok(objects) = tlv::parse_all(&command.data) else {
            return sw(0x6A80);
        };
        let oid = tlv::find(&objects, 0x80).and_then(|v| ObjectIdentifier::from_bytes(v).ok());
        if oid != Some(profile.protocol.oid()) {
            return sw(0x6A80);
        }
        if !Self::key_id_matches(&profile, &objects) {
            return sw(0x6A88);
        }
        if let Security::Open(open) = &mut self.state.security {
            open.ca_pending = true;
        }
        ResponseApdu::status(StatusWord::SUCCESS)
    }

    pub(super) fn ca_general_authenticate(&mut self, command: &CommandApdu) -> ResponseApdu {
        let pending = matches!(&self.state.security, Security::Open(o) if o.ca_pending);
        let Some(profile) = self.profile.chip_authentication.filter(|_| pending) else {
            return sw(0x6985);
        };
        if let Security::Open(open) = &mut self.state.security {
            open.ca_pending = false;
        }
        let Ok(objects) = commands::parse_dynamic_authentication_data(&command.data) else {
            return sw(0x6A80);
        };
        let Some(public) = tlv::find(&objects, 0x80) else {
            return sw(0x6A80);
        };
        match self.ca_agree(profile.protocol.cipher, public) {
            Ok(()) => ResponseApdu::new(
                commands::dynamic_authentication_data(&[]),
                StatusWord::SUCCESS,
            ),
            Err(status) => sw(status),
        }
    }

    pub(super) fn ca_set_kat(&mut self, command: &CommandApdu) -> ResponseApdu {
        let Some(profile) = self.ca_profile(CaCommand::SetKat) else {
            return sw(0x6A80);
        };
        if profile.protocol.cipher != Cipher::Tdes {
            return sw(0x6A80);
        }
        let Ok(objects) = tlv::parse_all(&command.data) else {
            return sw(0x6A80);
        };
        if !Self::key_id_matches(&profile, &objects) {
            return sw(0x6A88);
        }
        let Some(public) = tlv::find(&objects, 0x91) else {
            return sw(0x6A80);
        };
        match self.ca_agree(Cipher::Tdes, public) {
            Ok(()) => ResponseApdu::status(StatusWord::SUCCESS),
            Err(status) => sw(status),
        }
    }
}
