//! dlib's ResNet face descriptor (`dlib_face_recognition_resnet_model_v1.dat`): reading
//! its DNN serialization (dlib/dnn/core.h, layers.h, input.h, loss.h) and converting it
//! to an ONNX graph that tract runs.
//!
//! dlib stores a network as nested layers, outermost first: each layer writes its
//! version, then its whole sub-network, then its own parameters. Tag, skip and add_prev
//! layers store no tag number, so the architecture (`anet_type` of dlib's Python
//! binding, face_recognition.cpp) is spelled out here and checked against the file.

use tract_onnx::pb;

use super::serialize::{DlibError, Reader};

/// One layer, input to output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Input,
    Con {
        filters: usize,
        size: usize,
        stride: usize,
    },
    Affine,
    Relu,
    MaxPool {
        size: usize,
        stride: usize,
    },
    AvgPool {
        size: usize,
        stride: usize,
    },
    AvgPoolAll,
    Fc {
        outputs: usize,
    },
    Tag(u8),
    Skip(u8),
    AddPrev(u8),
}

impl Kind {
    fn is_add_layer(self) -> bool {
        !matches!(self, Kind::Input | Kind::Tag(_) | Kind::Skip(_))
    }
}

/// `block<N, affine, stride>`: con(stride), affine, relu, con(1), affine.
fn block(out: &mut Vec<Kind>, n: usize, stride: usize) {
    out.extend([
        Kind::Con {
            filters: n,
            size: 3,
            stride,
        },
        Kind::Affine,
        Kind::Relu,
        Kind::Con {
            filters: n,
            size: 3,
            stride: 1,
        },
        Kind::Affine,
    ]);
}

/// `ares<N>`: relu(add_prev1(block(tag1(x)))).
fn ares(out: &mut Vec<Kind>, n: usize) {
    out.push(Kind::Tag(1));
    block(out, n, 1);
    out.extend([Kind::AddPrev(1), Kind::Relu]);
}

/// `ares_down<N>`: relu(add_prev2(avg_pool(skip1(tag2(block_s2(tag1(x))))))).
fn ares_down(out: &mut Vec<Kind>, n: usize) {
    out.push(Kind::Tag(1));
    block(out, n, 2);
    out.extend([
        Kind::Tag(2),
        Kind::Skip(1),
        Kind::AvgPool { size: 2, stride: 2 },
        Kind::AddPrev(2),
        Kind::Relu,
    ]);
}

/// dlib's `anet_type`, input first (the loss layer excluded).
fn architecture() -> Vec<Kind> {
    let mut a = vec![
        Kind::Input,
        Kind::Con {
            filters: 32,
            size: 7,
            stride: 2,
        },
        Kind::Affine,
        Kind::Relu,
        Kind::MaxPool { size: 3, stride: 2 },
    ];
    for _ in 0..3 {
        ares(&mut a, 32);
    }
    ares_down(&mut a, 64);
    for _ in 0..3 {
        ares(&mut a, 64);
    }
    ares_down(&mut a, 128);
    for _ in 0..2 {
        ares(&mut a, 128);
    }
    ares_down(&mut a, 256);
    for _ in 0..2 {
        ares(&mut a, 256);
    }
    ares_down(&mut a, 256);
    a.extend([Kind::AvgPoolAll, Kind::Fc { outputs: 128 }]);
    a
}

/// A layer with its parameters.
#[derive(Debug, Clone)]
enum Layer {
    Con {
        filters: usize,
        channels: usize,
        size: usize,
        stride: usize,
        padding: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
    },
    Affine {
        gamma: Vec<f32>,
        beta: Vec<f32>,
    },
    Relu,
    MaxPool {
        size: usize,
        stride: usize,
    },
    AvgPool {
        size: usize,
        stride: usize,
    },
    AvgPoolAll,
    Fc {
        inputs: usize,
        outputs: usize,
        weights: Vec<f32>,
    },
    Tag(u8),
    Skip(u8),
    AddPrev(u8),
}

/// The network as read from the file.
pub struct Network {
    /// Per-channel means subtracted from the pixels (then divided by 256).
    pub mean: [f32; 3],
    pub size: usize,
    layers: Vec<Layer>,
}

struct Tensor {
    dims: [usize; 4],
    data: Vec<f32>,
}

fn tensor(r: &mut Reader<'_>) -> Result<Tensor, DlibError> {
    r.expect_version(&[2], "tensor")?;
    let mut dims = [0usize; 4];
    for d in &mut dims {
        *d = usize::try_from(r.int(8)?).map_err(|_| r.error("negative tensor size"))?;
    }
    let n = dims
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(*d))
        .ok_or_else(|| r.error("tensor size overflow"))?;
    let data = r.raw_f32s(n)?;
    Ok(Tensor { dims, data })
}

fn alias(r: &mut Reader<'_>) -> Result<[usize; 4], DlibError> {
    r.expect_version(&[1], "alias_tensor")?;
    let mut dims = [0usize; 4];
    for d in &mut dims {
        *d = usize::try_from(r.int(8)?).map_err(|_| r.error("negative alias size"))?;
    }
    Ok(dims)
}

fn count(dims: [usize; 4]) -> usize {
    dims.iter().product()
}

fn take_range(r: &Reader<'_>, data: &[f32], from: usize, n: usize) -> Result<Vec<f32>, DlibError> {
    data.get(from..from + n)
        .map(<[f32]>::to_vec)
        .ok_or_else(|| r.error("parameters shorter than their declared shapes"))
}

fn skip_learning_rates(r: &mut Reader<'_>) -> Result<(), DlibError> {
    for _ in 0..4 {
        r.f64()?;
    }
    Ok(())
}

fn pool_details(
    r: &mut Reader<'_>,
    name: &str,
    size: usize,
    stride: usize,
) -> Result<(), DlibError> {
    r.expect_string(&[name])?;
    let nr = r.int(8)?;
    let nc = r.int(8)?;
    let sy = r.int(4)?;
    let sx = r.int(4)?;
    let py = r.int(4)?;
    let px = r.int(4)?;
    let expected_pad = if stride != 1 { 0 } else { size as i64 / 2 };
    if nr != size as i64
        || nc != size as i64
        || sy != stride as i64
        || sx != stride as i64
        || py != expected_pad
        || px != expected_pad
    {
        return Err(r.error(format!("{name}: unexpected window {nr}x{nc} stride {sy}")));
    }
    Ok(())
}

fn details(r: &mut Reader<'_>, kind: Kind, channels: usize) -> Result<(Layer, usize), DlibError> {
    Ok(match kind {
        Kind::Con {
            filters,
            size,
            stride,
        } => {
            let version = r.expect_string(&["con_4", "con_5", "con_6"])?;
            let params = tensor(r)?;
            let num_filters = r.int(8)?;
            let nr = r.int(8)?;
            let nc = r.int(8)?;
            let sy = r.int(4)?;
            let sx = r.int(4)?;
            let py = r.int(4)?;
            let px = r.int(4)?;
            let fdims = alias(r)?;
            let bdims = alias(r)?;
            skip_learning_rates(r)?;
            let use_bias = if version != "con_4" { r.bool()? } else { true };
            if version == "con_6" {
                r.bool()?;
            }
            let padding = if stride != 1 { 0 } else { size / 2 };
            if num_filters != filters as i64
                || nr != size as i64
                || nc != size as i64
                || sy != stride as i64
                || sx != stride as i64
                || py != padding as i64
                || px != padding as i64
                || fdims != [filters, channels, size, size]
            {
                return Err(r.error(format!(
                    "convolution differs from the architecture: {num_filters} filters {nr}x{nc} stride {sy}, {fdims:?}"
                )));
            }
            let nw = count(fdims);
            let weights = take_range(r, &params.data, 0, nw)?;
            let bias = if use_bias && count(bdims) == filters {
                take_range(r, &params.data, nw, filters)?
            } else {
                vec![0.0; filters]
            };
            (
                Layer::Con {
                    filters,
                    channels,
                    size,
                    stride,
                    padding,
                    weights,
                    bias,
                },
                filters,
            )
        }
        Kind::Affine => {
            let version = r.expect_string(&["affine_", "affine_2"])?;
            let params = tensor(r)?;
            let g = alias(r)?;
            let b = alias(r)?;
            let mode = r.int(4)?;
            if version == "affine_2" {
                r.bool()?;
            }
            if mode != 0 || count(g) != channels || count(b) != channels {
                return Err(r.error("affine layer differs from the architecture"));
            }
            let gamma = take_range(r, &params.data, 0, channels)?;
            let beta = take_range(r, &params.data, channels, channels)?;
            (Layer::Affine { gamma, beta }, channels)
        }
        Kind::Relu => {
            if r.expect_string(&["relu_", "relu_2"])? == "relu_2" {
                r.bool()?;
            }
            (Layer::Relu, channels)
        }
        Kind::MaxPool { size, stride } => {
            pool_details(r, "max_pool_2", size, stride)?;
            (Layer::MaxPool { size, stride }, channels)
        }
        Kind::AvgPool { size, stride } => {
            pool_details(r, "avg_pool_2", size, stride)?;
            (Layer::AvgPool { size, stride }, channels)
        }
        Kind::AvgPoolAll => {
            pool_details(r, "avg_pool_2", 0, 1)?;
            (Layer::AvgPoolAll, channels)
        }
        Kind::Fc { outputs } => {
            let version = r.expect_string(&["fc_2", "fc_3"])?;
            let num_outputs = r.uint(8)?;
            let num_inputs = r.uint(8)?;
            let params = tensor(r)?;
            let w = alias(r)?;
            let _b = alias(r)?;
            let mode = r.int(4)?;
            skip_learning_rates(r)?;
            if version == "fc_3" {
                r.bool()?;
            }
            if num_outputs != outputs as u64
                || num_inputs != channels as u64
                || mode != 1
                || count(w) != channels * outputs
            {
                return Err(r.error("fully connected layer differs from the architecture"));
            }
            let weights = take_range(r, &params.data, 0, channels * outputs)?;
            let _ = params.dims;
            (
                Layer::Fc {
                    inputs: channels,
                    outputs,
                    weights,
                },
                outputs,
            )
        }
        Kind::AddPrev(t) => {
            r.expect_string(&["add_prev_"])?;
            (Layer::AddPrev(t), channels)
        }
        Kind::Tag(t) => (Layer::Tag(t), channels),
        Kind::Skip(t) => (Layer::Skip(t), channels),
        Kind::Input => return Err(r.error("input layer in the middle of the network")),
    })
}

/// The per-layer state dlib saves after the parameters (unused at inference).
fn layer_state(r: &mut Reader<'_>, with_params_grad: bool) -> Result<(), DlibError> {
    r.bool()?;
    r.bool()?;
    r.bool()?;
    tensor(r)?;
    tensor(r)?;
    if with_params_grad {
        tensor(r)?;
    }
    Ok(())
}

impl Network {
    /// Reads the network, checking it is dlib's face descriptor architecture.
    pub fn parse(bytes: &[u8]) -> Result<Self, DlibError> {
        let arch = architecture();
        let mut r = Reader::new(bytes);
        r.expect_version(&[1], "add_loss_layer")?;
        if r.expect_string(&["loss_metric_", "loss_metric_2"])? == "loss_metric_2" {
            r.f32()?;
            r.f32()?;
        }
        // Outer layers down to (not including) the convolution on the input.
        let middle = arch.get(2..).unwrap_or_default();
        let mut versions = Vec::with_capacity(middle.len());
        for kind in middle.iter().rev() {
            let v = if kind.is_add_layer() {
                r.expect_version(&[1, 2], "add_layer")?
            } else {
                r.expect_version(&[1], "tag/skip layer")?
            };
            versions.push(v);
        }
        versions.reverse();
        // The first convolution, with the input layer inside it.
        let v0 = r.expect_version(&[2, 3], "input add_layer")?;
        r.expect_string(&["input_rgb_image_sized"])?;
        let mean = [r.f32()?, r.f32()?, r.f32()?];
        let nr = r.uint(8)?;
        let nc = r.uint(8)?;
        if nr != nc || nr == 0 || nr > 1024 {
            return Err(r.error("input is not a square image"));
        }
        let first = arch.get(1).copied().unwrap_or(Kind::Relu);
        let (layer, mut channels) = details(&mut r, first, 3)?;
        let mut layers = vec![layer];
        layer_state(&mut r, true)?;
        if v0 == 3 {
            r.uint(4)?;
        }
        for (kind, version) in middle.iter().zip(&versions) {
            let (layer, c) = details(&mut r, *kind, channels)?;
            if kind.is_add_layer() {
                layer_state(&mut r, *version == 2)?;
            }
            if !matches!(kind, Kind::Skip(_) | Kind::Tag(_) | Kind::AddPrev(_)) {
                channels = c;
            }
            layers.push(layer);
        }
        if !r.is_at_end() {
            return Err(r.error("trailing bytes after the network"));
        }
        Ok(Self {
            mean,
            size: nr as usize,
            layers,
        })
    }

    /// The network as an ONNX graph: input `image` [1, 3, size, size] (already
    /// normalized: `(pixel − mean) / 256`), output `embedding` [1, 128]. Affine layers
    /// (frozen batch norms) are folded into the convolutions before them.
    pub fn to_onnx(&self) -> Result<pb::ModelProto, DlibError> {
        let mut g = Graph::default();
        let mut cur = "image".to_string();
        let mut shape = [3usize, self.size, self.size];
        let mut tags: Vec<(u8, String, [usize; 3])> = Vec::new();
        let mut i = 0;
        let err = |what: &str| DlibError {
            offset: 0,
            what: what.to_string(),
        };
        while let Some(layer) = self.layers.get(i) {
            match layer {
                Layer::Con {
                    filters,
                    channels,
                    size,
                    stride,
                    padding,
                    weights,
                    bias,
                } => {
                    let (mut w, mut b) = (weights.clone(), bias.clone());
                    if let Some(Layer::Affine { gamma, beta }) = self.layers.get(i + 1) {
                        let per = channels * size * size;
                        for (o, (gm, bt)) in gamma.iter().zip(beta).enumerate() {
                            for v in w.iter_mut().skip(o * per).take(per) {
                                *v *= gm;
                            }
                            if let Some(bo) = b.get_mut(o) {
                                *bo = *bo * gm + bt;
                            }
                        }
                        i += 1;
                    }
                    let wn = g.constant(&w, &[*filters, *channels, *size, *size]);
                    let bn = g.constant(&b, &[*filters]);
                    let p = *padding as i64;
                    cur = g.node(
                        "Conv",
                        &[&cur, &wn, &bn],
                        vec![
                            ints("kernel_shape", &[*size as i64, *size as i64]),
                            ints("strides", &[*stride as i64, *stride as i64]),
                            ints("pads", &[p, p, p, p]),
                        ],
                    );
                    let out = |n: usize| (n + 2 * padding).saturating_sub(*size) / stride + 1;
                    shape = [*filters, out(shape[1]), out(shape[2])];
                }
                Layer::Affine { gamma, beta } => {
                    let c = gamma.len();
                    let gn = g.constant(gamma, &[c, 1, 1]);
                    let bn = g.constant(beta, &[c, 1, 1]);
                    let m = g.node("Mul", &[&cur, &gn], vec![]);
                    cur = g.node("Add", &[&m, &bn], vec![]);
                }
                Layer::Relu => cur = g.node("Relu", &[&cur], vec![]),
                Layer::MaxPool { size, stride } | Layer::AvgPool { size, stride } => {
                    let op = if matches!(layer, Layer::MaxPool { .. }) {
                        "MaxPool"
                    } else {
                        "AveragePool"
                    };
                    cur = g.node(
                        op,
                        &[&cur],
                        vec![
                            ints("kernel_shape", &[*size as i64, *size as i64]),
                            ints("strides", &[*stride as i64, *stride as i64]),
                        ],
                    );
                    let out = |n: usize| n.saturating_sub(*size) / stride + 1;
                    shape = [shape[0], out(shape[1]), out(shape[2])];
                }
                Layer::AvgPoolAll => {
                    let p = g.node("GlobalAveragePool", &[&cur], vec![]);
                    cur = g.node("Flatten", &[&p], vec![]);
                    shape = [shape[0], 1, 1];
                }
                Layer::Fc {
                    inputs,
                    outputs,
                    weights,
                } => {
                    let wn = g.constant(weights, &[*inputs, *outputs]);
                    cur = g.node("MatMul", &[&cur, &wn], vec![]);
                    shape = [*outputs, 1, 1];
                }
                Layer::Tag(t) => {
                    tags.retain(|(id, _, _)| id != t);
                    tags.push((*t, cur.clone(), shape));
                }
                Layer::Skip(t) => {
                    let (_, name, s) = tags
                        .iter()
                        .find(|(id, _, _)| id == t)
                        .ok_or_else(|| err("skip to an unknown tag"))?;
                    cur = name.clone();
                    shape = *s;
                }
                Layer::AddPrev(t) => {
                    let (_, other, oshape) = tags
                        .iter()
                        .find(|(id, _, _)| id == t)
                        .cloned()
                        .ok_or_else(|| err("add_prev of an unknown tag"))?;
                    // dlib adds tensors of different sizes as if the smaller were
                    // zero-padded at the end of each dimension.
                    let target = [
                        shape[0].max(oshape[0]),
                        shape[1].max(oshape[1]),
                        shape[2].max(oshape[2]),
                    ];
                    let a = g.pad_to(&cur, shape, target);
                    let b = g.pad_to(&other, oshape, target);
                    cur = g.node("Add", &[&a, &b], vec![]);
                    shape = target;
                }
            }
            i += 1;
        }
        Ok(g.finish(&cur, self.size))
    }
}

fn ints(name: &str, v: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.to_string(),
        r#type: pb::attribute_proto::AttributeType::Ints as i32,
        ints: v.to_vec(),
        ..Default::default()
    }
}

#[derive(Default)]
struct Graph {
    nodes: Vec<pb::NodeProto>,
    initializers: Vec<pb::TensorProto>,
    counter: usize,
}

impl Graph {
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn constant(&mut self, data: &[f32], dims: &[usize]) -> String {
        let name = self.fresh("w");
        self.initializers.push(pb::TensorProto {
            name: name.clone(),
            dims: dims.iter().map(|d| *d as i64).collect(),
            data_type: pb::tensor_proto::DataType::Float as i32,
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        });
        name
    }

    fn constant_i64(&mut self, data: &[i64]) -> String {
        let name = self.fresh("c");
        self.initializers.push(pb::TensorProto {
            name: name.clone(),
            dims: vec![data.len() as i64],
            data_type: pb::tensor_proto::DataType::Int64 as i32,
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        });
        name
    }

    fn node(&mut self, op: &str, inputs: &[&str], attribute: Vec<pb::AttributeProto>) -> String {
        let out = self.fresh("t");
        self.nodes.push(pb::NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![out.clone()],
            name: out.clone(),
            op_type: op.to_string(),
            attribute,
            ..Default::default()
        });
        out
    }

    fn pad_to(&mut self, input: &str, from: [usize; 3], to: [usize; 3]) -> String {
        if from == to {
            return input.to_string();
        }
        let pads = [
            0,
            0,
            0,
            0,
            0,
            (to[0] - from[0]) as i64,
            (to[1] - from[1]) as i64,
            (to[2] - from[2]) as i64,
        ];
        let p = self.constant_i64(&pads);
        self.node("Pad", &[input, &p], vec![])
    }

    fn finish(mut self, output: &str, size: usize) -> pb::ModelProto {
        let renamed = self.node("Identity", &[output], vec![]);
        if let Some(last) = self.nodes.last_mut() {
            last.output = vec!["embedding".to_string()];
        }
        let _ = renamed;
        let dim = |v: i64| pb::tensor_shape_proto::Dimension {
            value: Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)),
            ..Default::default()
        };
        let value = |name: &str, dims: &[i64]| pb::ValueInfoProto {
            name: name.to_string(),
            r#type: Some(pb::TypeProto {
                value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                    elem_type: pb::tensor_proto::DataType::Float as i32,
                    shape: Some(pb::TensorShapeProto {
                        dim: dims.iter().map(|d| dim(*d)).collect(),
                    }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        };
        pb::ModelProto {
            ir_version: 7,
            opset_import: vec![pb::OperatorSetIdProto {
                domain: String::new(),
                version: 13,
            }],
            producer_name: "alicem-face dlib converter".into(),
            graph: Some(pb::GraphProto {
                name: "dlib_face_recognition_resnet_model_v1".into(),
                node: self.nodes,
                initializer: self.initializers,
                input: vec![value("image", &[1, 3, size as i64, size as i64])],
                output: vec![value("embedding", &[1, 128])],
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}
