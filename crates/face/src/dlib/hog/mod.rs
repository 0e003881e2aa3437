//! dlib's HOG frontal face detector (`get_frontal_face_detector()`), in Rust: an
//! `object_detector<scan_fhog_pyramid<pyramid_down<6>>>` with 5 linear filters
//! (frontal, left and right profile, and two rotations) on 31-plane FHOG features.
//!
//! Why: the 5-point shape predictor was trained from this detector's boxes, and dlib's
//! reference descriptors start from them. From any other box (MTCNN's), landmarks move
//! by a pixel or two and the descriptor by a few hundredths.
//!
//! The steps, each dlib's arithmetic to the bit (see the modules): for the Python
//! binding's `detector(img, n)`, `pyramid_up` n times ([`resize`]); a `pyramid_down<6>`
//! image pyramid down to 64 pixels, FHOG features of each level ([`fhog`]); each
//! filter's score image as a sum of separable rank-1 correlations ([`filter`], split
//! by SVD in [`model`]); every window at or above the filter's threshold mapped back
//! to image pixels ([`mapping`]); all filters' windows best first through dlib's
//! overlap suppression ([`overlap`]).

pub mod fhog;
pub mod filter;
pub mod mapping;
pub mod model;
pub mod overlap;
pub mod resize;
pub mod svd;

use serde::Serialize;

use crate::dlib::serialize::DlibError;
use crate::frame::RgbFrame;
use crate::geometry::Rect;
use filter::{Area, Plane, filter_separable};
use model::{FilterBank, HogModel};

/// The pyramid of the frontal face detector's C++ type, `pyramid_down<6>`.
const PYRAMID_N: u32 = 6;

/// One detected face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HogDetection {
    pub rect: Rect,
    /// Score above the filter's threshold (dlib's `detection_confidence`).
    pub confidence: f64,
    /// Which of the filters fired (0 = frontal).
    pub weight_index: usize,
}

/// The loaded detector.
pub struct FrontalFaceDetector {
    model: HogModel,
}

impl FrontalFaceDetector {
    /// Parses the file `dlib.get_frontal_face_detector().save(path)` writes.
    pub fn parse(bytes: &[u8]) -> Result<Self, DlibError> {
        HogModel::parse(bytes).map(|model| Self { model })
    }

    pub fn num_filters(&self) -> usize {
        self.model.banks.len()
    }

    /// The Python binding's `detector(img, upsample)` with `adjust_threshold` 0: the
    /// image upsampled `upsample` times by `pyramid_up`, detections mapped back.
    pub fn detect_upsampled(&self, img: &RgbFrame, upsample: u32) -> Vec<HogDetection> {
        if upsample == 0 {
            return self.detect(img, 0.0);
        }
        let mut up = resize::pyramid_up(img);
        for _ in 1..upsample {
            up = resize::pyramid_up(&up);
        }
        let mut dets = self.detect(&up, 0.0);
        for d in &mut dets {
            d.rect = mapping::rect_down_2(d.rect, upsample);
        }
        dets
    }

    /// `object_detector::operator()(img, dets, adjust_threshold)` on the image as it is.
    pub fn detect(&self, img: &RgbFrame, adjust_threshold: f64) -> Vec<HogDetection> {
        let m = &self.model;
        let pyramid = self.feature_pyramid(img);
        let (box_rows, box_cols) = m.box_cells();
        let mut all = Vec::new();
        let mut saliency = Plane {
            rows: 0,
            cols: 0,
            data: Vec::new(),
        };
        let mut scratch = Vec::new();
        for (i, bank) in m.banks.iter().enumerate() {
            let thresh = bank.threshold + adjust_threshold;
            let mut dets: Vec<(f64, Rect)> = Vec::new();
            for (level, feats) in pyramid.iter().enumerate() {
                let Some(area) = score(bank, feats, &mut saliency, &mut scratch) else {
                    continue;
                };
                for r in area.top..=area.bottom {
                    for c in area.left..=area.right {
                        let s = f64::from(
                            saliency
                                .data
                                .get(r * saliency.cols + c)
                                .copied()
                                .unwrap_or(f32::NEG_INFINITY),
                        );
                        if s >= thresh {
                            let window = mapping::centered_rect(
                                c as i64,
                                r as i64,
                                box_cols as i64,
                                box_rows as i64,
                            );
                            let rect = mapping::fhog_to_image(
                                window,
                                m.cell_size as i64,
                                m.filter_rows as i64,
                                m.filter_cols as i64,
                            );
                            dets.push((s, mapping::rect_up(rect, PYRAMID_N, level as u32)));
                        }
                    }
                }
            }
            dets.sort_by(|a, b| b.0.total_cmp(&a.0));
            all.extend(dets.into_iter().map(|(s, rect)| HogDetection {
                rect,
                confidence: s - bank.threshold,
                weight_index: i,
            }));
        }
        if m.banks.len() > 1 {
            all.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        }
        overlap::suppress(all, |d| d.rect, m.iou_thresh, m.percent_covered_thresh)
    }

    /// `create_fhog_pyramid`: how many levels (until a level would be under the minimum
    /// size), then FHOG of the image and of each `pyramid_down<6>` of it.
    fn feature_pyramid(&self, img: &RgbFrame) -> Vec<Vec<Plane>> {
        let m = &self.model;
        if img.width() == 0 || img.height() == 0 {
            return Vec::new();
        }
        let mut rect = Rect {
            left: 0,
            top: 0,
            right: img.width() as i64 - 1,
            bottom: img.height() as i64 - 1,
        };
        let mut levels = 0usize;
        loop {
            rect = mapping::rect_down(rect, PYRAMID_N);
            levels += 1;
            let big = rect.width() >= m.min_pyramid_layer_width as i64
                && rect.height() >= m.min_pyramid_layer_height as i64;
            if !big || levels >= m.max_pyramid_levels {
                break;
            }
        }
        let mut out = Vec::with_capacity(levels);
        let mut level: Option<RgbFrame> = None;
        for l in 0..levels {
            if l > 0 {
                let next = resize::pyramid_down(level.as_ref().unwrap_or(img), PYRAMID_N as usize);
                level = Some(next);
            }
            let src = level.as_ref().unwrap_or(img);
            if src.width() == 0 || src.height() == 0 {
                break;
            }
            let hog = fhog::extract(src, m.cell_size, m.filter_rows, m.filter_cols);
            let (rows, cols) = (hog.rows, hog.cols);
            out.push(
                hog.planes
                    .into_iter()
                    .map(|data| Plane { rows, cols, data })
                    .collect(),
            );
        }
        out
    }
}

/// `apply_filters_to_fhog` (separable branch): the sum over planes and rank-1 terms;
/// `None` when nothing could be scored (empty level or filter bank).
///
/// dlib switches to plain 2-D filters when a bank has more rank-1 terms than
/// `planes·min(rows, cols)/3`; the frontal face detector's banks have 54–66 against
/// 103, so that branch is not needed here and not implemented: such banks are
/// still scored, through their separable terms (equal up to float rounding).
fn score(
    bank: &FilterBank,
    feats: &[Plane],
    saliency: &mut Plane,
    scratch: &mut Vec<f32>,
) -> Option<Area> {
    let mut area = None;
    let mut first = true;
    for (plane, terms) in feats.iter().zip(&bank.terms) {
        for (row, col) in terms {
            area = filter_separable(plane, row, col, scratch, saliency, !first);
            first = false;
        }
    }
    area
}
