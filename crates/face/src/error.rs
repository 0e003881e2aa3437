//! Errors of the face pipeline. They never carry pixels or descriptors.

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("face model file {file} is missing from {dir}: run `alicem models fetch`")]
    ModelMissing { file: String, dir: String },
    #[error("face model is corrupt: {0}")]
    ModelCorrupt(String),
    #[error("could not fetch the face models: {0}")]
    Fetch(String),
    #[error("image could not be decoded: {0}")]
    Image(String),
    #[error("face network failed: {0}")]
    Inference(String),
    #[error("{0}")]
    Input(String),
}
