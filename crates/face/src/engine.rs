//! The face engine: models loaded once, then per image detect → landmarks → chip →
//! descriptor, the quality gate, the comparison with the reference, and the liveness
//! script, put together into the face-path input of an enrollment decision.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::FaceError;
use crate::chip::face_chip;
use crate::dlib::hog::{FrontalFaceDetector, HogDetection};
use crate::dlib::resnet::Network;
use crate::dlib::shape_predictor::ShapePredictor;
use crate::embedding::{Embedder, Embedding};
use crate::frame::RgbFrame;
use crate::geometry::{Point, Rect};
use crate::liveness::{self, FrameInput, LivenessAction, LivenessConfig, LivenessReport, Signals};
use crate::models::{self, model_file};
use crate::mtcnn::{Detection, Mtcnn, MtcnnParams};
use crate::quality::{ImageRef, QualityConfig, QualityFailure, QualityIssue};

/// A selfie frame as uploaded: JPEG bytes and when it was taken.
#[derive(Debug, Clone, Copy)]
pub struct TimedFrame<'a> {
    pub jpeg: &'a [u8],
    pub timestamp_ms: u64,
}

/// Settings of the face path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceConfig {
    /// Largest descriptor distance for "same person" (dlib's operating point: 0.6).
    pub match_threshold: f32,
    /// Smallest face MTCNN looks for, in pixels.
    pub min_face_size: f64,
    pub quality: QualityConfig,
    pub liveness: LivenessConfig,
}

impl Default for FaceConfig {
    fn default() -> Self {
        Self {
            match_threshold: 0.6,
            min_face_size: 40.0,
            quality: QualityConfig::default(),
            liveness: LivenessConfig::default(),
        }
    }
}

/// The face-path evidence of one enrollment. Numbers only: no pixels, no descriptors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrollmentFaceReport {
    pub quality_failures: Vec<QualityFailure>,
    /// Worst (largest) distance of the usable frames to the reference.
    pub distance: Option<f32>,
    pub threshold: f32,
    /// Every usable frame within the threshold (and at least one usable frame).
    pub matched: bool,
    pub usable_frames: Vec<usize>,
    pub liveness: LivenessReport,
}

/// One face found in an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceObservation {
    pub detection: Detection,
    /// dlib's 5 points (eye corners and nose base), integer pixels.
    pub landmarks5: [(i64, i64); 5],
    pub signals: Signals,
    pub eye_distance_px: f64,
}

/// Everything measured on one image (the descriptor only when exactly one face).
pub struct ImageAnalysis {
    pub width: usize,
    pub height: usize,
    pub faces: Vec<FaceObservation>,
    pub embedding: Option<Embedding>,
    /// Mean brightness and sharpness of the single face's chip.
    pub chip_brightness: Option<f64>,
    pub chip_sharpness: Option<f64>,
}

/// The models, loaded once; shareable between threads.
pub struct FaceEngine {
    mtcnn: Mtcnn,
    hog: FrontalFaceDetector,
    shape: ShapePredictor,
    embedder: Embedder,
}

/// How the shape predictor's start box is found for each MTCNN face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartBox {
    /// dlib's HOG detector as dlib's references ran it (`detector(img, upsample)`):
    /// the HOG box overlapping the MTCNN face, else [`dlib_box_from_points`].
    Hog { upsample: u32 },
    /// [`dlib_box_from_points`] only (no HOG pass).
    FromPoints,
}

/// The smallest intersection over union for a HOG box to be taken as the same face as
/// an MTCNN detection (the box derived from its points); same-face pairs measure
/// 0.7–0.95 on the references, neighbouring faces do not overlap.
pub const HOG_MATCH_IOU: f64 = 0.4;

/// The largest reference image (in pixels) the enrollment decision runs the HOG
/// detector on (upsampled once, as dlib's references: about 1 µs of CPU per pixel,
/// so ≤ 0.2 s here). Larger ones, and the selfie frames, start from MTCNN's points.
pub const REFERENCE_HOG_MAX_PIXELS: usize = 200_000;

/// The start-box policy of the enrollment decision: an ICAO-sized reference (e.g.
/// 413×531) through the HOG detector, exactly as dlib; the selfie frames from MTCNN's
/// points (a HOG pass per 640×480 frame, 310 ms upsampled, would break the 1 s budget
/// ten times over; HOG at native scale, 80 ms, lands no nearer to dlib). See
/// docs/face.md for the measurements.
pub fn enrollment_start_box(image: ImageRef, width: usize, height: usize) -> StartBox {
    match image {
        ImageRef::Reference if width * height <= REFERENCE_HOG_MAX_PIXELS => {
            StartBox::Hog { upsample: 1 }
        }
        _ => StartBox::FromPoints,
    }
}

fn iou(a: &Rect, b: &Rect) -> f64 {
    let w = (a.right.min(b.right) - a.left.max(b.left) + 1).max(0);
    let h = (a.bottom.min(b.bottom) - a.top.max(b.top) + 1).max(0);
    let inter = (w * h) as f64;
    let union = (a.width() * a.height() + b.width() * b.height()) as f64 - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// The HOG box best overlapping `derived` (at least [`HOG_MATCH_IOU`]).
pub fn matching_hog_box(derived: &Rect, hog: &[HogDetection]) -> Option<Rect> {
    hog.iter()
        .map(|h| (iou(derived, &h.rect), h.rect))
        .filter(|(o, _)| *o >= HOG_MATCH_IOU)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r)
}

/// The chip dlib's descriptor expects: 150×150, padding 0.25.
pub const CHIP_SIZE: usize = 150;
pub const CHIP_PADDING: f64 = 0.25;

/// A dlib-detector-like box from MTCNN's points, so the shape predictor starts where
/// it was trained to. Coefficients fitted (least squares) on the shared dlib
/// references: centre = eye midpoint + 0.4517·(mouth midpoint − eye midpoint)
/// − 0.0094·(eye vector); side = 0.812·|eye vector| + 1.355·|eyes→mouth|.
pub fn dlib_box_from_points(p: &[Point; 5]) -> Rect {
    let [le, re, _, ml, mr] = *p;
    let em = le.midpoint(re);
    let mm = ml.midpoint(mr);
    let (ev, dv) = ((re.x - le.x, re.y - le.y), (mm.x - em.x, mm.y - em.y));
    let cx = em.x + 0.4517 * dv.0 - 0.0094 * ev.0;
    let cy = em.y + 0.4517 * dv.1 - 0.0094 * ev.1;
    let side = 0.812 * ev.0.hypot(ev.1) + 1.355 * dv.0.hypot(dv.1);
    Rect {
        left: (cx - side / 2.0).round() as i64,
        top: (cy - side / 2.0).round() as i64,
        right: (cx + side / 2.0).round() as i64,
        bottom: (cy + side / 2.0).round() as i64,
    }
}

impl FaceEngine {
    /// Loads the models from `dir` (error naming the missing file if not fetched).
    pub fn load(dir: &Path) -> Result<Self, FaceError> {
        let file = |name: &str| {
            model_file(name)
                .ok_or_else(|| FaceError::ModelCorrupt(format!("unknown model {name}")))
                .and_then(|f| models::read_verified(dir, f))
        };
        let mtcnn = Mtcnn::load(
            &file(models::PNET)?,
            &file(models::RNET)?,
            &file(models::ONET)?,
        )?;
        let shape = ShapePredictor::parse(&file(models::SHAPE_PREDICTOR)?)
            .map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
        if shape.num_parts() != 5 {
            return Err(FaceError::ModelCorrupt(
                "shape predictor is not 5-point".into(),
            ));
        }
        let hog = FrontalFaceDetector::parse(&file(models::HOG_DETECTOR)?)
            .map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
        let dat = file(models::RESNET)?;
        let network = Network::parse(&dat).map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
        let embedder = Embedder::from_dlib(&network)?;
        Ok(Self {
            mtcnn,
            hog,
            shape,
            embedder,
        })
    }

    /// `$ALICEM_MODELS` or the user cache directory.
    pub fn default_models_dir() -> PathBuf {
        models::default_models_dir()
    }

    /// MTCNN detections, best first.
    pub fn detect(&self, img: &RgbFrame, min_face_size: f64) -> Result<Vec<Detection>, FaceError> {
        let params = MtcnnParams {
            min_face_size,
            ..MtcnnParams::default()
        };
        self.mtcnn.detect(img, &params)
    }

    /// dlib's HOG frontal face detector, as `dlib.get_frontal_face_detector()(img,
    /// upsample)`: the same rectangles.
    pub fn hog_faces(&self, img: &RgbFrame, upsample: u32) -> Vec<HogDetection> {
        self.hog.detect_upsampled(img, upsample)
    }

    /// dlib's 5 points inside a box.
    pub fn landmarks(&self, img: &RgbFrame, rect: Rect) -> [(i64, i64); 5] {
        let pts = self.shape.predict(img, rect);
        let mut out = [(0, 0); 5];
        for (o, p) in out.iter_mut().zip(pts) {
            *o = p;
        }
        out
    }

    /// The descriptor of the face with these dlib landmarks.
    pub fn embed(
        &self,
        img: &RgbFrame,
        landmarks: &[(i64, i64); 5],
    ) -> Result<Embedding, FaceError> {
        self.embedder
            .embed(&face_chip(img, landmarks, CHIP_SIZE, CHIP_PADDING))
    }

    /// The descriptor of an already aligned 150×150 chip.
    pub fn embed_chip(&self, chip: &RgbFrame) -> Result<Embedding, FaceError> {
        self.embedder.embed(chip)
    }

    /// Detects every face, and for a single face computes its descriptor; landmarks
    /// start from dlib's own HOG box (`detector(img, 1)`, as dlib's references).
    pub fn analyze(&self, img: &RgbFrame, min_face_size: f64) -> Result<ImageAnalysis, FaceError> {
        self.analyze_with(img, min_face_size, StartBox::Hog { upsample: 1 })
    }

    /// [`Self::analyze`] with a choice of start box.
    pub fn analyze_with(
        &self,
        img: &RgbFrame,
        min_face_size: f64,
        start: StartBox,
    ) -> Result<ImageAnalysis, FaceError> {
        let detections = self.detect(img, min_face_size)?;
        let hog = match start {
            StartBox::Hog { upsample } if !detections.is_empty() => {
                self.hog.detect_upsampled(img, upsample)
            }
            _ => Vec::new(),
        };
        let faces: Vec<FaceObservation> = detections
            .into_iter()
            .map(|d| {
                let derived = dlib_box_from_points(&d.points);
                let start = matching_hog_box(&derived, &hog).unwrap_or(derived);
                let landmarks5 = self.landmarks(img, start);
                FaceObservation {
                    signals: Signals::from_points(&d.points),
                    eye_distance_px: d.points[0].distance(d.points[1]),
                    landmarks5,
                    detection: d,
                }
            })
            .collect();
        let mut analysis = ImageAnalysis {
            width: img.width(),
            height: img.height(),
            faces,
            embedding: None,
            chip_brightness: None,
            chip_sharpness: None,
        };
        if let [face] = analysis.faces.as_slice() {
            let chip = face_chip(img, &face.landmarks5, CHIP_SIZE, CHIP_PADDING);
            // The inner face (no padding) for brightness and sharpness.
            let inner = CHIP_SIZE / 5;
            let (b, s) = chip.brightness_and_sharpness(
                inner,
                inner,
                CHIP_SIZE - 2 * inner,
                CHIP_SIZE - 2 * inner,
            );
            analysis.chip_brightness = Some(b);
            analysis.chip_sharpness = Some(s);
            analysis.embedding = Some(self.embedder.embed(&chip)?);
        }
        Ok(analysis)
    }

    /// The quality gate for one analysed image.
    pub fn quality(
        analysis: &ImageAnalysis,
        image: ImageRef,
        config: &QualityConfig,
    ) -> Option<QualityFailure> {
        let fail = |issue| Some(QualityFailure { image, issue });
        let face = match analysis.faces.as_slice() {
            [] => return fail(QualityIssue::NoFace),
            [face] => face,
            many => return fail(QualityIssue::SeveralFaces { count: many.len() }),
        };
        if face.eye_distance_px < config.min_eye_distance_px {
            return fail(QualityIssue::TooSmall {
                eye_distance_px: face.eye_distance_px,
                minimum_px: config.min_eye_distance_px,
            });
        }
        let d = &face.detection;
        let margin = config.max_border_overflow * d.width().max(d.height());
        if d.x1 < -margin
            || d.y1 < -margin
            || d.x2 > analysis.width as f64 + margin
            || d.y2 > analysis.height as f64 + margin
        {
            return fail(QualityIssue::CutByBorder);
        }
        if let Some(b) = analysis.chip_brightness
            && b < config.min_brightness
        {
            return fail(QualityIssue::TooDark {
                brightness: b,
                minimum: config.min_brightness,
            });
        }
        if let Some(s) = analysis.chip_sharpness
            && s < config.min_sharpness
        {
            return fail(QualityIssue::TooBlurred {
                sharpness: s,
                minimum: config.min_sharpness,
            });
        }
        if image == ImageRef::Reference && face.signals.yaw.abs() > config.max_reference_yaw {
            return fail(QualityIssue::NotFrontal {
                yaw: face.signals.yaw,
                maximum: config.max_reference_yaw,
            });
        }
        None
    }

    /// Compares two encoded images: `Ok(Err(failure))` when one is unusable.
    pub fn compare(
        &self,
        reference: &[u8],
        probe: &[u8],
        config: &FaceConfig,
    ) -> Result<Result<f32, QualityFailure>, FaceError> {
        let analyse = |bytes: &[u8],
                       which: ImageRef|
         -> Result<Result<Embedding, QualityFailure>, FaceError> {
            let img = match RgbFrame::decode(bytes) {
                Ok(img) => img,
                Err(_) => {
                    return Ok(Err(QualityFailure {
                        image: which,
                        issue: QualityIssue::Undecodable,
                    }));
                }
            };
            let a = self.analyze(&img, config.min_face_size)?;
            if let Some(f) = Self::quality(&a, which, &config.quality) {
                return Ok(Err(f));
            }
            Ok(a.embedding.ok_or(QualityFailure {
                image: which,
                issue: QualityIssue::NoFace,
            }))
        };
        let r = match analyse(reference, ImageRef::Reference)? {
            Ok(e) => e,
            Err(f) => return Ok(Err(f)),
        };
        let p = match analyse(probe, ImageRef::Frame(0))? {
            Ok(e) => e,
            Err(f) => return Ok(Err(f)),
        };
        Ok(Ok(r.distance(&p)))
    }

    /// The liveness checker over decoded frames (for `alicem face liveness`).
    pub fn check_liveness(
        &self,
        frames: &[(RgbFrame, u64)],
        script: &[LivenessAction],
        config: &FaceConfig,
    ) -> Result<(LivenessReport, Vec<QualityFailure>), FaceError> {
        let mut analyses = Vec::with_capacity(frames.len());
        let mut failures = Vec::new();
        for (i, (img, _)) in frames.iter().enumerate() {
            // Frames as the enrollment decision treats them (see `enrollment_start_box`).
            let start = enrollment_start_box(ImageRef::Frame(i), img.width(), img.height());
            let a = self.analyze_with(img, config.min_face_size, start)?;
            if let Some(f) = Self::quality(&a, ImageRef::Frame(i), &config.quality) {
                failures.push(f);
            }
            analyses.push(a);
        }
        let inputs: Vec<FrameInput<'_>> = analyses
            .iter()
            .zip(frames)
            .map(|(a, (_, t))| FrameInput {
                timestamp_ms: *t,
                faces: a.faces.len(),
                signals: a.faces.first().map(|f| f.signals),
                embedding: a.embedding.as_ref(),
            })
            .collect();
        Ok((
            liveness::check_script(&inputs, script, &config.liveness),
            failures,
        ))
    }

    /// The whole face-path decision input for one enrollment.
    pub fn check_enrollment(
        &self,
        reference_image: &[u8],
        frames: &[TimedFrame<'_>],
        script: &[LivenessAction],
        config: &FaceConfig,
    ) -> Result<EnrollmentFaceReport, FaceError> {
        let reference = RgbFrame::decode(reference_image)
            .map_err(|e| FaceError::Image(format!("reference image: {e}")))?;
        let start =
            enrollment_start_box(ImageRef::Reference, reference.width(), reference.height());
        let ref_analysis = self.analyze_with(&reference, config.min_face_size.min(40.0), start)?;
        drop(reference);
        let mut failures = Vec::new();
        let ref_failure = Self::quality(&ref_analysis, ImageRef::Reference, &config.quality);
        let ref_ok = ref_failure.is_none();
        failures.extend(ref_failure);
        let mut analyses = Vec::with_capacity(frames.len());
        let mut usable = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            let img = RgbFrame::decode(f.jpeg)
                .map_err(|e| FaceError::Image(format!("frame {i}: {e}")))?;
            let start = enrollment_start_box(ImageRef::Frame(i), img.width(), img.height());
            let a = self.analyze_with(&img, config.min_face_size, start)?;
            drop(img);
            match Self::quality(&a, ImageRef::Frame(i), &config.quality) {
                Some(q) => failures.push(q),
                None => usable.push(i),
            }
            analyses.push(a);
        }
        let mut distance: Option<f32> = None;
        if let Some(r) = ref_analysis.embedding.as_ref().filter(|_| ref_ok) {
            for i in &usable {
                if let Some(e) = analyses.get(*i).and_then(|a| a.embedding.as_ref()) {
                    let d = r.distance(e);
                    distance = Some(distance.map_or(d, |m: f32| m.max(d)));
                }
            }
        }
        let matched =
            ref_ok && !usable.is_empty() && distance.is_some_and(|d| d <= config.match_threshold);
        let inputs: Vec<FrameInput<'_>> = analyses
            .iter()
            .zip(frames)
            .map(|(a, f)| FrameInput {
                timestamp_ms: f.timestamp_ms,
                faces: a.faces.len(),
                signals: a.faces.first().map(|f| f.signals),
                embedding: a.embedding.as_ref(),
            })
            .collect();
        let liveness = liveness::check_script(&inputs, script, &config.liveness);
        Ok(EnrollmentFaceReport {
            quality_failures: failures,
            distance: distance.map(|d| (d * 10_000.0).round() / 10_000.0),
            threshold: config.match_threshold,
            matched,
            usable_frames: usable,
            liveness,
        })
    }
}
