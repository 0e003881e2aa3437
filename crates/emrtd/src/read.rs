//! Reading transparent EFs (Doc 9303-10 §3.6): SELECT by file id or short EF id, then
//! READ BINARY in the largest chunks the chip accepts, adapting to its refusals
//! (6700, 6Cxx), to early ends (6282, short answers) and to offsets beyond 32767.

use crate::apdu::{CommandApdu, ResponseApdu, SHORT_MAX, StatusMeaning};
use crate::commands::{self, MAX_EVEN_OFFSET};
use crate::error::EmrtdError;
use crate::lds::FileId;
use crate::lds::security_infos::Cipher;
use crate::sm::max_plain_response;
use crate::tlv;

/// Largest file accepted (a face image is rarely above 100 KB).
pub const MAX_FILE_SIZE: usize = 8 * 1024 * 1024;

/// How far the reading of one file got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadProgress {
    pub file: FileId,
    pub read: usize,
    /// Known once the file's first bytes (its TLV header) are in.
    pub total: Option<usize>,
}

/// Whether READ BINARY may use extended length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtendedLength {
    /// When both the link and the chip (EF.ATR/INFO) announce it.
    #[default]
    Auto,
    /// Never: short reads only.
    Never,
    /// Whenever the link allows, adapting down if the chip refuses.
    Always,
}

/// Reading preferences.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub extended_length: ExtendedLength,
    /// Select files with a short EF identifier in READ BINARY instead of SELECT.
    pub short_ef_ids: bool,
    /// Cap on bytes per READ BINARY.
    pub max_chunk: Option<usize>,
}

/// The chip's buffer sizes from EF.ATR/INFO's extended length information (DO'7F66').
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtendedLengthInfo {
    pub max_command: usize,
    pub max_response: usize,
}

/// Finds DO'7F66' in EF.ATR/INFO. Anything unreadable means "not announced".
pub fn parse_atr_info(bytes: &[u8]) -> Option<ExtendedLengthInfo> {
    let objects = tlv::parse_all(bytes).ok()?;
    let info = tlv::find(&objects, 0x7F66)?;
    let sizes: Vec<usize> = tlv::parse_all(info)
        .ok()?
        .iter()
        .filter(|o| o.tag == 0x02 && !o.value.is_empty() && o.value.len() <= 3)
        .map(|o| {
            o.value
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b))
        })
        .collect();
    match sizes.as_slice() {
        [max_command, max_response, ..] => Some(ExtendedLengthInfo {
            max_command: *max_command,
            max_response: *max_response,
        }),
        _ => None,
    }
}

/// The adaptive read parameters, kept across files of one session.
#[derive(Debug, Clone)]
pub(crate) struct ReadStrategy {
    /// Bytes per response the chip may return with extended length, if used.
    extended_budget: Option<usize>,
    /// A limit learnt from the chip's refusals.
    learnt_limit: Option<usize>,
    max_chunk: Option<usize>,
    pub(crate) short_ef_ids: bool,
}

impl ReadStrategy {
    pub(crate) fn new(
        options: &ReadOptions,
        link_extended: bool,
        chip: Option<ExtendedLengthInfo>,
    ) -> Self {
        let extended_budget = match (options.extended_length, link_extended) {
            (ExtendedLength::Never, _) | (_, false) => None,
            (ExtendedLength::Auto, true) => chip.map(|c| c.max_response.min(65_536)),
            (ExtendedLength::Always, true) => {
                Some(chip.map_or(65_536, |c| c.max_response.min(65_536)))
            }
        };
        Self {
            extended_budget: extended_budget.filter(|&b| b > SHORT_MAX),
            learnt_limit: None,
            max_chunk: options.max_chunk,
            short_ef_ids: options.short_ef_ids,
        }
    }

    /// Whether extended APDUs are in use (reads and INTERNAL AUTHENTICATE).
    pub(crate) fn extended(&self) -> bool {
        self.extended_budget.is_some()
    }

    fn short_max(cipher: Option<Cipher>) -> usize {
        cipher.map_or(SHORT_MAX, |c| max_plain_response(c, SHORT_MAX))
    }

    /// Plain bytes to ask for per READ BINARY.
    fn chunk(&self, cipher: Option<Cipher>) -> usize {
        let base = match (self.extended_budget, cipher) {
            (Some(budget), Some(c)) => max_plain_response(c, budget),
            (Some(budget), None) => budget,
            (None, _) => Self::short_max(cipher),
        };
        let mut chunk = base;
        if let Some(limit) = self.learnt_limit {
            chunk = chunk.min(limit);
        }
        if let Some(cap) = self.max_chunk {
            chunk = chunk.min(cap);
        }
        chunk.max(1)
    }

    /// The chip refused a read of `asked` bytes with 6700: halve it, leaving extended
    /// length once below the short maximum.
    fn shrink(&mut self, asked: usize, cipher: Option<Cipher>) -> bool {
        if asked <= 1 {
            return false;
        }
        let next = asked / 2;
        if self.extended_budget.is_some() && next < Self::short_max(cipher) {
            self.extended_budget = None;
            self.learnt_limit = Some(Self::short_max(cipher));
        } else {
            self.learnt_limit = Some(next);
        }
        true
    }

    fn limit_to(&mut self, exact: usize, cipher: Option<Cipher>) {
        self.learnt_limit = Some(exact.max(1));
        if self.extended_budget.is_some() && exact <= Self::short_max(cipher) {
            self.extended_budget = None;
        }
    }
}

/// Sends one command (plain or protected) with or without extended length.
pub(crate) type Sender<'a> = dyn FnMut(&CommandApdu, bool) -> Result<ResponseApdu, EmrtdError> + 'a;

fn read_command(offset: usize, le: usize) -> CommandApdu {
    if offset > MAX_EVEN_OFFSET {
        // The answer comes wrapped in DO'53' (up to 4 header bytes).
        commands::read_binary(offset, le + 4)
    } else {
        commands::read_binary(offset, le)
    }
}

/// The data of a READ BINARY answer (unwrapping DO'53' for the odd instruction).
fn answer_data(odd: bool, data: Vec<u8>) -> Result<Vec<u8>, EmrtdError> {
    if !odd || data.is_empty() {
        return Ok(data);
    }
    let (object, _) = tlv::parse_one(&data).map_err(EmrtdError::tlv("READ BINARY"))?;
    if object.tag != 0x53 {
        return Err(EmrtdError::protocol(
            "READ BINARY",
            "odd-instruction answer without DO'53'",
        ));
    }
    Ok(object.value.to_vec())
}

/// The total size of a file from its first bytes, when it starts with a BER-TLV.
fn size_from_header(file: FileId, first: &[u8]) -> Option<usize> {
    if file == FileId::Dir {
        return None;
    }
    let (header, len) = tlv::peek_header(first).ok()?;
    Some(header + len)
}

/// Reads `file` through `send`. `Ok(None)` when the chip has no such file.
pub(crate) fn read_file(
    send: &mut Sender<'_>,
    strategy: &mut ReadStrategy,
    cipher: Option<Cipher>,
    file: FileId,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Option<Vec<u8>>, EmrtdError> {
    let mut use_short_id = strategy.short_ef_ids && file.short_id().is_some();
    if !use_short_id && !select(send, file)? {
        return Ok(None);
    }
    let mut data: Vec<u8> = Vec::new();
    let mut total: Option<usize> = None;
    let mut fruitless = 0u32;
    let mut finished = false;
    while !finished {
        let offset = data.len();
        if total.is_some_and(|t| offset >= t) {
            break;
        }
        let mut le = strategy.chunk(cipher);
        if let Some(t) = total {
            le = le.min(t - offset);
        }
        let command = match (use_short_id, file.short_id()) {
            (true, Some(sfi)) => commands::read_binary_short_id(sfi, 0, le),
            _ => read_command(offset, le),
        };
        let odd = command.ins == commands::ins::READ_BINARY_ODD;
        let answer = send(&command, strategy.extended())?;
        let before = data.len();
        match answer.status.meaning() {
            StatusMeaning::Success | StatusMeaning::EndOfFileReached => {
                let chunk = answer_data(odd, answer.data)?;
                let ended =
                    chunk.is_empty() || answer.status.meaning() == StatusMeaning::EndOfFileReached;
                data.extend_from_slice(&chunk);
                use_short_id = false;
                if total.is_none() {
                    total = size_from_header(file, &data);
                    if total.is_some_and(|t| t > MAX_FILE_SIZE) {
                        return Err(EmrtdError::protocol(
                            "READ BINARY",
                            format!("{file} announces more than {MAX_FILE_SIZE} bytes"),
                        ));
                    }
                }
                finished = ended;
            }
            StatusMeaning::WrongLength => {
                if !strategy.shrink(le, cipher) {
                    return Err(EmrtdError::Chip {
                        command: "READ BINARY",
                        status: answer.status,
                    });
                }
            }
            StatusMeaning::WrongLe(exact) => {
                let exact = if exact == 0 {
                    SHORT_MAX
                } else {
                    usize::from(exact)
                };
                if exact >= le && !strategy.shrink(le, cipher) {
                    return Err(EmrtdError::Chip {
                        command: "READ BINARY",
                        status: answer.status,
                    });
                }
                if exact < le {
                    strategy.limit_to(exact, cipher);
                }
            }
            // Reading at or past the end.
            StatusMeaning::WrongParameters | StatusMeaning::IncorrectP1P2 if offset > 0 => {
                finished = true;
            }
            StatusMeaning::FileNotFound if use_short_id && offset == 0 => return Ok(None),
            StatusMeaning::FunctionNotSupported
            | StatusMeaning::CommandNotAllowed
            | StatusMeaning::IncorrectP1P2
                if use_short_id && offset == 0 =>
            {
                // No short EF ids on this chip: select the file instead.
                strategy.short_ef_ids = false;
                use_short_id = false;
                if !select(send, file)? {
                    return Ok(None);
                }
            }
            StatusMeaning::SecurityStatusNotSatisfied => {
                return Err(EmrtdError::FileAccessDenied { file });
            }
            _ => {
                return Err(EmrtdError::Chip {
                    command: "READ BINARY",
                    status: answer.status,
                });
            }
        }
        if data.len() == before {
            if finished {
                break;
            }
            fruitless += 1;
            if fruitless > 16 {
                return Err(EmrtdError::protocol(
                    "READ BINARY",
                    "the chip returns no data",
                ));
            }
        } else {
            fruitless = 0;
            progress(ReadProgress {
                file,
                read: data.len(),
                total,
            });
        }
        if data.len() > MAX_FILE_SIZE {
            return Err(EmrtdError::protocol(
                "READ BINARY",
                format!("{file} is too large"),
            ));
        }
    }
    if let Some(t) = total {
        if data.len() < t {
            return Err(EmrtdError::protocol(
                "READ BINARY",
                format!("{file} ended after {} of {t} bytes", data.len()),
            ));
        }
        data.truncate(t);
    }
    Ok(Some(data))
}

/// SELECT by file id: `false` when the file does not exist.
fn select(send: &mut Sender<'_>, file: FileId) -> Result<bool, EmrtdError> {
    let answer = send(&commands::select_ef(file.fid()), false)?;
    match answer.status.meaning() {
        StatusMeaning::Success => Ok(true),
        StatusMeaning::FileNotFound => Ok(false),
        StatusMeaning::SecurityStatusNotSatisfied => Err(EmrtdError::FileAccessDenied { file }),
        _ => Err(EmrtdError::Chip {
            command: "SELECT",
            status: answer.status,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_extended_length_information_in_ef_atr_info() {
        let info = hex::decode("4703F1F0C07F66080202FFFF02020800").unwrap();
        assert_eq!(
            parse_atr_info(&info),
            Some(ExtendedLengthInfo {
                max_command: 0xFFFF,
                max_response: 0x0800
            })
        );
        assert_eq!(parse_atr_info(&[0x47, 0x03, 1, 2]), None);
        assert_eq!(parse_atr_info(&[0xFF]), None);
    }

    #[test]
    fn short_reads_fit_the_secure_messaging_overhead() {
        let strategy = ReadStrategy::new(&ReadOptions::default(), true, None);
        assert!(!strategy.extended());
        assert_eq!(strategy.chunk(Some(Cipher::Tdes)), 0xE7);
        assert_eq!(strategy.chunk(Some(Cipher::Aes256)), 0xDF);
        let announced = ExtendedLengthInfo {
            max_command: 0x1000,
            max_response: 0x1000,
        };
        let strategy = ReadStrategy::new(&ReadOptions::default(), true, Some(announced));
        assert!(strategy.extended());
        assert!(strategy.chunk(Some(Cipher::Aes128)) > 0xF00);
        let strategy = ReadStrategy::new(&ReadOptions::default(), false, Some(announced));
        assert!(!strategy.extended());
    }
}
