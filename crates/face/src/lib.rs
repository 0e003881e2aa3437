//! Face matching and liveness for the face path of enrollment: is the person filming
//! themselves now the holder of the document, and are they live, following the
//! server's random script?
//!
//! Pure Rust at run time with published models: MTCNN (detection and five points),
//! dlib's 5-point shape predictor (alignment landmarks), dlib's ResNet descriptor
//! (128-D embedding, Euclidean distance, 0.6 threshold). Everything stays in memory;
//! pixels and descriptors are zeroized on drop.

pub mod chip;
pub mod dlib;
pub mod embedding;
pub mod engine;
mod error;
pub mod frame;
pub mod geometry;
pub mod jpeg;
pub mod liveness;
pub mod models;
pub mod mtcnn;
pub mod quality;

pub use embedding::Embedding;
pub use engine::{
    EnrollmentFaceReport, FaceConfig, FaceEngine, FaceObservation, StartBox, TimedFrame,
};
pub use error::FaceError;
pub use frame::RgbFrame;
pub use liveness::{LivenessAction, LivenessReport, StepReport};
pub use models::{FetchProgress, default_models_dir, fetch_models};
pub use quality::QualityFailure;
