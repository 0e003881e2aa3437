//! The quality gate: an image is usable when it shows exactly one face, large
//! enough, inside the frame, lit and sharp enough, and (for the reference) frontal.

use core::fmt;

use serde::Serialize;

/// Which image a failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "image", content = "index")]
pub enum ImageRef {
    /// The document's photo (DG2).
    Reference,
    /// A selfie frame, by its 0-based index in the upload.
    Frame(usize),
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Reference => f.write_str("the reference image"),
            ImageRef::Frame(i) => write!(f, "frame {i}"),
        }
    }
}

/// What is wrong with the image (numbers only: the evidence for the decision log).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum QualityIssue {
    Undecodable,
    NoFace,
    SeveralFaces {
        count: usize,
    },
    TooSmall {
        eye_distance_px: f64,
        minimum_px: f64,
    },
    CutByBorder,
    TooDark {
        brightness: f64,
        minimum: f64,
    },
    TooBlurred {
        sharpness: f64,
        minimum: f64,
    },
    NotFrontal {
        yaw: f64,
        maximum: f64,
    },
}

/// One failed image and why; `Display` gives a sentence ("two faces in frame 3").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityFailure {
    #[serde(flatten)]
    pub image: ImageRef,
    #[serde(flatten)]
    pub issue: QualityIssue,
}

fn count_word(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

impl fmt::Display for QualityFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let img = &self.image;
        match &self.issue {
            QualityIssue::Undecodable => write!(f, "{img} could not be decoded"),
            QualityIssue::NoFace => write!(f, "no face in {img}"),
            QualityIssue::SeveralFaces { count } => {
                write!(f, "{} faces in {img}", count_word(*count))
            }
            QualityIssue::TooSmall {
                eye_distance_px,
                minimum_px,
            } => write!(
                f,
                "face too small in {img} ({eye_distance_px:.0} px between the eyes, at least {minimum_px:.0} needed)"
            ),
            QualityIssue::CutByBorder => write!(f, "face cut by the border in {img}"),
            QualityIssue::TooDark {
                brightness,
                minimum,
            } => write!(
                f,
                "face too dark in {img} (brightness {brightness:.0}, at least {minimum:.0} needed)"
            ),
            QualityIssue::TooBlurred { sharpness, minimum } => write!(
                f,
                "face too blurred in {img} (sharpness {sharpness:.0}, at least {minimum:.0} needed)"
            ),
            QualityIssue::NotFrontal { yaw, maximum } => write!(
                f,
                "face not frontal in {img} (yaw {yaw:.2}, at most {maximum:.2} allowed)"
            ),
        }
    }
}

/// Thresholds of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct QualityConfig {
    /// Minimum distance between the eye centres, in pixels.
    pub min_eye_distance_px: f64,
    /// How far (fraction of the face box) the box may extend past the image border.
    pub max_border_overflow: f64,
    /// Minimum mean brightness (0–255) of the aligned face chip.
    pub min_brightness: f64,
    /// Minimum variance of the Laplacian of the aligned face chip.
    pub min_sharpness: f64,
    /// Maximum |yaw| (nose offset from the eye midpoint / eye distance) of the reference.
    pub max_reference_yaw: f64,
}

impl Default for QualityConfig {
    fn default() -> Self {
        Self {
            min_eye_distance_px: 20.0,
            max_border_overflow: 0.1,
            min_brightness: 40.0,
            min_sharpness: 10.0,
            max_reference_yaw: 0.3,
        }
    }
}
