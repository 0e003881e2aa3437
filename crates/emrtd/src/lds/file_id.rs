//! The elementary files of the LDS (Doc 9303-10 §3.6, §4.6): their file identifiers,
//! short EF identifiers, outer tags and the names files are saved under.

use core::fmt;
use core::str::FromStr;

/// An elementary file of the eMRTD application (or, for EF.CardAccess / EF.CardSecurity /
/// EF.DIR, of the master file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileId {
    /// EF.COM: LDS version and the list of data groups present.
    Com,
    /// EF.SOD: the document security object (Passive Authentication).
    Sod,
    /// DG1 to DG16.
    Dg(DataGroup),
    /// EF.CardAccess (master file): PACE parameters.
    CardAccess,
    /// EF.CardSecurity (master file): signed SecurityInfos, PACE-CAM key.
    CardSecurity,
    /// EF.DIR (master file): applications on the chip.
    Dir,
}

/// A data group number, 1 to 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataGroup(u8);

impl DataGroup {
    pub const DG1: Self = Self(1);
    pub const DG2: Self = Self(2);
    pub const DG3: Self = Self(3);
    pub const DG7: Self = Self(7);
    pub const DG11: Self = Self(11);
    pub const DG12: Self = Self(12);
    pub const DG14: Self = Self(14);
    pub const DG15: Self = Self(15);

    pub fn new(number: u8) -> Option<Self> {
        (1..=16).contains(&number).then_some(Self(number))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The outer tag of the data group's template (DG1 = 0x61, DG2 = 0x75, …).
    pub fn tag(self) -> u8 {
        const TAGS: [u8; 16] = [
            0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E,
            0x6F, 0x70,
        ];
        TAGS.get(usize::from(self.0 - 1)).copied().unwrap_or(0)
    }

    /// The data group whose template has this tag (as listed in EF.COM).
    pub fn from_tag(tag: u8) -> Option<Self> {
        (1..=16).map(Self).find(|dg| dg.tag() == tag)
    }
}

impl fmt::Display for DataGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DG{}", self.0)
    }
}

impl FileId {
    /// Every file a reader looks for, in reading order.
    pub fn all() -> impl Iterator<Item = FileId> {
        [
            FileId::CardAccess,
            FileId::CardSecurity,
            FileId::Dir,
            FileId::Com,
            FileId::Sod,
        ]
        .into_iter()
        .chain((1..=16).map(|n| FileId::Dg(DataGroup(n))))
    }

    /// True for files of the master file, readable before selecting the eMRTD application.
    pub fn in_master_file(self) -> bool {
        matches!(
            self,
            FileId::CardAccess | FileId::CardSecurity | FileId::Dir
        )
    }

    /// The 2-byte file identifier used by SELECT.
    pub fn fid(self) -> u16 {
        match self {
            FileId::Com => 0x011E,
            FileId::Sod => 0x011D,
            FileId::Dg(dg) => 0x0100 | u16::from(dg.0),
            FileId::CardAccess => 0x011C,
            FileId::CardSecurity => 0x011D,
            FileId::Dir => 0x2F00,
        }
    }

    /// The short EF identifier used by READ BINARY with P1 bit 8 set.
    pub fn short_id(self) -> Option<u8> {
        match self {
            FileId::Com => Some(0x1E),
            FileId::Sod => Some(0x1D),
            FileId::Dg(dg) => Some(dg.0),
            FileId::CardAccess => Some(0x1C),
            FileId::CardSecurity => Some(0x1D),
            FileId::Dir => Some(0x1E),
        }
    }

    /// The file's outer tag (EF.CardAccess and EF.CardSecurity have none of their own:
    /// they start with a SET or a ContentInfo SEQUENCE).
    pub fn tag(self) -> Option<u8> {
        match self {
            FileId::Com => Some(0x60),
            FileId::Sod => Some(0x77),
            FileId::Dg(dg) => Some(dg.tag()),
            FileId::CardAccess | FileId::CardSecurity | FileId::Dir => None,
        }
    }

    /// The name a read file is saved under, without extension: `EF_COM`, `DG1`, …
    pub fn name(self) -> String {
        match self {
            FileId::Com => "EF_COM".into(),
            FileId::Sod => "EF_SOD".into(),
            FileId::Dg(dg) => format!("DG{}", dg.0),
            FileId::CardAccess => "EF_CardAccess".into(),
            FileId::CardSecurity => "EF_CardSecurity".into(),
            FileId::Dir => "EF_DIR".into(),
        }
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileId::Com => f.write_str("EF.COM"),
            FileId::Sod => f.write_str("EF.SOD"),
            FileId::Dg(dg) => write!(f, "{dg}"),
            FileId::CardAccess => f.write_str("EF.CardAccess"),
            FileId::CardSecurity => f.write_str("EF.CardSecurity"),
            FileId::Dir => f.write_str("EF.DIR"),
        }
    }
}

/// Not a known file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown LDS file name {0:?} (expected EF_COM, EF_SOD, DG1..DG16, EF_CardAccess, EF_CardSecurity)"
)]
pub struct UnknownFileName(pub String);

impl FromStr for FileId {
    type Err = UnknownFileName;

    /// Accepts the saved names (`EF_COM`, `DG2`, `EF_CardAccess`), with or without a
    /// `.bin` extension, and the dotted forms (`EF.COM`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_suffix(".bin").unwrap_or(s).replace('.', "_");
        let upper = bare.to_ascii_uppercase();
        let found = match upper.as_str() {
            "EF_COM" | "COM" => Some(FileId::Com),
            "EF_SOD" | "SOD" => Some(FileId::Sod),
            "EF_CARDACCESS" | "CARDACCESS" => Some(FileId::CardAccess),
            "EF_CARDSECURITY" | "CARDSECURITY" => Some(FileId::CardSecurity),
            "EF_DIR" | "DIR" => Some(FileId::Dir),
            other => other
                .strip_prefix("DG")
                .or_else(|| other.strip_prefix("EF_DG"))
                .and_then(|n| n.parse::<u8>().ok())
                .and_then(DataGroup::new)
                .map(FileId::Dg),
        };
        found.ok_or_else(|| UnknownFileName(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for file in FileId::all() {
            assert_eq!(file.name().parse::<FileId>().unwrap(), file);
            assert_eq!(
                format!("{}.bin", file.name()).parse::<FileId>().unwrap(),
                file
            );
        }
        assert_eq!(
            "dg14".parse::<FileId>().unwrap(),
            FileId::Dg(DataGroup::DG14)
        );
        assert!("DG17".parse::<FileId>().is_err());
        assert!("DG0".parse::<FileId>().is_err());
    }

    #[test]
    fn data_group_tags_match_doc_9303_10() {
        assert_eq!(DataGroup::DG1.tag(), 0x61);
        assert_eq!(DataGroup::DG2.tag(), 0x75);
        assert_eq!(DataGroup::DG14.tag(), 0x6E);
        assert_eq!(DataGroup::DG15.tag(), 0x6F);
        assert_eq!(DataGroup::from_tag(0x6B), Some(DataGroup::DG11));
        assert_eq!(FileId::Dg(DataGroup::DG15).fid(), 0x010F);
    }
}
