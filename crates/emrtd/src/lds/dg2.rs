//! DG2 (Doc 9303-10 §4.7.2): the encoded face, a CBEFF biometric information group
//! template (ISO/IEC 7816-11) whose biometric data blocks are either ISO/IEC 19794-5
//! facial records (tag 5F2E) or ISO/IEC 39794-5 face image data blocks (tag 7F2E).
//!
//! Biometric data: the image bytes are zeroized on drop and never shown by `Debug`.

use core::fmt;

use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::tlv::{self, Tlv, TlvError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg2Error {
    #[error("DG2: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG2: ISO/IEC 19794-5 record: {0}")]
    Iso19794(&'static str),
    #[error("DG2: ISO/IEC 39794-5 block: {0}")]
    Iso39794(&'static str),
    #[error("DG2 holds no face image")]
    NoFace,
}

/// How the image bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Zeroize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    Jpeg,
    /// A JP2 file (boxes around the codestream).
    Jpeg2000,
    /// A bare JPEG 2000 codestream (J2K).
    Jpeg2000Codestream,
    Png,
    Unknown,
}

impl ImageFormat {
    /// Recognises an image by its first bytes (the declared type is often wrong).
    pub fn sniff(data: &[u8]) -> Self {
        match data {
            [0xFF, 0xD8, ..] => ImageFormat::Jpeg,
            [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, ..] => ImageFormat::Jpeg2000,
            [0xFF, 0x4F, 0xFF, 0x51, ..] => ImageFormat::Jpeg2000Codestream,
            [0x89, b'P', b'N', b'G', ..] => ImageFormat::Png,
            _ => ImageFormat::Unknown,
        }
    }
}

/// Which standard encoded the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Zeroize)]
#[serde(rename_all = "snake_case")]
pub enum FaceEncoding {
    Iso19794_5,
    Iso39794_5,
}

/// One face image with the metadata the record gives.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FaceImage {
    pub encoding: FaceEncoding,
    /// The format found in the bytes themselves.
    pub format: ImageFormat,
    /// Width and height in pixels as declared by the record (0 if absent).
    pub width: u16,
    pub height: u16,
    /// 19794-5 face image type (0 basic, 1 full frontal, 2 token frontal) when known.
    pub image_type: Option<u8>,
    /// 19794-5 gender code (0 unspecified, 1 male, 2 female, 3 unknown) when known.
    pub gender: Option<u8>,
    /// Number of feature points declared.
    pub feature_points: u16,
    /// The encoded image (JPEG, JP2, J2K…).
    pub data: Vec<u8>,
}

impl fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaceImage")
            .field("encoding", &self.encoding)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// The CBEFF biometric header template (A1) fields that matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BiometricHeader {
    pub biometric_type: Option<u32>,
    pub format_owner: Option<u16>,
    pub format_type: Option<u16>,
}

/// DG2: every face found, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg2 {
    pub faces: Vec<FaceImage>,
    pub headers: Vec<BiometricHeader>,
}

fn be(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

fn header(template: &Tlv<'_>) -> Result<BiometricHeader, Dg2Error> {
    let mut out = BiometricHeader::default();
    if let Some(bht) = template.find(0xA1)? {
        for item in bht.children() {
            let item = item?;
            match item.tag {
                0x81 => out.biometric_type = Some(be(item.value)),
                0x87 => out.format_owner = Some(be(item.value) as u16),
                0x88 => out.format_type = Some(be(item.value) as u16),
                _ => {}
            }
        }
    }
    Ok(out)
}

impl Dg2 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg2Error> {
        let dg = tlv::parse_one(bytes, 0x75)?;
        let group = dg.require(0x7F61)?;
        let mut faces = Vec::new();
        let mut headers = Vec::new();
        for item in group.children() {
            let item = item?;
            if item.tag != 0x7F60 {
                continue;
            }
            headers.push(header(&item)?);
            for block in item.children() {
                let block = block?;
                match block.tag {
                    0x5F2E => faces.extend(parse_19794_5(block.value)?),
                    0x7F2E => faces.extend(parse_39794_5(block.value)?),
                    _ => {}
                }
            }
        }
        if faces.is_empty() {
            return Err(Dg2Error::NoFace);
        }
        Ok(Self { faces, headers })
    }

    /// Encodes one face as an ISO/IEC 19794-5 (2005) record in DG2, as most documents do.
    pub fn encode_19794_5(face: &FaceImage) -> Vec<u8> {
        let data_type = match face.format {
            ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Codestream => 1u8,
            _ => 0u8,
        };
        let block_len = 20 + 12 + face.data.len();
        let mut record = Vec::with_capacity(14 + block_len);
        record.extend_from_slice(b"FAC\x00010\x00");
        record.extend_from_slice(&((14 + block_len) as u32).to_be_bytes());
        record.extend_from_slice(&1u16.to_be_bytes());
        // Facial record header.
        record.extend_from_slice(&(block_len as u32).to_be_bytes());
        record.extend_from_slice(&0u16.to_be_bytes()); // feature points
        record.push(face.gender.unwrap_or(0));
        record.extend_from_slice(&[0, 0]); // eye, hair colour
        record.extend_from_slice(&[0, 0, 0]); // feature mask
        record.extend_from_slice(&[0, 0]); // expression
        record.extend_from_slice(&[0; 6]); // pose angles and uncertainty
        // Image information.
        record.push(face.image_type.unwrap_or(1));
        record.push(data_type);
        record.extend_from_slice(&face.width.to_be_bytes());
        record.extend_from_slice(&face.height.to_be_bytes());
        record.push(1); // colour space: 24-bit RGB
        record.push(2); // source type: digital still camera
        record.extend_from_slice(&[0, 0, 0, 0]); // device type, quality
        record.extend_from_slice(&face.data);

        let mut bht = tlv::encode(0x80, &[0x01, 0x01]);
        bht.extend(tlv::encode(0x81, &[0x02]));
        bht.extend(tlv::encode(0x82, &[0x00]));
        bht.extend(tlv::encode(0x87, &[0x01, 0x01]));
        bht.extend(tlv::encode(0x88, &[0x00, 0x08]));
        let mut bit = tlv::encode(0xA1, &bht);
        bit.extend(tlv::encode(0x5F2E, &record));
        let mut group = tlv::encode(0x02, &[1]);
        group.extend(tlv::encode(0x7F60, &bit));
        tlv::encode(0x75, &tlv::encode(0x7F61, &group))
    }
}

/// Reads a big-endian number of `N` bytes at `at`.
fn read<const N: usize>(data: &[u8], at: usize, what: &'static str) -> Result<u32, Dg2Error> {
    let bytes = data.get(at..at + N).ok_or(Dg2Error::Iso19794(what))?;
    Ok(be(bytes))
}

/// ISO/IEC 19794-5: "FAC\0", version, record length, number of faces, then one facial
/// record data block per face.
fn parse_19794_5(data: &[u8]) -> Result<Vec<FaceImage>, Dg2Error> {
    if data.get(..4) != Some(b"FAC\0") {
        return Err(Dg2Error::Iso19794("missing FAC format identifier"));
    }
    let count = read::<2>(data, 12, "number of faces")?;
    let mut at = 14usize;
    let mut faces = Vec::new();
    for _ in 0..count {
        let block_len = read::<4>(data, at, "facial record length")? as usize;
        let block_end = at
            .checked_add(block_len)
            .filter(|end| *end <= data.len())
            .ok_or(Dg2Error::Iso19794("facial record longer than the data"))?;
        let feature_points = read::<2>(data, at + 4, "feature points")? as u16;
        let gender = read::<1>(data, at + 6, "gender")? as u8;
        let info = at + 20 + 8 * usize::from(feature_points);
        let image_type = read::<1>(data, info, "face image type")? as u8;
        let width = read::<2>(data, info + 2, "image width")? as u16;
        let height = read::<2>(data, info + 4, "image height")? as u16;
        let image_start = info + 12;
        let image = data
            .get(image_start..block_end)
            .ok_or(Dg2Error::Iso19794("facial record shorter than its header"))?;
        faces.push(FaceImage {
            encoding: FaceEncoding::Iso19794_5,
            format: ImageFormat::sniff(image),
            width,
            height,
            image_type: Some(image_type),
            gender: Some(gender),
            feature_points,
            data: image.to_vec(),
        });
        at = block_end;
    }
    Ok(faces)
}

fn child<'a>(t: &Tlv<'a>, tag: u32, what: &'static str) -> Result<Tlv<'a>, Dg2Error> {
    t.find(tag)?.ok_or(Dg2Error::Iso39794(what))
}

fn integer(t: &Tlv<'_>) -> u16 {
    be(t.value) as u16
}

/// ISO/IEC 39794-5: `[APPLICATION 5] FaceImageDataBlock { versionBlock [0],
/// representationBlocks [1] SEQUENCE OF RepresentationBlock }`, each representation's
/// image at `imageRepresentation [1] / base [0] / imageRepresentation2DBlock [0] /
/// representationData2D [0]`, its size at `imageInformation2DBlock [1] /
/// imageSizeBlock [7]`.
fn parse_39794_5(data: &[u8]) -> Result<Vec<FaceImage>, Dg2Error> {
    let block = tlv::parse_one(data, 0x65)?;
    let representations = child(&block, 0xA1, "missing representationBlocks")?;
    let mut faces = Vec::new();
    for rep in representations.children() {
        let rep = rep?;
        let image_rep = child(&rep, 0xA1, "missing imageRepresentation")?;
        let Some(base) = image_rep.find(0xA0)? else {
            continue; // an extension we do not know
        };
        let block_2d = child(&base, 0xA0, "missing imageRepresentation2DBlock")?;
        let image = child(&block_2d, 0x80, "missing representationData2D")?;
        let (mut width, mut height) = (0, 0);
        if let Some(info) = block_2d.find(0xA1)?
            && let Some(size) = info.find(0xA7)?
        {
            width = size.find(0x80)?.map_or(0, |t| integer(&t));
            height = size.find(0x81)?.map_or(0, |t| integer(&t));
        }
        faces.push(FaceImage {
            encoding: FaceEncoding::Iso39794_5,
            format: ImageFormat::sniff(image.value),
            width,
            height,
            image_type: None,
            gender: None,
            feature_points: 0,
            data: image.value.to_vec(),
        });
    }
    Ok(faces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_jpeg2000_face_of_the_dutch_specimen() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG2_0102.bin");
        let dg2 = Dg2::parse(&bytes).unwrap();
        assert_eq!(dg2.faces.len(), 1);
        let face = &dg2.faces[0];
        assert_eq!(face.format, ImageFormat::Jpeg2000);
        assert_eq!((face.width, face.height), (449, 598));
        assert_eq!(dg2.headers[0].format_type, Some(0x0008));
        assert!(!format!("{face:?}").contains("106, 80"));
    }

    #[test]
    fn round_trips_a_19794_record() {
        let face = FaceImage {
            encoding: FaceEncoding::Iso19794_5,
            format: ImageFormat::Jpeg,
            width: 2,
            height: 3,
            image_type: Some(1),
            gender: Some(2),
            feature_points: 0,
            data: vec![0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9],
        };
        let dg2 = Dg2::parse(&Dg2::encode_19794_5(&face)).unwrap();
        assert_eq!(dg2.faces, vec![face]);
    }

    #[test]
    fn reads_a_39794_5_face_image_data_block() {
        let jpeg = [0xFF, 0xD8, 9, 9, 0xFF, 0xD9];
        let size = [
            tlv::encode(0x80, &[0x01, 0xE0]),
            tlv::encode(0x81, &[0x02, 0x80]),
        ]
        .concat();
        let info = [
            tlv::encode(0xA0, &tlv::encode(0x80, &[2])),
            tlv::encode(0xA7, &size),
        ]
        .concat();
        let block_2d = [tlv::encode(0x80, &jpeg), tlv::encode(0xA1, &info)].concat();
        let image_rep = tlv::encode(0xA0, &tlv::encode(0xA0, &block_2d));
        let rep = [tlv::encode(0x80, &[0]), tlv::encode(0xA1, &image_rep)].concat();
        let version = [tlv::encode(0x80, &[3]), tlv::encode(0x81, &[0x07, 0xE3])].concat();
        let fidb = [
            tlv::encode(0xA0, &version),
            tlv::encode(0xA1, &tlv::encode(0x30, &rep)),
        ]
        .concat();
        let bdb = tlv::encode(0x65, &fidb);
        let bit = [
            tlv::encode(0xA1, &tlv::encode(0x81, &[0x02])),
            tlv::encode(0x7F2E, &bdb),
        ]
        .concat();
        let group = [tlv::encode(0x02, &[1]), tlv::encode(0x7F60, &bit)].concat();
        let dg2 = tlv::encode(0x75, &tlv::encode(0x7F61, &group));
        let parsed = Dg2::parse(&dg2).unwrap();
        let face = &parsed.faces[0];
        assert_eq!(face.encoding, FaceEncoding::Iso39794_5);
        assert_eq!(face.format, ImageFormat::Jpeg);
        assert_eq!((face.width, face.height), (480, 640));
        assert_eq!(face.data, jpeg);
    }

    #[test]
    fn rejects_truncated_dg2_without_panicking() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG2_0102.bin");
        for len in [0, 1, 4, 10, 30, 60, 100, 1000, bytes.len() - 1] {
            assert!(Dg2::parse(&bytes[..len]).is_err(), "{len}");
        }
    }
}
