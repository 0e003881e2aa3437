//! Prints the liveness signals (yaw, pitch, smile) and face count of every JPEG frame
//! in a folder, one line per frame: a tool to inspect videos and pick test segments.
//! Usage: cargo run --release -p alicem-face --example signals -- DIR [STEP]

use alicem_face::{FaceConfig, FaceEngine, RgbFrame, fetch_models};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: signals DIR [STEP]")?;
    let step: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let models = FaceEngine::default_models_dir();
    fetch_models(&models, &|p| eprintln!("models: {p:?}"))?;
    let engine = FaceEngine::load(&models)?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    let config = FaceConfig::default();
    let mut first: Option<alicem_face::Embedding> = None;
    for (i, f) in files.iter().enumerate().step_by(step.max(1)) {
        let img = RgbFrame::decode(&std::fs::read(f)?)?;
        let a = engine.analyze(&img, config.min_face_size)?;
        let d = match (&first, &a.embedding) {
            (Some(f), Some(e)) => f.distance(e),
            _ => f32::NAN,
        };
        if first.is_none() {
            first = a.embedding.clone();
        }
        match a.faces.first() {
            Some(face) => println!(
                "{i} faces={} yaw={:.3} pitch={:.3} smile={:.3} eye={:.0} dist0={d:.3}",
                a.faces.len(),
                face.signals.yaw,
                face.signals.pitch,
                face.signals.smile,
                face.eye_distance_px
            ),
            None => println!("{i} faces=0"),
        }
    }
    Ok(())
}
