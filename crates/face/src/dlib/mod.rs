//! Reading dlib's own model files: its serialization format, the 5-point shape
//! predictor (a cascade of regression forests), the ResNet face descriptor network,
//! and the HOG frontal face detector whose boxes the shape predictor was trained on.

pub mod hog;
pub mod resnet;
pub mod serialize;
pub mod shape_predictor;
