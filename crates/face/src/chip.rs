//! The aligned face chip, cut exactly as dlib's `get_face_chip(img, shape5, size,
//! padding)` (dlib/image_transforms/interpolation.h): a similarity fit of the five
//! landmarks onto dlib's mean face, then — because bilinear sampling of a much larger
//! region would alias — dlib's `pyramid_down<2>` (5×5 binomial filter, drop every
//! other row and column) until the region is about the chip's size, then a bilinear
//! warp of that pyramid level.

use crate::frame::RgbFrame;
use crate::geometry::{Affine, Point, Rect};

/// dlib's mean positions of its 5 landmarks on a unit face.
const MEAN_FACE_5: [(f64, f64); 5] = [
    (0.8595674595992, 0.2134981538014),
    (0.6460604764104, 0.2289674387677),
    (0.1205750620789, 0.2137274526848),
    (0.3340850613712, 0.2290642403242),
    (0.4901123135679, 0.6277975316475),
];

/// A real-valued rectangle (dlib's `drectangle`: inclusive, width = r − l + 1).
#[derive(Debug, Clone, Copy, PartialEq)]
struct DRect {
    l: f64,
    t: f64,
    r: f64,
    b: f64,
}

impl DRect {
    const EMPTY: DRect = DRect {
        l: 0.0,
        t: 0.0,
        r: -1.0,
        b: -1.0,
    };
    fn is_empty(&self) -> bool {
        self.t > self.b || self.l > self.r
    }
    fn width(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.r - self.l + 1.0
        }
    }
    fn height(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.b - self.t + 1.0
        }
    }
    fn area(&self) -> f64 {
        self.width() * self.height()
    }
    fn center(&self) -> Point {
        Point::new((self.l + self.r) / 2.0, (self.t + self.b) / 2.0)
    }
    fn include(&self, p: Point) -> DRect {
        if self.is_empty() {
            DRect {
                l: p.x,
                t: p.y,
                r: p.x,
                b: p.y,
            }
        } else {
            DRect {
                l: self.l.min(p.x),
                t: self.t.min(p.y),
                r: self.r.max(p.x),
                b: self.b.max(p.y),
            }
        }
    }
    fn grow(&self, n: f64) -> DRect {
        DRect {
            l: self.l - n,
            t: self.t - n,
            r: self.r + n,
            b: self.b + n,
        }
    }
    fn intersect(&self, o: &DRect) -> DRect {
        DRect {
            l: self.l.max(o.l),
            t: self.t.max(o.t),
            r: self.r.min(o.r),
            b: self.b.min(o.b),
        }
    }
    fn translate(&self, dx: f64, dy: f64) -> DRect {
        DRect {
            l: self.l + dx,
            t: self.t + dy,
            r: self.r + dx,
            b: self.b + dy,
        }
    }
    /// `pyramid_down<2>::rect_down`.
    fn down(&self) -> DRect {
        let p = |x: f64, y: f64| (x / 2.0 - 1.25, y / 2.0 - 0.75);
        let (l, t) = p(self.l, self.t);
        let (r, b) = p(self.r, self.b);
        DRect { l, t, r, b }
    }
    fn to_rect(self) -> Rect {
        let round = |v: f64| v.round() as i64; // std::lround: half away from zero
        Rect {
            left: round(self.l),
            top: round(self.t),
            right: round(self.r),
            bottom: round(self.b),
        }
    }
    fn corners(&self) -> [Point; 4] {
        [
            Point::new(self.l, self.t),
            Point::new(self.r, self.t),
            Point::new(self.l, self.b),
            Point::new(self.r, self.b),
        ]
    }
}

fn rotate(center: Point, p: Point, angle: f64) -> Point {
    let (s, c) = angle.sin_cos();
    let (x, y) = (p.x - center.x, p.y - center.y);
    Point::new(c * x - s * y + center.x, s * x + c * y + center.y)
}

/// Where the chip lies in the image: dlib's `chip_details`.
#[derive(Debug, Clone, Copy)]
pub struct ChipDetails {
    rect: DRect,
    angle: f64,
    size: usize,
}

/// `get_face_chip_details(shape5, size, padding)`.
pub fn face_chip_details(landmarks: &[(i64, i64); 5], size: usize, padding: f64) -> ChipDetails {
    let s = size as f64;
    let from: Vec<Point> = MEAN_FACE_5
        .iter()
        .map(|(x, y)| {
            Point::new(
                (padding + x) / (2.0 * padding + 1.0) * s,
                (padding + y) / (2.0 * padding + 1.0) * s,
            )
        })
        .collect();
    let to: Vec<Point> = landmarks
        .iter()
        .map(|(x, y)| Point::new(*x as f64, *y as f64))
        .collect();
    let t = Affine::similarity(&from, &to);
    let (px, py) = (t.m[0][0], t.m[1][0]);
    let angle = py.atan2(px);
    let scale = (px * px + py * py).sqrt();
    let c = t.apply(Point::new(s / 2.0, s / 2.0));
    let (w, h) = (s * scale - 1.0, s * scale - 1.0);
    ChipDetails {
        rect: DRect {
            l: c.x - w / 2.0,
            t: c.y - h / 2.0,
            r: c.x + w / 2.0,
            b: c.y + h / 2.0,
        },
        angle,
        size,
    }
}

/// One `pyramid_down<2>` step of an RGB image (dlib's integer 1-4-6-4-1 filter).
pub fn pyramid_down(img: &RgbFrame) -> RgbFrame {
    let (w, h) = (img.width(), img.height());
    if w <= 8 || h <= 8 {
        return RgbFrame::black(0, 0);
    }
    let tw = (w - 3) / 2;
    let (ow, oh) = (tw, (h - 3) / 2);
    let src = img.as_raw();
    let mut temp = vec![0u32; h * tw * 3];
    for r in 0..h {
        for c in 0..tw {
            for ch in 0..3 {
                let at = |k: usize| {
                    u32::from(src.get((r * w + 2 * c + k) * 3 + ch).copied().unwrap_or(0))
                };
                if let Some(t) = temp.get_mut((r * tw + c) * 3 + ch) {
                    *t = at(0) + 4 * at(1) + 6 * at(2) + 4 * at(3) + at(4);
                }
            }
        }
    }
    let mut out = RgbFrame::black(ow, oh);
    let dst = out.as_raw_mut();
    let mut dr = 0;
    let mut r = 2;
    while r + 2 < h && dr < oh {
        for c in 0..tw {
            for ch in 0..3 {
                let at = |rr: usize| temp.get((rr * tw + c) * 3 + ch).copied().unwrap_or(0);
                let v = at(r - 2) + 4 * at(r - 1) + 6 * at(r) + 4 * at(r + 1) + at(r + 2);
                if let Some(d) = dst.get_mut((dr * ow + c) * 3 + ch) {
                    *d = (v / 256) as u8;
                }
            }
        }
        dr += 1;
        r += 2;
    }
    temp.iter_mut().for_each(|v| *v = 0);
    out
}

/// dlib's `extract_image_chip` with bilinear interpolation and its image pyramid.
pub fn extract_chip(img: &RgbFrame, details: &ChipDetails) -> RgbFrame {
    let size = details.size;
    let chip_area = (size * size) as f64;
    let mut depth = 0usize;
    let mut grow = 2.0;
    let mut r = details.rect.down();
    while r.area() > chip_area {
        r = r.down();
        depth += 1;
        grow = grow * 2.0 + 2.0;
    }
    let center = details.rect.center();
    let rot = details.rect.corners().iter().fold(DRect::EMPTY, |acc, p| {
        acc.include(rotate(center, *p, details.angle))
    });
    let img_rect = DRect {
        l: 0.0,
        t: 0.0,
        r: img.width() as f64 - 1.0,
        b: img.height() as f64 - 1.0,
    };
    let bbox = rot.grow(grow).intersect(&img_rect).to_rect();
    let mut chip = RgbFrame::black(size, size);
    if bbox.right < bbox.left || bbox.bottom < bbox.top {
        return chip;
    }
    let base = img.crop(
        bbox.left.max(0) as usize,
        bbox.top.max(0) as usize,
        bbox.width().max(0) as usize,
        bbox.height().max(0) as usize,
    );
    // Pick the pyramid level.
    let mut level: isize = -1;
    let mut rect = details
        .rect
        .translate(-(bbox.left as f64), -(bbox.top as f64));
    while rect.down().area() > chip_area {
        level += 1;
        rect = rect.down();
    }
    let mut source = base;
    for _ in 0..=level.min(depth as isize) {
        source = pyramid_down(&source);
    }
    let c = rect.center();
    let last = (size - 1) as f64;
    let from = [
        Point::new(0.0, 0.0),
        Point::new(last, 0.0),
        Point::new(0.0, last),
    ];
    let to = [
        rotate(c, Point::new(rect.l, rect.t), details.angle),
        rotate(c, Point::new(rect.r, rect.t), details.angle),
        rotate(c, Point::new(rect.l, rect.b), details.angle),
    ];
    let Some(map) = Affine::through(&from, &to) else {
        return chip;
    };
    let (sw, sh) = (source.width() as i64, source.height() as i64);
    for y in 0..size {
        for x in 0..size {
            let p = map.apply(Point::new(x as f64, y as f64));
            let (left, top) = (p.x.floor() as i64, p.y.floor() as i64);
            if !(left >= 0 && top >= 0 && left + 1 < sw && top + 1 < sh) {
                continue;
            }
            let (fx, fy) = (p.x - left as f64, p.y - top as f64);
            let (Some(tl), Some(tr), Some(bl), Some(br)) = (
                source.get(left, top),
                source.get(left + 1, top),
                source.get(left, top + 1),
                source.get(left + 1, top + 1),
            ) else {
                continue;
            };
            let mut px = [0u8; 3];
            for ch in 0..3 {
                let v = (1.0 - fy) * ((1.0 - fx) * f64::from(tl[ch]) + fx * f64::from(tr[ch]))
                    + fy * ((1.0 - fx) * f64::from(bl[ch]) + fx * f64::from(br[ch]));
                px[ch] = v as u8;
            }
            chip.put(x, y, px);
        }
    }
    chip
}

/// `get_face_chip(img, shape5, size, padding)`.
pub fn face_chip(
    img: &RgbFrame,
    landmarks: &[(i64, i64); 5],
    size: usize,
    padding: f64,
) -> RgbFrame {
    extract_chip(img, &face_chip_details(landmarks, size, padding))
}
