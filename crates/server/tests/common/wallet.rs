//! A test wallet: device key, device proofs, reading a chip-sim document exactly as
//! the wallet does (Document::open over the virtual chip, Active Authentication on
//! the session's challenge).

#![allow(dead_code, clippy::unwrap_used)]

use alicem_api::Bytes;
use alicem_api::device_proof::{DeviceProofClaims, HEADER, PROOF_TYPE, body_hash};
use alicem_api::enrollment::{AntiCloneEvidence, ChipFiles, Evidence, SelfieFrame};
use alicem_chip_sim::VirtualChip;
use alicem_chip_sim::factory::MintedDocument;
use alicem_credential::jose::{JwsSigner, SigningKey, b64, jws};
use alicem_emrtd::Document;
use alicem_emrtd::lds::{DataGroup, FileId};

pub struct TestWallet {
    pub key: SigningKey,
    pub base: String,
    pub http: reqwest::Client,
}

impl TestWallet {
    pub fn new(base: &str) -> Self {
        Self {
            key: SigningKey::generate_es256(&mut alicem_credential::rng::os_rng()),
            base: base.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub fn jwk_json(&self) -> serde_json::Value {
        self.key.public_jwk().to_json()
    }

    pub fn proof(&self, sub: &str, method: &str, path: &str, body: &[u8], iat: i64) -> String {
        let claims = DeviceProofClaims {
            sub: sub.into(),
            htm: method.into(),
            htp: path.into(),
            iat: u64::try_from(iat).unwrap(),
            jti: b64::encode(&super::rand_bytes::<18>()),
            body_sha256: body_hash(body),
        };
        jws::sign_json(Some(PROOF_TYPE), &claims, &self.key).unwrap()
    }

    /// A request with a device proof by `sub`.
    pub async fn send(
        &self,
        sub: &str,
        method: &str,
        path: &str,
        body: Vec<u8>,
        now: i64,
    ) -> reqwest::Response {
        let proof = self.proof(sub, method, path, &body, now);
        let url = format!("{}{}", self.base, path);
        let builder = match method {
            "GET" => self.http.get(url),
            _ => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(body),
        };
        builder.header(HEADER, proof).send().await.unwrap()
    }
}

/// Reads a minted document through the virtual chip and runs Active Authentication
/// on `challenge` (when the chip has AA).
pub fn read_chip(doc: &MintedDocument, challenge: &[u8]) -> (ChipFiles, AntiCloneEvidence) {
    let chip = VirtualChip::new(doc.image.clone()).unwrap();
    let key = doc.image.access.mrz_key().unwrap();
    let mut session = Document::open(chip, &key).unwrap();
    let mut read = |id: FileId| session.read_file(id).unwrap().map(Bytes);
    let files = ChipFiles {
        ef_com: read(FileId::Com).unwrap(),
        ef_sod: read(FileId::Sod).unwrap(),
        dg1: read(FileId::Dg(DataGroup::DG1)).unwrap(),
        dg2: read(FileId::Dg(DataGroup::DG2)).unwrap(),
        dg11: read(FileId::Dg(DataGroup::DG11)),
        dg14: read(FileId::Dg(DataGroup::DG14)),
        dg15: read(FileId::Dg(DataGroup::DG15)),
        ef_card_access: None,
        ef_card_security: None,
    };
    let anti_clone = if files.dg15.is_some() {
        let challenge: [u8; 8] = challenge.try_into().unwrap();
        AntiCloneEvidence::ActiveAuthentication {
            signature: Bytes(session.active_authenticate(&challenge).unwrap()),
        }
    } else {
        AntiCloneEvidence::None
    };
    (files, anti_clone)
}

/// A small valid-looking JPEG (SOI … EOI) for frame uploads.
pub fn jpeg_frame(seed: u8) -> SelfieFrame {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, seed, seed];
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    SelfieFrame {
        jpeg: Bytes(jpeg),
        timestamp_ms: u64::from(seed) * 100,
    }
}

pub fn evidence(
    files: ChipFiles,
    anti_clone: AntiCloneEvidence,
    frames: Vec<SelfieFrame>,
) -> Evidence {
    Evidence {
        chip: files,
        anti_clone,
        frames,
    }
}
