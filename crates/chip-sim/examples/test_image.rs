//! Writes a test chip image directory (unsigned files, fresh keys) for trying
//! `alicem passport emulate` before the document factory: `cargo run -p
//! alicem-chip-sim --example test_image -- DIR`. The MRZ is in DIR/document.json.

use alicem_chip_sim::ChipProfile;
use alicem_chip_sim::profile::{
    AaHash, ActiveAuthenticationProfile, CaCommand, ChipAuthenticationProfile, OversizeRead,
    PaceOffer,
};
use alicem_chip_sim::test_image::{ImageSpec, build};
use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::security_infos::{CaProtocol, Cipher, KeyAgreement, Mapping, PaceProtocol};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: test_image DIR")?;
    let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    let profile = ChipProfile {
        name: "test-passport".into(),
        bac: true,
        pace: vec![PaceOffer {
            protocol: PaceProtocol {
                key_agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Generic,
                cipher: Cipher::Aes256,
            },
            parameters: bp256,
        }],
        chip_authentication: Some(ChipAuthenticationProfile {
            protocol: CaProtocol {
                key_agreement: KeyAgreement::Ecdh,
                cipher: Cipher::Aes128,
            },
            parameters: bp256,
            key_id: Some(1),
            command: CaCommand::SetAt,
            announce_info: true,
        }),
        active_authentication: Some(ActiveAuthenticationProfile::Rsa {
            bits: 2048,
            hash: AaHash::Sha256,
        }),
        extended_length: true,
        max_read: 0x1000,
        oversize_read: OversizeRead::WrongLength,
    };
    let image = build(&ImageSpec::new(profile))?;
    image.save(std::path::Path::new(&dir))?;
    println!("{}", image.access.mrz.join("\n"));
    Ok(())
}
