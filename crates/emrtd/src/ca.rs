//! Chip Authentication v1 (Doc 9303-11 §6.2): an ephemeral-static key agreement with the
//! chip's key from DG14, after which secure messaging restarts with new keys — possibly
//! of another cipher. A chip that does not hold the private key cannot answer under
//! them, so the first protected answer after the restart is the proof.
//!
//! Also checks PACE-CAM evidence against the key in EF.CardSecurity (§4.4.3.5.2).

use der::{Decode, Encode};
use zeroize::Zeroizing;

use crate::commands;
use crate::crypto::Group;
use crate::crypto::entropy::Entropy;
use crate::domain_parameters::DomainParameters;
use crate::error::EmrtdError;
use crate::lds::FileId;
use crate::lds::security_infos::{
    CaProtocol, ChipAuthenticationPublicKeyInfo, Cipher, KeyAgreement, SecurityInfos,
};
use crate::pace::CamEvidence;
use crate::session::link::Secured;
use crate::sm::{SecureChannel, SessionKeys, SmError};
use crate::transport::Transport;

pub mod public_key;

pub use public_key::{ChipPublicKey, PublicKeyError};

/// How the chip was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ChipAuthenticationMethod {
    /// Chip Authentication v1 with MSE:Set AT and GENERAL AUTHENTICATE.
    #[serde(rename = "CA (MSE:Set AT)")]
    SetAt,
    /// Chip Authentication v1 with the legacy MSE:Set KAT.
    #[serde(rename = "CA (MSE:Set KAT)")]
    SetKat,
    /// PACE with Chip Authentication Mapping.
    #[serde(rename = "PACE-CAM")]
    PaceCam,
}

impl ChipAuthenticationMethod {
    /// "CA" or "PACE-CAM".
    pub fn protocol_name(self) -> &'static str {
        match self {
            ChipAuthenticationMethod::SetAt | ChipAuthenticationMethod::SetKat => "CA",
            ChipAuthenticationMethod::PaceCam => "PACE-CAM",
        }
    }
}

/// The result of authenticating the chip, as a remote verifier needs it: which key
/// (from which signed file) the chip proved it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationOutcome {
    pub method: ChipAuthenticationMethod,
    pub success: bool,
    /// The CA protocol run (None for PACE-CAM).
    pub protocol: Option<CaProtocol>,
    pub parameters: DomainParameters,
    pub key_id: Option<u64>,
    /// DER SubjectPublicKeyInfo of the chip key used, as found in DG14 / EF.CardSecurity.
    pub public_key_spki: Vec<u8>,
    /// Why the chip failed to authenticate, when it did.
    pub failure: Option<String>,
}

/// The key and protocol to use, chosen from DG14.
#[derive(Debug, Clone)]
pub struct CaPlan {
    pub protocol: CaProtocol,
    pub key: ChipPublicKey,
    pub key_info: ChipAuthenticationPublicKeyInfo,
    /// Whether DG14 holds several keys (the key id must then be sent).
    pub ambiguous: bool,
}

/// Chooses the Chip Authentication key and protocol from DG14's SecurityInfos: AES over
/// 3DES (§8.5), strongest group first. Without a ChipAuthenticationInfo the protocol is
/// the key's with 3DES, as on the first chips.
pub fn plan(infos: &SecurityInfos) -> Result<CaPlan, EmrtdError> {
    let keys: Vec<&ChipAuthenticationPublicKeyInfo> =
        infos.chip_authentication_public_keys().collect();
    let cas: Vec<_> = infos.chip_authentication_infos().collect();
    let mut candidates = Vec::new();
    for info in &keys {
        let Ok(key) = ChipPublicKey::from_spki(&info.public_key) else {
            continue;
        };
        if Group::new(key.parameters).is_err() {
            continue;
        }
        let key_agreement = match key.parameters {
            DomainParameters::Dh(_) => KeyAgreement::Dh,
            DomainParameters::Ecdh(_) => KeyAgreement::Ecdh,
        };
        if cas.is_empty() {
            candidates.push((
                CaProtocol {
                    key_agreement,
                    cipher: Cipher::Tdes,
                },
                key,
                (*info).clone(),
            ));
            continue;
        }
        for ca in &cas {
            let same_key = ca.key_id == info.key_id || (cas.len() == 1 && keys.len() == 1);
            if same_key && ca.protocol.key_agreement == key_agreement && ca.version == 1 {
                candidates.push((ca.protocol, key.clone(), (*info).clone()));
            }
        }
    }
    candidates
        .into_iter()
        .max_by_key(|(protocol, key, _)| {
            (
                protocol.cipher != Cipher::Tdes,
                key.parameters.strength_bits(),
                protocol.cipher,
            )
        })
        .map(|(protocol, key, key_info)| CaPlan {
            protocol,
            key,
            key_info,
            ambiguous: keys.len() > 1,
        })
        .ok_or_else(|| {
            EmrtdError::Unsupported("DG14 offers no usable Chip Authentication key".into())
        })
}

fn spki_der(info: &ChipAuthenticationPublicKeyInfo) -> Vec<u8> {
    info.public_key.to_der().unwrap_or_default()
}

/// Runs Chip Authentication and restarts secure messaging. The current DF must be the
/// eMRTD application.
pub(crate) fn authenticate<T: Transport>(
    secured: &mut Secured<T>,
    plan: &CaPlan,
    rng: &mut dyn Entropy,
) -> Result<ChipAuthenticationOutcome, EmrtdError> {
    let group = Group::new(plan.key.parameters)?;
    let chip_key = group.decode_public(&plan.key.public)?;
    let sk = group.generate_private(rng)?;
    let pk = group.public(&group.generator(), &sk)?;
    let shared = group.agree(&sk, &chip_key)?;
    let secret = Zeroizing::new(group.shared_secret(&shared).to_vec());
    let new_keys = SessionKeys::derive(&secret, plan.protocol.cipher);
    let key_id = plan.ambiguous.then_some(plan.key_info.key_id).flatten();
    let encoded = group.encode_public(&pk);
    let mut outcome = ChipAuthenticationOutcome {
        method: ChipAuthenticationMethod::SetAt,
        success: false,
        protocol: Some(plan.protocol),
        parameters: plan.key.parameters,
        key_id: plan.key_info.key_id,
        public_key_spki: spki_der(&plan.key_info),
        failure: None,
    };

    // 3DES: the legacy MSE:Set KAT first; some chips only know MSE:Set AT (§8.5 note 1).
    let mut accepted = false;
    if plan.protocol.cipher == Cipher::Tdes {
        let command = commands::mse_set_kat(&encoded, key_id);
        let answer = secured.transmit(&command, command.needs_extended_length())?;
        if answer.is_success() {
            outcome.method = ChipAuthenticationMethod::SetKat;
            accepted = true;
        }
    }
    if !accepted {
        let command = commands::mse_set_at_ca(&plan.protocol.oid(), key_id);
        let answer = secured.transmit(&command, false)?;
        if !answer.is_success() {
            outcome.failure = Some(format!("MSE:Set AT refused ({})", answer.status));
            return Ok(outcome);
        }
        let command = commands::general_authenticate(false, &[(0x80, &encoded)]);
        let answer = secured.transmit(&command, command.needs_extended_length())?;
        if !answer.is_success() {
            outcome.failure = Some(format!("GENERAL AUTHENTICATE refused ({})", answer.status));
            return Ok(outcome);
        }
    }

    // Restart secure messaging with the new keys and prove them with one exchange.
    secured.sm = SecureChannel::with_zero_ssc(new_keys);
    match secured.transmit(&commands::select_ef(FileId::Com.fid()), false) {
        // Any authentic answer (even an error status) proves the new keys.
        Ok(_) => outcome.success = true,
        Err(EmrtdError::SecureMessaging(e @ (SmError::MacMismatch | SmError::ChipAborted(_)))) => {
            outcome.failure = Some(format!(
                "the chip could not answer under the new keys ({e}): it does not hold the private key of DG14"
            ));
        }
        Err(other) => return Err(other),
    }
    Ok(outcome)
}

/// The SecurityInfos signed in EF.CardSecurity (a CMS SignedData); the signature itself
/// is Passive Authentication's business.
pub fn card_security_infos(card_security: &[u8]) -> Result<SecurityInfos, EmrtdError> {
    let bad = |e: der::Error| EmrtdError::protocol("EF.CardSecurity", e.to_string());
    let content = cms::content_info::ContentInfo::from_der(card_security).map_err(bad)?;
    let signed: cms::signed_data::SignedData = content.content.decode_as().map_err(bad)?;
    let econtent = signed
        .encap_content_info
        .econtent
        .ok_or_else(|| EmrtdError::protocol("EF.CardSecurity", "no encapsulated content"))?;
    let octets: der::asn1::OctetString = econtent.decode_as().map_err(bad)?;
    Ok(SecurityInfos::from_der(octets.as_bytes())?)
}

/// Checks PACE-CAM evidence against the chip key with the same id in `infos`
/// (EF.CardSecurity's SecurityInfos).
pub fn verify_cam(
    evidence: &CamEvidence,
    infos: &SecurityInfos,
) -> Result<ChipAuthenticationOutcome, EmrtdError> {
    let info = infos
        .chip_authentication_public_keys()
        .find(|k| evidence.key_id.is_none() || k.key_id == evidence.key_id)
        .ok_or_else(|| {
            EmrtdError::protocol(
                "EF.CardSecurity",
                "no ChipAuthenticationPublicKeyInfo for the PACE-CAM key id",
            )
        })?;
    let key = ChipPublicKey::from_spki(&info.public_key)
        .map_err(|e| EmrtdError::protocol("EF.CardSecurity", e.to_string()))?;
    let mut outcome = ChipAuthenticationOutcome {
        method: ChipAuthenticationMethod::PaceCam,
        success: false,
        protocol: None,
        parameters: key.parameters,
        key_id: info.key_id,
        public_key_spki: spki_der(info),
        failure: None,
    };
    if key.parameters != evidence.parameters {
        outcome.failure =
            Some("the EF.CardSecurity key is not on the PACE domain parameters".into());
        return Ok(outcome);
    }
    let group = Group::new(key.parameters)?;
    let static_public = group.decode_public(&key.public)?;
    outcome.success = group.cam_verify(
        &evidence.authentication_data,
        &static_public,
        &evidence.mapping_public,
    )?;
    if !outcome.success {
        outcome.failure = Some(
            "the PACE-CAM chip authentication data does not match the key in EF.CardSecurity"
                .into(),
        );
    }
    Ok(outcome)
}
