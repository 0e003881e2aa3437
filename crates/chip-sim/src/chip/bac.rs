//! The chip's side of Basic Access Control.

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::bac;
use alicem_emrtd::crypto::entropy::random_bytes;
use zeroize::Zeroizing;

use super::{Df, Open, Security, Via, VirtualChip, sw};

impl VirtualChip {
    pub(super) fn external_authenticate(&mut self, command: &CommandApdu) -> ResponseApdu {
        if !self.profile.bac {
            return sw(0x6985);
        }
        if self.state.df != Df::Application {
            return sw(0x6985);
        }
        // A challenge answers one attempt only.
        let Some(rnd_ic) = self.state.challenge.take() else {
            return sw(0x6985);
        };
        if command.data.len() != bac::CRYPTOGRAM_LEN {
            return sw(0x6700);
        }
        let keys = bac::document_keys(&self.mrz);
        let s = match bac::open(&keys, &command.data) {
            Ok(Some(s)) => s,
            // Wrong MRZ: the MAC does not verify.
            Ok(None) => return sw(0x6300),
            Err(_) => return sw(0x6F00),
        };
        let (rnd_ifd, rest) = s.split_at(8);
        let (echo_ic, k_ifd) = rest.split_at(8);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(echo_ic, &rnd_ic[..])) {
            return sw(0x6300);
        }
        let Ok(k_ic) = random_bytes(self.rng.as_mut(), 16) else {
            return sw(0x6F00);
        };
        let mut r = Zeroizing::new(Vec::with_capacity(32));
        r.extend_from_slice(&rnd_ic);
        r.extend_from_slice(rnd_ifd);
        r.extend_from_slice(&k_ic);
        let Ok(sealed) = bac::seal(&keys, &r) else {
            return sw(0x6F00);
        };
        self.state.security = Security::Open(Box::new(Open {
            channel: bac::session(&k_ic, k_ifd, &rnd_ic, rnd_ifd),
            via: Via::Bac,
            ca_pending: false,
        }));
        ResponseApdu::new(sealed, StatusWord::SUCCESS)
    }
}
