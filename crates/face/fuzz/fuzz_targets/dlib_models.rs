//! dlib model parsers (shape predictor, ResNet) never panic on a corrupt file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = alicem_face::dlib::shape_predictor::ShapePredictor::parse(data);
    if let Ok(net) = alicem_face::dlib::resnet::Network::parse(data) {
        let _ = net.to_onnx();
    }
});
