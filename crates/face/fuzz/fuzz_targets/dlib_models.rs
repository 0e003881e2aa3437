//! dlib model parsers (shape predictor, ResNet, HOG face detector) never panic on a
//! corrupt file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = alicem_face::dlib::shape_predictor::ShapePredictor::parse(data);
    if let Ok(net) = alicem_face::dlib::resnet::Network::parse(data) {
        let _ = net.to_onnx();
    }
    if let Ok(detector) = alicem_face::dlib::hog::FrontalFaceDetector::parse(data) {
        // A parsed detector must also run: on a small image, without panicking.
        let img = alicem_face::RgbFrame::black(72, 72);
        let _ = detector.detect(&img, 0.0);
    }
});
