//! The 128-D face descriptor: dlib's ResNet run by tract on a 150×150 chip, and the
//! Euclidean distance between two descriptors.

use serde::Serialize;
use tract_onnx::prelude::*;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::FaceError;
use crate::dlib::resnet::Network;
use crate::frame::RgbFrame;

/// A face descriptor. Biometric: zeroized on drop, never serialized or printed.
#[derive(Clone, PartialEq, Zeroize, ZeroizeOnDrop)]
pub struct Embedding(Vec<f32>);

impl core::fmt::Debug for Embedding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Embedding({} values)", self.0.len())
    }
}

impl Embedding {
    pub fn from_values(values: Vec<f32>) -> Self {
        Self(values)
    }
    pub fn values(&self) -> &[f32] {
        &self.0
    }
    /// Euclidean distance (dlib's metric; same person below 0.6).
    pub fn distance(&self, other: &Embedding) -> f32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }
}

/// Marker so the report type can say which distance it holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distance(pub f32);

type Plan = Arc<TypedRunnableModel>;

/// The descriptor network, optimized once, shared between threads.
pub struct Embedder {
    plan: Plan,
    mean: [f32; 3],
    size: usize,
}

impl Embedder {
    /// Builds the network from dlib's `.dat` model.
    pub fn from_dlib(network: &Network) -> Result<Self, FaceError> {
        let proto = network
            .to_onnx()
            .map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
        Self::from_onnx(&proto, network.mean, network.size)
    }

    /// Builds the network from its ONNX conversion.
    pub fn from_onnx(
        proto: &tract_onnx::pb::ModelProto,
        mean: [f32; 3],
        size: usize,
    ) -> Result<Self, FaceError> {
        let corrupt =
            |e: TractError| FaceError::ModelCorrupt(format!("face descriptor network: {e}"));
        let plan = tract_onnx::onnx()
            .model_for_proto_model(proto)
            .map_err(corrupt)?
            .with_input_fact(0, f32::fact([1, 3, size, size]).into())
            .map_err(corrupt)?
            .into_optimized()
            .map_err(corrupt)?
            .into_runnable()
            .map_err(corrupt)?;
        Ok(Self { plan, mean, size })
    }

    pub fn chip_size(&self) -> usize {
        self.size
    }

    /// The descriptor of an aligned chip (as `get_face_chip` cuts it).
    pub fn embed(&self, chip: &RgbFrame) -> Result<Embedding, FaceError> {
        let n = self.size;
        if chip.width() != n || chip.height() != n {
            return Err(FaceError::Image(format!("face chip must be {n}x{n}")));
        }
        let mut input = vec![0f32; 3 * n * n];
        for (i, px) in chip.as_raw().chunks_exact(3).enumerate() {
            for (ch, (&value, &mean)) in px.iter().zip(self.mean.iter()).enumerate() {
                if let Some(v) = input.get_mut(ch * n * n + i) {
                    *v = (f32::from(value) - mean) / 256.0;
                }
            }
        }
        let mut tensor = Tensor::from_shape(&[1, 3, n, n], &input)
            .map_err(|e| FaceError::Inference(e.to_string()))?;
        input.zeroize();
        let out = self
            .plan
            .run(tvec!(tensor.clone().into()))
            .map_err(|e| FaceError::Inference(e.to_string()))?;
        tensor.as_bytes_mut().zeroize();
        let values = out
            .first()
            .and_then(|t| {
                t.try_as_plain_ram()
                    .ok()?
                    .as_slice::<f32>()
                    .ok()
                    .map(<[f32]>::to_vec)
            })
            .ok_or_else(|| FaceError::Inference("no descriptor output".into()))?;
        Ok(Embedding(values))
    }
}
