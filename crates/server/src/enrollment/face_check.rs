//! The face decision behind a small trait, so the enrollment logic does not depend on
//! how faces are compared. The implementation over `alicem_face::FaceEngine` is wired
//! by the binary when the face pipeline is available; with none configured, a
//! face-path enrollment ends `needs_review` (an agent decides), never approved.

use alicem_api::enrollment::LivenessAction;

/// One selfie frame, as uploaded.
#[derive(Clone, Copy)]
pub struct TimedJpeg<'a> {
    pub jpeg: &'a [u8],
    /// Milliseconds since the first frame.
    pub timestamp_ms: u64,
}

impl std::fmt::Debug for TimedJpeg<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TimedJpeg({} bytes @ {} ms)",
            self.jpeg.len(),
            self.timestamp_ms
        )
    }
}

/// What the face pipeline concluded (no images, no templates: only the verdict).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceVerdict {
    /// Indices of frames unusable for quality reasons (no face, two faces, blur…).
    pub quality_failures: Vec<usize>,
    /// Every usable frame matches the chip photo.
    pub matched: bool,
    /// The distance of the worst frame (for the audit; lower is closer).
    pub distance: Option<f32>,
    /// Each scripted action seen, in order, by one face.
    pub liveness_passed: bool,
}

/// Why the face pipeline could not decide (not a rejection: the session goes to review).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("face check failed: {0}")]
pub struct FaceCheckError(pub String);

/// A face pipeline. Implementations must not keep the images they are given.
pub trait FaceCheck: Send + Sync {
    /// Compares the frames with the chip photo (`reference_image`: DG2's JPEG or
    /// JPEG 2000) and checks the liveness script. CPU-heavy: called off the async
    /// runtime.
    fn check(
        &self,
        reference_image: &[u8],
        frames: &[TimedJpeg<'_>],
        script: &[LivenessAction],
    ) -> Result<FaceVerdict, FaceCheckError>;
}
