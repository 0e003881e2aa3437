//! The virtual chip answers any sequence of command APDUs without panicking: what a
//! reader (or an attacker on the vpcd socket) sends is outside data. Input: APDUs, each
//! prefixed by one length byte.
#![no_main]

use std::sync::OnceLock;

use alicem_chip_sim::profile::{
    AaHash, ActiveAuthenticationProfile, CaCommand, ChipAuthenticationProfile, ChipProfile,
    OversizeRead, PaceOffer,
};
use alicem_chip_sim::test_image::{ImageSpec, build};
use alicem_chip_sim::{ChipImage, VirtualChip};
use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::security_infos::{CaProtocol, Cipher, KeyAgreement, Mapping, PaceProtocol};
use libfuzzer_sys::fuzz_target;

fn image() -> &'static ChipImage {
    static IMAGE: OnceLock<ChipImage> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
        let pace = |mapping| PaceOffer {
            protocol: PaceProtocol {
                key_agreement: KeyAgreement::Ecdh,
                mapping,
                cipher: Cipher::Aes128,
            },
            parameters: bp256,
        };
        let profile = ChipProfile {
            name: "fuzz".into(),
            bac: true,
            pace: vec![pace(Mapping::Generic), pace(Mapping::Integrated), pace(Mapping::ChipAuthentication)],
            chip_authentication: Some(ChipAuthenticationProfile {
                protocol: CaProtocol {
                    key_agreement: KeyAgreement::Ecdh,
                    cipher: Cipher::Tdes,
                },
                parameters: bp256,
                key_id: Some(1),
                command: CaCommand::Both,
                announce_info: true,
            }),
            active_authentication: Some(ActiveAuthenticationProfile::Ecdsa {
                curve: Curve::NistP256,
                hash: AaHash::Sha256,
            }),
            extended_length: true,
            max_read: 300,
            oversize_read: OversizeRead::WrongLe,
        };
        build(&ImageSpec::new(profile)).expect("fuzz image")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut chip) = VirtualChip::new(image().clone()) else {
        return;
    };
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (apdu, next) = tail.split_at(len);
        let answer = chip.process(apdu);
        assert!(answer.len() >= 2);
        rest = next;
    }
});
