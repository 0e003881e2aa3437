//! Reading dlib's own model files: its serialization format, the 5-point shape
//! predictor (a cascade of regression forests) and the ResNet face descriptor network.

pub mod resnet;
pub mod serialize;
pub mod shape_predictor;
