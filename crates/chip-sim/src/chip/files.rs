//! SELECT and READ BINARY over the chip's files, with the profile's read limits.

use alicem_emrtd::apdu::{CommandApdu, EXTENDED_MAX, ResponseApdu, SHORT_MAX, StatusWord};
use alicem_emrtd::commands::{self, EMRTD_AID, MF_FID};
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::sm::{max_plain_response, protected_response_len};
use alicem_emrtd::tlv;

use super::{Context, Df, Ef, Security, Via, VirtualChip, sw};
use crate::profile::{ChipProfile, OversizeRead};

/// EF.ATR/INFO announcing extended length (DO'7F66'): command and response buffer sizes.
pub(super) fn atr_info(profile: &ChipProfile) -> Vec<u8> {
    let max_response = protected_response_len(
        alicem_emrtd::lds::security_infos::Cipher::Tdes,
        profile.max_read,
    )
    .max(protected_response_len(
        alicem_emrtd::lds::security_infos::Cipher::Aes128,
        profile.max_read,
    ))
    .min(0xFFFF) as u16;
    let mut inner = tlv::encode(0x02, &0x1000u16.to_be_bytes());
    inner.extend(tlv::encode(0x02, &max_response.to_be_bytes()));
    tlv::encode(0x7F66, &inner)
}

impl VirtualChip {
    /// The EF with this file id in the current DF, if the chip has it.
    fn find(&self, fid: u16) -> Option<Ef> {
        let file = match self.state.df {
            Df::Master => match fid {
                0x011C => FileId::CardAccess,
                0x011D => FileId::CardSecurity,
                0x2F00 => FileId::Dir,
                commands::EF_ATR_INFO_FID => return self.atr_info.as_ref().map(|_| Ef::AtrInfo),
                _ => return None,
            },
            Df::Application => match fid {
                0x011E => FileId::Com,
                0x011D => FileId::Sod,
                0x0101..=0x0110 => FileId::Dg(DataGroup::new((fid & 0xFF) as u8)?),
                _ => return None,
            },
        };
        self.files.contains_key(&file).then_some(Ef::File(file))
    }

    /// The EF with this short identifier in the current DF.
    fn find_short(&self, short_id: u8) -> Option<Ef> {
        let candidates: &[FileId] = match self.state.df {
            Df::Master => &[FileId::CardAccess, FileId::CardSecurity, FileId::Dir],
            Df::Application => &[FileId::Com, FileId::Sod],
        };
        let file = candidates
            .iter()
            .copied()
            .find(|f| f.short_id() == Some(short_id))
            .or_else(|| {
                (self.state.df == Df::Application)
                    .then(|| DataGroup::new(short_id).map(FileId::Dg))
                    .flatten()
            })?;
        self.files.contains_key(&file).then_some(Ef::File(file))
    }

    /// Whether the current security state grants reading `ef`.
    fn readable(&self, ef: Ef) -> bool {
        let open = |via: Option<Via>| match &self.state.security {
            Security::Open(o) => via.is_none_or(|v| o.via == v),
            _ => false,
        };
        match ef {
            Ef::AtrInfo | Ef::File(FileId::CardAccess) | Ef::File(FileId::Dir) => true,
            Ef::File(FileId::CardSecurity) => open(Some(Via::Pace)),
            // Fingerprints and irises need Terminal Authentication, which is not offered.
            Ef::File(FileId::Dg(dg)) if matches!(dg.number(), 3 | 4) => false,
            Ef::File(_) => open(None),
        }
    }

    fn content(&self, ef: Ef) -> &[u8] {
        match ef {
            Ef::AtrInfo => self.atr_info.as_deref().unwrap_or_default(),
            Ef::File(f) => self.files.get(&f).map(Vec::as_slice).unwrap_or_default(),
        }
    }

    fn select_ef(&mut self, fid: u16) -> ResponseApdu {
        match self.find(fid) {
            None => sw(0x6A82),
            Some(ef) if !self.readable(ef) => sw(0x6982),
            Some(ef) => {
                self.state.ef = Some(ef);
                ResponseApdu::status(StatusWord::SUCCESS)
            }
        }
    }

    pub(super) fn select(&mut self, command: &CommandApdu) -> ResponseApdu {
        let fid = match command.data.as_slice() {
            [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
            _ => None,
        };
        match command.p1 {
            0x00 if command.data.is_empty() || fid == Some(MF_FID) => {
                self.state.df = Df::Master;
                self.state.ef = None;
                ResponseApdu::status(StatusWord::SUCCESS)
            }
            0x00 | 0x02 => match fid {
                Some(fid) => self.select_ef(fid),
                None => sw(0x6A80),
            },
            0x04 if command.data == EMRTD_AID => {
                self.state.df = Df::Application;
                self.state.ef = None;
                ResponseApdu::status(StatusWord::SUCCESS)
            }
            0x04 => sw(0x6A82),
            _ => sw(0x6A86),
        }
    }

    /// The most plain bytes one answer can carry for this command.
    fn response_capacity(&self, ctx: Context, wrapper: usize) -> usize {
        let budget = if ctx.extended {
            EXTENDED_MAX
        } else {
            SHORT_MAX
        };
        let plain = match &self.state.security {
            Security::Open(open) if ctx.secure => max_plain_response(open.channel.cipher(), budget),
            _ => budget,
        };
        plain.saturating_sub(wrapper)
    }

    pub(super) fn read_binary(&mut self, command: &CommandApdu, ctx: Context) -> ResponseApdu {
        let odd = command.ins == commands::ins::READ_BINARY_ODD;
        let (ef, offset) = if odd {
            if command.p1 != 0 || command.p2 != 0 {
                return sw(0x6A86);
            }
            let offset = match tlv::parse_single(&command.data, 0x54) {
                Ok(bytes) if !bytes.is_empty() && bytes.len() <= 3 => {
                    bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
                }
                _ => return sw(0x6A80),
            };
            (self.state.ef, offset)
        } else if command.p1 & 0x80 != 0 {
            let Some(ef) = self.find_short(command.p1 & 0x1F) else {
                return sw(0x6A82);
            };
            if !self.readable(ef) {
                return sw(0x6982);
            }
            self.state.ef = Some(ef);
            (Some(ef), usize::from(command.p2))
        } else {
            (
                self.state.ef,
                usize::from(u16::from_be_bytes([command.p1, command.p2])),
            )
        };
        let Some(ef) = ef else {
            return sw(0x6986);
        };
        if !self.readable(ef) {
            return sw(0x6982);
        }
        let Some(le) = command.le else {
            return sw(0x6700);
        };
        let content = self.content(ef);
        if offset >= content.len() {
            return sw(0x6B00);
        }
        // DO'53' wrapping of the odd instruction takes up to 4 bytes of the answer.
        let wrapper = if odd { 4 } else { 0 };
        let capacity = self.response_capacity(ctx, wrapper);
        let max = self.profile.max_read.min(capacity).max(1);
        let wanted = le.saturating_sub(wrapper).max(1);
        let n = if wanted > max {
            match self.profile.oversize_read {
                OversizeRead::WrongLength => return sw(0x6700),
                OversizeRead::WrongLe if max < SHORT_MAX => return sw(0x6C00 | max as u16),
                OversizeRead::WrongLe => return sw(0x6700),
                OversizeRead::Truncate => max,
            }
        } else {
            wanted
        };
        let end = (offset + n).min(content.len());
        let data = content.get(offset..end).unwrap_or_default().to_vec();
        let status = if offset + n > content.len() {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::SUCCESS
        };
        let data = if odd { tlv::encode(0x53, &data) } else { data };
        ResponseApdu::new(data, status)
    }
}
