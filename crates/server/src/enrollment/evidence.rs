//! Decoding and checking an evidence upload before anything is verified: sizes,
//! presence and the structure of every part. A malformed part is refused with its
//! name (`chip.dg2`, `frames[3]`…). Fuzzed (`fuzz/fuzz_targets/evidence.rs`): must
//! never panic.

use alicem_api::enrollment::{AntiCloneEvidence, EnrollmentPath, ErasedItem, Evidence};
use alicem_credential::jose::b64;
use alicem_emrtd::lds::{Dg2, Dg11, EfCom, Sod, dg1};
use sha2::{Digest, Sha256};

/// Bounds on each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceLimits {
    pub max_frames: usize,
    pub max_frame_bytes: usize,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        Self {
            max_frames: 60,
            max_frame_bytes: 512 * 1024,
        }
    }
}

/// Largest EF.COM, DG1, DG11, DG14, DG15, EF.CardAccess.
const MAX_SMALL_FILE: usize = 16 * 1024;
/// Largest EF.SOD / EF.CardSecurity (certificates inside).
const MAX_SIGNED_FILE: usize = 64 * 1024;
/// Largest DG2 (one or two face images).
const MAX_DG2: usize = 1024 * 1024;
/// Largest Active Authentication signature (RSA 4096 or ECDSA P-521).
const MAX_AA_SIGNATURE: usize = 1024;

/// What was wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {detail}")]
pub struct EvidenceError {
    pub part: String,
    pub detail: String,
    /// Too large (413) rather than malformed (400).
    pub too_large: bool,
}

fn bad(part: &str, detail: impl Into<String>) -> EvidenceError {
    EvidenceError {
        part: part.to_owned(),
        detail: detail.into(),
        too_large: false,
    }
}

fn size(part: &str, bytes: &[u8], max: usize) -> Result<(), EvidenceError> {
    if bytes.is_empty() {
        return Err(bad(part, "empty"));
    }
    if bytes.len() > max {
        return Err(EvidenceError {
            part: part.to_owned(),
            detail: format!("{} bytes, at most {max} accepted", bytes.len()),
            too_large: true,
        });
    }
    Ok(())
}

/// What the receipt lists for a part.
pub fn item(name: &str, bytes: &[u8]) -> ErasedItem {
    ErasedItem {
        item: name.to_owned(),
        bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        sha256: b64::encode(&Sha256::digest(bytes)),
    }
}

/// A checked upload and the list of what it contained.
#[derive(Debug)]
pub struct CheckedEvidence {
    pub evidence: Evidence,
    pub received: Vec<ErasedItem>,
}

/// Decodes the JSON body and checks every part for `path`.
pub fn decode(
    body: &[u8],
    path: EnrollmentPath,
    limits: &EvidenceLimits,
) -> Result<CheckedEvidence, EvidenceError> {
    let evidence: Evidence = serde_json::from_slice(body)
        .map_err(|e| bad("body", format!("not an evidence object: {e}")))?;
    let chip = &evidence.chip;

    size("chip.ef_com", chip.ef_com.as_slice(), MAX_SMALL_FILE)?;
    let com =
        EfCom::parse(chip.ef_com.as_slice()).map_err(|e| bad("chip.ef_com", e.to_string()))?;
    size("chip.ef_sod", chip.ef_sod.as_slice(), MAX_SIGNED_FILE)?;
    Sod::parse(chip.ef_sod.as_slice()).map_err(|e| bad("chip.ef_sod", e.to_string()))?;
    size("chip.dg1", chip.dg1.as_slice(), MAX_SMALL_FILE)?;
    dg1::parse(chip.dg1.as_slice()).map_err(|e| bad("chip.dg1", e.to_string()))?;
    size("chip.dg2", chip.dg2.as_slice(), MAX_DG2)?;
    Dg2::parse(chip.dg2.as_slice()).map_err(|e| bad("chip.dg2", e.to_string()))?;
    if let Some(dg11) = &chip.dg11 {
        size("chip.dg11", dg11.as_slice(), MAX_SMALL_FILE)?;
        Dg11::parse(dg11.as_slice()).map_err(|e| bad("chip.dg11", e.to_string()))?;
    }
    for (part, file, tag) in [
        ("chip.dg14", &chip.dg14, 0x6E),
        ("chip.dg15", &chip.dg15, 0x6F),
        ("chip.ef_card_access", &chip.ef_card_access, 0x31),
    ] {
        if let Some(bytes) = file {
            size(part, bytes.as_slice(), MAX_SMALL_FILE)?;
            if bytes.as_slice().first() != Some(&tag) {
                return Err(bad(part, format!("does not start with tag {tag:02X}")));
            }
        }
    }
    if let Some(bytes) = &chip.ef_card_security {
        size("chip.ef_card_security", bytes.as_slice(), MAX_SIGNED_FILE)?;
    }
    for (dg, part) in [
        (alicem_emrtd::lds::DataGroup::DG1, "chip.dg1"),
        (alicem_emrtd::lds::DataGroup::DG2, "chip.dg2"),
    ] {
        if !com.data_groups.contains(&dg) {
            return Err(bad("chip.ef_com", format!("does not list {part}")));
        }
    }
    if let AntiCloneEvidence::ActiveAuthentication { signature } = &evidence.anti_clone {
        size(
            "anti_clone.signature",
            signature.as_slice(),
            MAX_AA_SIGNATURE,
        )?;
        if chip.dg15.is_none() {
            return Err(bad(
                "chip.dg15",
                "Active Authentication needs DG15 (the chip's public key)",
            ));
        }
    }

    match path {
        EnrollmentPath::Face if evidence.frames.is_empty() => {
            return Err(bad("frames", "the face path needs selfie frames"));
        }
        _ => {}
    }
    if evidence.frames.len() > limits.max_frames {
        return Err(EvidenceError {
            part: "frames".into(),
            detail: format!(
                "{} frames, at most {} accepted",
                evidence.frames.len(),
                limits.max_frames
            ),
            too_large: true,
        });
    }
    let mut last = 0u64;
    for (i, frame) in evidence.frames.iter().enumerate() {
        let part = format!("frames[{i}]");
        let jpeg = frame.jpeg.as_slice();
        size(&part, jpeg, limits.max_frame_bytes)?;
        if !(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) && jpeg.ends_with(&[0xFF, 0xD9])) {
            return Err(bad(&part, "not a JPEG image (SOI … EOI)"));
        }
        if frame.timestamp_ms < last {
            return Err(bad(&part, "timestamps must not go backwards"));
        }
        last = frame.timestamp_ms;
    }

    let mut received = vec![
        item("ef_com", chip.ef_com.as_slice()),
        item("ef_sod", chip.ef_sod.as_slice()),
        item("dg1", chip.dg1.as_slice()),
        item("dg2", chip.dg2.as_slice()),
    ];
    for (name, file) in [
        ("dg11", &chip.dg11),
        ("dg14", &chip.dg14),
        ("dg15", &chip.dg15),
        ("ef_card_access", &chip.ef_card_access),
        ("ef_card_security", &chip.ef_card_security),
    ] {
        if let Some(bytes) = file {
            received.push(item(name, bytes.as_slice()));
        }
    }
    for (i, frame) in evidence.frames.iter().enumerate() {
        received.push(item(&format!("frame[{i}]"), frame.jpeg.as_slice()));
    }
    Ok(CheckedEvidence { evidence, received })
}

impl CheckedEvidence {
    /// Overwrites every received byte (chip files, signature, frames).
    pub fn erase(&mut self) {
        use zeroize::Zeroize;
        let chip = &mut self.evidence.chip;
        for bytes in [
            &mut chip.ef_com,
            &mut chip.ef_sod,
            &mut chip.dg1,
            &mut chip.dg2,
        ] {
            bytes.0.zeroize();
        }
        for bytes in [
            &mut chip.dg11,
            &mut chip.dg14,
            &mut chip.dg15,
            &mut chip.ef_card_access,
            &mut chip.ef_card_security,
        ]
        .into_iter()
        .flatten()
        {
            bytes.0.zeroize();
        }
        if let AntiCloneEvidence::ActiveAuthentication { signature } = &mut self.evidence.anti_clone
        {
            signature.0.zeroize();
        }
        for frame in &mut self.evidence.frames {
            frame.jpeg.0.zeroize();
        }
        self.evidence.frames.clear();
    }
}

impl Drop for CheckedEvidence {
    fn drop(&mut self) {
        self.erase();
    }
}
