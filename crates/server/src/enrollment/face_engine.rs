//! The face decision over the real face pipeline: `alicem_face::FaceEngine` behind
//! the [`FaceCheck`] seam. The enrollment logic sees only the verdict; the engine
//! (models loaded once, shared) is installed by whoever starts the server.

use std::sync::Arc;

use super::face_check::{FaceCheck, FaceCheckError, FaceVerdict, TimedJpeg};
use alicem_api::enrollment::LivenessAction;
use alicem_face::quality::ImageRef;
use alicem_face::{FaceConfig, FaceEngine, TimedFrame};

pub struct EngineFaceCheck {
    engine: Arc<FaceEngine>,
    config: FaceConfig,
}

impl EngineFaceCheck {
    pub fn new(engine: Arc<FaceEngine>, config: FaceConfig) -> Self {
        Self { engine, config }
    }
}

fn action(action: LivenessAction) -> alicem_face::LivenessAction {
    match action {
        LivenessAction::TurnLeft => alicem_face::LivenessAction::TurnLeft,
        LivenessAction::TurnRight => alicem_face::LivenessAction::TurnRight,
        LivenessAction::Smile => alicem_face::LivenessAction::Smile,
        LivenessAction::Nod => alicem_face::LivenessAction::Nod,
    }
}

impl FaceCheck for EngineFaceCheck {
    fn check(
        &self,
        reference_image: &[u8],
        frames: &[TimedJpeg<'_>],
        script: &[LivenessAction],
    ) -> Result<FaceVerdict, FaceCheckError> {
        let frames: Vec<TimedFrame<'_>> = frames
            .iter()
            .map(|f| TimedFrame {
                jpeg: f.jpeg,
                timestamp_ms: f.timestamp_ms,
            })
            .collect();
        let script: Vec<alicem_face::LivenessAction> = script.iter().copied().map(action).collect();
        let report = self
            .engine
            .check_enrollment(reference_image, &frames, &script, &self.config)
            .map_err(|e| FaceCheckError(e.to_string()))?;
        let reference_unusable = report
            .quality_failures
            .iter()
            .any(|f| matches!(f.image, ImageRef::Reference));
        tracing::info!(
            distance = ?report.distance,
            threshold = report.threshold,
            matched = report.matched,
            liveness = report.liveness.passed,
            failures = report.quality_failures.len(),
            "face check"
        );
        Ok(FaceVerdict {
            quality_failures: report
                .quality_failures
                .iter()
                .filter_map(|f| match f.image {
                    ImageRef::Frame(i) => Some(i),
                    ImageRef::Reference => None,
                })
                .collect(),
            matched: report.matched && !reference_unusable,
            distance: report.distance,
            liveness_passed: report.liveness.passed,
        })
    }
}
