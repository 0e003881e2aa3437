//! Status words (SW1 SW2) and their ISO/IEC 7816-4 meaning.

use core::fmt;

/// The two trailing status bytes of every response.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

/// What a status word means, per ISO/IEC 7816-4 §5.6 and ICAO Doc 9303-11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMeaning {
    /// 9000.
    Success,
    /// 61XX: XX more bytes available with GET RESPONSE.
    BytesRemaining(u8),
    /// 6282: end of file reached before reading Ne bytes.
    EndOfFileReached,
    /// 6283: selected file deactivated.
    FileDeactivated,
    /// 63CX: verification failed, X retries left (PACE with a wrong password).
    VerificationFailed { retries: u8 },
    /// 6300 and other 63XX warnings.
    AuthenticationFailed,
    /// 6581: memory failure.
    MemoryFailure,
    /// 6700: wrong length (Lc or Le).
    WrongLength,
    /// 6881 / 6882: logical channel or secure messaging not supported.
    SecureMessagingNotSupported,
    /// 6982: security status not satisfied (file needs authentication).
    SecurityStatusNotSatisfied,
    /// 6983: authentication method blocked.
    AuthenticationMethodBlocked,
    /// 6984: reference data not usable.
    ReferenceDataNotUsable,
    /// 6985: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// 6986: command not allowed (no current EF).
    CommandNotAllowed,
    /// 6987: expected secure messaging data objects missing.
    SecureMessagingObjectsMissing,
    /// 6988: secure messaging data objects incorrect (bad MAC).
    SecureMessagingObjectsIncorrect,
    /// 6A80: incorrect parameters in the command data field.
    IncorrectData,
    /// 6A81: function not supported.
    FunctionNotSupported,
    /// 6A82: file or application not found.
    FileNotFound,
    /// 6A86: incorrect parameters P1-P2.
    IncorrectP1P2,
    /// 6A88: referenced data not found.
    ReferencedDataNotFound,
    /// 6B00: wrong parameters P1-P2 (offset outside the EF).
    WrongParameters,
    /// 6CXX: wrong Le; XX is the exact length available.
    WrongLe(u8),
    /// 6D00: instruction not supported.
    InstructionNotSupported,
    /// 6E00: class not supported.
    ClassNotSupported,
    /// 6F00: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Anything else.
    Other,
}

impl StatusWord {
    pub const SUCCESS: Self = Self(0x9000);
    pub const END_OF_FILE: Self = Self(0x6282);
    pub const WRONG_LENGTH: Self = Self(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    pub const AUTHENTICATION_BLOCKED: Self = Self(0x6983);
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    pub const SM_OBJECTS_MISSING: Self = Self(0x6987);
    pub const SM_OBJECTS_INCORRECT: Self = Self(0x6988);
    pub const INCORRECT_DATA: Self = Self(0x6A80);
    pub const FUNCTION_NOT_SUPPORTED: Self = Self(0x6A81);
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    pub const INCORRECT_P1P2: Self = Self(0x6A86);
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    pub const WRONG_PARAMETERS: Self = Self(0x6B00);
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    pub const NO_PRECISE_DIAGNOSIS: Self = Self(0x6F00);

    pub fn from_bytes([sw1, sw2]: [u8; 2]) -> Self {
        Self(u16::from_be_bytes([sw1, sw2]))
    }

    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    pub fn is_success(self) -> bool {
        self.0 == 0x9000
    }

    /// The ISO/IEC 7816-4 meaning of this status word.
    pub fn meaning(self) -> StatusMeaning {
        use StatusMeaning::*;
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => Success,
            (0x61, n) => BytesRemaining(n),
            (0x62, 0x82) => EndOfFileReached,
            (0x62, 0x83) => FileDeactivated,
            (0x63, n) if n & 0xF0 == 0xC0 => VerificationFailed { retries: n & 0x0F },
            (0x63, _) => AuthenticationFailed,
            (0x65, 0x81) => MemoryFailure,
            (0x67, 0x00) => WrongLength,
            (0x68, 0x81 | 0x82) => SecureMessagingNotSupported,
            (0x69, 0x82) => SecurityStatusNotSatisfied,
            (0x69, 0x83) => AuthenticationMethodBlocked,
            (0x69, 0x84) => ReferenceDataNotUsable,
            (0x69, 0x85) => ConditionsNotSatisfied,
            (0x69, 0x86) => CommandNotAllowed,
            (0x69, 0x87) => SecureMessagingObjectsMissing,
            (0x69, 0x88) => SecureMessagingObjectsIncorrect,
            (0x6A, 0x80) => IncorrectData,
            (0x6A, 0x81) => FunctionNotSupported,
            (0x6A, 0x82) => FileNotFound,
            (0x6A, 0x86) => IncorrectP1P2,
            (0x6A, 0x88) => ReferencedDataNotFound,
            (0x6B, 0x00) => WrongParameters,
            (0x6C, n) => WrongLe(n),
            (0x6D, 0x00) => InstructionNotSupported,
            (0x6E, 0x00) => ClassNotSupported,
            (0x6F, 0x00) => NoPreciseDiagnosis,
            _ => Other,
        }
    }

    /// True for the status words a chip answers when secure messaging failed:
    /// after one of these the session keys must be discarded.
    pub fn is_secure_messaging_error(self) -> bool {
        matches!(
            self.meaning(),
            StatusMeaning::SecureMessagingObjectsMissing
                | StatusMeaning::SecureMessagingObjectsIncorrect
        )
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({:?})", self.0, self.meaning())
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_retry_counter_from_63cx() {
        assert_eq!(
            StatusWord(0x63C2).meaning(),
            StatusMeaning::VerificationFailed { retries: 2 }
        );
    }

    #[test]
    fn reads_exact_length_from_6cxx() {
        assert_eq!(StatusWord(0x6C1F).meaning(), StatusMeaning::WrongLe(0x1F));
    }

    #[test]
    fn flags_secure_messaging_errors() {
        assert!(StatusWord(0x6988).is_secure_messaging_error());
        assert!(StatusWord(0x6987).is_secure_messaging_error());
        assert!(!StatusWord(0x6982).is_secure_messaging_error());
    }
}
