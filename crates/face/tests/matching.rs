//! Same person ≤ threshold, different people > threshold, on the fetched photos and on
//! JPEG 2000 "passport" crops made from them; quality failures are named.

mod common;

use std::path::{Path, PathBuf};

use alicem_face::quality::{ImageRef, QualityIssue};
use alicem_face::{FaceConfig, RgbFrame};
use common::*;

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn photo(name: &str) -> Vec<u8> {
    read(&media(name).unwrap_or_else(|| panic!("{name} not fetched")))
}

fn distance(a: &[u8], b: &[u8]) -> f32 {
    engine()
        .compare(a, b, &FaceConfig::default())
        .expect("compare")
        .unwrap_or_else(|f| panic!("unusable image: {f}"))
}

const SAME: &[(&str, &str)] = &[
    ("fr_obama.jpg", "fr_obama2.jpg"),
    ("fr_obama.jpg", "fr_obama3.jpg"),
    ("fr_obama2.jpg", "fr_obama3.jpg"),
    ("clm_cage.jpg", "clm_cage2_crop.jpg"),
    ("clm_franck_01829.jpg", "clm_franck_04117.jpg"),
    ("clm_franck_02045.jpg", "clm_franck_03909.jpg"),
];

const DIFFERENT: &[(&str, &str)] = &[
    ("fr_obama.jpg", "fr_biden.jpg"),
    ("fr_obama2.jpg", "fr_biden.jpg"),
    ("clm_cage.jpg", "clm_franck_01829.jpg"),
    ("clm_SeanConnery.jpg", "clm_cage.jpg"),
    ("clm_SeanConnery.jpg", "fr_biden.jpg"),
    ("clm_franck_01829.jpg", "fr_obama.jpg"),
    ("clm_franck_02045.jpg", "clm_SeanConnery.jpg"),
];

#[test]
fn the_same_person_is_within_the_threshold() {
    for (a, b) in SAME {
        let d = distance(&photo(a), &photo(b));
        eprintln!("{a} / {b}: {d:.4}");
        assert!(d <= 0.6, "{a} and {b} are the same person but at {d}");
    }
}

#[test]
fn different_people_are_beyond_the_threshold() {
    for (a, b) in DIFFERENT {
        let d = distance(&photo(a), &photo(b));
        eprintln!("{a} / {b}: {d:.4}");
        assert!(d > 0.6, "{a} and {b} are different people but at {d}");
    }
}

/// A passport-like crop (head and shoulders, about 2× the face box) encoded as JPEG
/// 2000 by ffmpeg's encoder, as a JP2 file or a bare J2K codestream.
fn passport_crop(name: &str, ext: &str) -> Vec<u8> {
    let img = RgbFrame::decode(&photo(name)).expect("decode");
    let det = engine().detect(&img, 40.0).expect("detect");
    let face = det.first().expect("a face");
    let (cx, cy) = ((face.x1 + face.x2) / 2.0, (face.y1 + face.y2) / 2.0);
    let side = face.width().max(face.height()) * 1.8;
    let x0 = (cx - side / 2.0).max(0.0) as usize;
    let y0 = (cy - side * 0.55).max(0.0) as usize;
    let crop = img.crop(x0, y0, side as usize, (side * 1.25) as usize);
    let dir = tempfile::tempdir().expect("tempdir");
    let png: PathBuf = dir.path().join("crop.png");
    image::RgbImage::from_raw(
        crop.width() as u32,
        crop.height() as u32,
        crop.as_raw().to_vec(),
    )
    .expect("buffer")
    .save(&png)
    .expect("png");
    let out = dir.path().join(format!("crop.{ext}"));
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(&png)
        .args(["-c:v", "jpeg2000", "-pix_fmt", "rgb24", "-format", ext])
        .arg(&out)
        .status()
        .expect("ffmpeg");
    assert!(status.success(), "ffmpeg could not encode JPEG 2000");
    read(&out)
}

#[test]
fn jpeg2000_passport_crops_match_their_holder_and_no_one_else() {
    let obama_jp2 = passport_crop("fr_obama.jpg", "jp2");
    assert_eq!(
        &obama_jp2[..8],
        &[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20],
        "a JP2 file"
    );
    let biden_j2k = passport_crop("fr_biden.jpg", "j2k");
    assert_eq!(
        &biden_j2k[..4],
        &[0xFF, 0x4F, 0xFF, 0x51],
        "a J2K codestream"
    );
    let franck_jp2 = passport_crop("clm_franck_01829.jpg", "jp2");

    for (reference, probe, same) in [
        (&obama_jp2, photo("fr_obama2.jpg"), true),
        (&obama_jp2, photo("fr_obama3.jpg"), true),
        (&obama_jp2, photo("fr_biden.jpg"), false),
        (&biden_j2k, photo("fr_biden.jpg"), true),
        (&biden_j2k, photo("fr_obama2.jpg"), false),
        (&franck_jp2, photo("clm_franck_04117.jpg"), true),
        (&franck_jp2, photo("fr_obama.jpg"), false),
    ] {
        let d = distance(reference, &probe);
        eprintln!("passport crop: {d:.4} (same: {same})");
        assert_eq!(d <= 0.6, same, "distance {d}");
    }
}

#[test]
fn an_image_without_a_face_is_named_as_unusable() {
    let outcome = engine()
        .compare(
            &photo("fr_obama.jpg"),
            &photo("clm_skullmask.jpg"),
            &FaceConfig::default(),
        )
        .expect("compare");
    let failure = outcome.expect_err("a skull mask is not a usable face");
    assert_eq!(failure.image, ImageRef::Frame(0));
    assert!(matches!(failure.issue, QualityIssue::NoFace), "{failure}");
}

#[test]
fn a_photo_of_several_people_fails_the_quality_gate() {
    // skimage's astronaut is one person; face-api samples are not fetched, so build a
    // two-face image by putting two photos side by side.
    let a = RgbFrame::decode(&photo("fr_obama.jpg")).expect("decode");
    let b = RgbFrame::decode(&photo("fr_biden.jpg")).expect("decode");
    let h = a.height().max(b.height());
    let mut both = image::RgbImage::new((a.width() + b.width()) as u32, h as u32);
    for (img, x0) in [(&a, 0usize), (&b, a.width())] {
        for y in 0..img.height() {
            for x in 0..img.width() {
                let p = img.get(x as i64, y as i64).expect("pixel");
                both.put_pixel((x0 + x) as u32, y as u32, image::Rgb(p));
            }
        }
    }
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(both)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .expect("jpeg");
    let failure = engine()
        .compare(&photo("fr_obama2.jpg"), &jpeg, &FaceConfig::default())
        .expect("compare")
        .expect_err("two faces");
    assert_eq!(failure.to_string(), "two faces in frame 0");
}
