//! A JPEG decoder whose pixels are those of libjpeg-turbo with its default settings
//! (accurate integer IDCT, "fancy" triangle-filter chroma upsampling, its fixed-point
//! YCbCr → RGB tables), the decoder behind Pillow, numpy and most Python pipelines.
//!
//! Why: dlib's shape predictor compares single pixel intensities, so a decoder that
//! differs by ±1 here and there (as `image`'s zune-jpeg does: its IDCT, upsampling and
//! colour conversion round differently) moves landmarks by a pixel on some photos. The
//! shared dlib references were computed on Pillow-decoded pixels; with this decoder the
//! predictor reproduces them exactly.
//!
//! Scope: 8-bit Huffman-coded baseline, extended and progressive JPEG (ITU-T T.81),
//! grey, YCbCr or RGB, any integer sampling factors. Anything else (arithmetic coding,
//! 12-bit, lossless, CMYK/YCCK, progressive files left incomplete, where libjpeg would
//! smooth blocks) is `Unsupported`, and the caller falls back to another decoder.
//! Malformed input is an error, never a panic; missing entropy-coded bytes read as
//! zeros, as libjpeg does.

use crate::frame::RgbFrame;

/// The largest image decoded here, in pixels (selfie frames and passport photos are
/// far smaller; larger images go to the fallback decoder and its limits).
pub const MAX_PIXELS: usize = 16_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JpegError {
    #[error("not supported by the exact decoder: {0}")]
    Unsupported(&'static str),
    #[error("corrupt JPEG: {0}")]
    Corrupt(&'static str),
}

use JpegError::{Corrupt, Unsupported};

/// Zig-zag position → natural (row-major) position in the 8×8 block.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Natural positions whose precision decides, in libjpeg, whether a progressive image
/// gets block smoothing (DC and the first nine AC coefficients).
const SMOOTHING_POSITIONS: [usize; 10] = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24];

// ---------------------------------------------------------------------------------
// Byte-level reading of markers.

struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> Result<u8, JpegError> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or(Corrupt("unexpected end of file"))?;
        self.pos += 1;
        Ok(b)
    }
    fn u16(&mut self) -> Result<u16, JpegError> {
        Ok(u16::from(self.u8()?) << 8 | u16::from(self.u8()?))
    }
    /// The payload of a marker segment (after its 2-byte length).
    fn segment(&mut self) -> Result<&'a [u8], JpegError> {
        let len = usize::from(self.u16()?);
        if len < 2 {
            return Err(Corrupt("marker segment shorter than its length field"));
        }
        let end = self.pos + len - 2;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(Corrupt("marker segment runs past the end of the file"))?;
        self.pos = end;
        Ok(s)
    }
    /// The next marker code, skipping fill bytes (and, leniently, stray bytes).
    fn next_marker(&mut self) -> Result<u8, JpegError> {
        loop {
            let b = self.u8()?;
            if b != 0xFF {
                continue;
            }
            let mut m = self.u8()?;
            while m == 0xFF {
                m = self.u8()?;
            }
            if m != 0 {
                return Ok(m);
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Huffman tables (T.81 annex C) and the entropy-coded bit stream.

#[derive(Clone)]
struct Huffman {
    /// For each 9-bit prefix: (code length, symbol), length 0 when the code is longer.
    fast: Vec<(u8, u8)>,
    /// Per code length 1..=16: largest code of that length (−1 if none), and the
    /// index in `values` of its first code minus that first code.
    maxcode: [i32; 17],
    offset: [i32; 17],
    values: Vec<u8>,
}

const FAST_BITS: u32 = 9;

impl Huffman {
    fn parse(counts: &[u8; 16], values: &[u8]) -> Result<Self, JpegError> {
        let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
        if total > 256 || total != values.len() {
            return Err(Corrupt("bad Huffman table"));
        }
        let mut fast = vec![(0u8, 0u8); 1 << FAST_BITS];
        let mut maxcode = [-1i32; 17];
        let mut offset = [0i32; 17];
        let mut code: u32 = 0;
        let mut k = 0usize;
        for len in 1..=16u32 {
            let n = u32::from(counts.get(len as usize - 1).copied().unwrap_or(0));
            if n > 0 {
                offset[len as usize] = k as i32 - code as i32;
                for _ in 0..n {
                    if code >= 1 << len {
                        return Err(Corrupt("Huffman code lengths overflow"));
                    }
                    if len <= FAST_BITS {
                        let shift = FAST_BITS - len;
                        let sym = values.get(k).copied().unwrap_or(0);
                        for low in 0..(1u32 << shift) {
                            if let Some(slot) = fast.get_mut(((code << shift) | low) as usize) {
                                *slot = (len as u8, sym);
                            }
                        }
                    }
                    code += 1;
                    k += 1;
                }
                maxcode[len as usize] = code as i32 - 1;
            }
            code <<= 1;
        }
        Ok(Self {
            fast,
            maxcode,
            offset,
            values: values.to_vec(),
        })
    }
}

/// The bits of one scan's entropy-coded segment: `FF 00` stuffing removed; at a
/// marker (or the end of the data) it yields zero bits, as libjpeg does.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    count: u32,
    at_marker: bool,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Self {
            data,
            pos,
            acc: 0,
            count: 0,
            at_marker: false,
        }
    }

    fn fill(&mut self) {
        while self.count <= 56 {
            let mut byte = 0u8;
            if !self.at_marker {
                match self.data.get(self.pos) {
                    None => self.at_marker = true,
                    Some(0xFF) => {
                        // Skip fill bytes; FF 00 is a data FF, anything else a marker.
                        let mut p = self.pos + 1;
                        while self.data.get(p) == Some(&0xFF) {
                            p += 1;
                        }
                        match self.data.get(p) {
                            Some(0) => {
                                byte = 0xFF;
                                self.pos = p + 1;
                            }
                            _ => {
                                self.at_marker = true;
                                self.pos = p.saturating_sub(1);
                            }
                        }
                    }
                    Some(b) => {
                        byte = *b;
                        self.pos += 1;
                    }
                }
            }
            self.acc |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    fn peek(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.fill();
        }
        (self.acc >> (64 - n)) as u32
    }

    fn skip(&mut self, n: u32) {
        self.acc <<= n;
        self.count -= n;
    }

    fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let v = self.peek(n);
        self.skip(n);
        v
    }

    fn bit(&mut self) -> bool {
        self.bits(1) == 1
    }

    fn decode(&mut self, h: &Huffman) -> Result<u8, JpegError> {
        let prefix = self.peek(16);
        if let Some(&(len, sym)) = h.fast.get((prefix >> (16 - FAST_BITS)) as usize)
            && len > 0
        {
            self.skip(u32::from(len));
            return Ok(sym);
        }
        for len in (FAST_BITS + 1)..=16 {
            let code = (prefix >> (16 - len)) as i32;
            let max = h.maxcode.get(len as usize).copied().unwrap_or(-1);
            if code <= max {
                self.skip(len);
                let idx = code + h.offset.get(len as usize).copied().unwrap_or(0);
                return h
                    .values
                    .get(usize::try_from(idx).map_err(|_| Corrupt("bad Huffman code"))?)
                    .copied()
                    .ok_or(Corrupt("bad Huffman code"));
            }
        }
        Err(Corrupt("bad Huffman code"))
    }

    /// `s` bits, sign-extended as T.81 F.2.2.1 (EXTEND).
    fn receive_extend(&mut self, s: u8) -> Result<i32, JpegError> {
        if s == 0 {
            return Ok(0);
        }
        if s > 16 {
            return Err(Corrupt("coefficient magnitude category too large"));
        }
        let s = u32::from(s);
        let v = self.bits(s) as i32;
        Ok(if v < 1 << (s - 1) {
            v - (1 << s) + 1
        } else {
            v
        })
    }

    /// At a restart marker: drop the buffered bits and step over the marker.
    fn restart(&mut self) {
        self.acc = 0;
        self.count = 0;
        self.at_marker = false;
        // Find the next marker; step over it if it is RSTn.
        let mut p = self.pos;
        while let Some(&b) = self.data.get(p) {
            if b == 0xFF {
                let mut q = p + 1;
                while self.data.get(q) == Some(&0xFF) {
                    q += 1;
                }
                match self.data.get(q) {
                    Some(0) => p = q + 1,
                    Some(m) if (0xD0..=0xD7).contains(m) => {
                        self.pos = q + 1;
                        return;
                    }
                    _ => {
                        self.pos = p;
                        return;
                    }
                }
            } else {
                p += 1;
            }
        }
        self.pos = p;
    }
}

// ---------------------------------------------------------------------------------
// Frame, components, scans.

struct Component {
    id: u8,
    h: usize,
    v: usize,
    tq: usize,
    /// Quantization table latched at the component's first scan (natural order).
    quant: Option<[u16; 64]>,
    /// Blocks across and down the coefficient buffer (padded to whole MCUs).
    bw: usize,
    bh: usize,
    /// Blocks that carry image data.
    width_in_blocks: usize,
    height_in_blocks: usize,
    /// Size of the component's sample plane, as libjpeg's `downsampled_width/height`.
    dw: usize,
    dh: usize,
    coefs: Vec<[i16; 64]>,
    /// Per natural position: the successive-approximation bit reached (−1: never sent).
    coef_bits: [i32; 64],
    dc_pred: i32,
}

struct Frame {
    width: usize,
    height: usize,
    progressive: bool,
    hmax: usize,
    vmax: usize,
    comps: Vec<Component>,
}

fn div_ceil(a: usize, b: usize) -> usize {
    a.div_ceil(b.max(1))
}

fn parse_frame(seg: &[u8], progressive: bool) -> Result<Frame, JpegError> {
    let mut b = Bytes { data: seg, pos: 0 };
    if b.u8()? != 8 {
        return Err(Unsupported("sample precision other than 8 bits"));
    }
    let height = usize::from(b.u16()?);
    let width = usize::from(b.u16()?);
    let n = usize::from(b.u8()?);
    if height == 0 {
        return Err(Unsupported("height given by a DNL marker"));
    }
    if width == 0 {
        return Err(Corrupt("zero width"));
    }
    if width * height > MAX_PIXELS {
        return Err(Unsupported("image larger than the exact decoder's limit"));
    }
    if n != 1 && n != 3 {
        return Err(Unsupported("neither grey nor three colour components"));
    }
    let mut comps = Vec::with_capacity(n);
    for _ in 0..n {
        let id = b.u8()?;
        let hv = b.u8()?;
        let tq = usize::from(b.u8()?);
        let (h, v) = (usize::from(hv >> 4), usize::from(hv & 15));
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(Corrupt("sampling factor out of 1..4"));
        }
        if tq > 3 {
            return Err(Corrupt("quantization table index out of 0..3"));
        }
        comps.push(Component {
            id,
            h,
            v,
            tq,
            quant: None,
            bw: 0,
            bh: 0,
            width_in_blocks: 0,
            height_in_blocks: 0,
            dw: 0,
            dh: 0,
            coefs: Vec::new(),
            coef_bits: [-1; 64],
            dc_pred: 0,
        });
    }
    let hmax = comps.iter().map(|c| c.h).max().unwrap_or(1);
    let vmax = comps.iter().map(|c| c.v).max().unwrap_or(1);
    let mcux = div_ceil(width, 8 * hmax);
    let mcuy = div_ceil(height, 8 * vmax);
    for c in &mut comps {
        if hmax % c.h != 0 || vmax % c.v != 0 {
            return Err(Unsupported("non-integer sampling ratio"));
        }
        c.width_in_blocks = div_ceil(width * c.h, 8 * hmax);
        c.height_in_blocks = div_ceil(height * c.v, 8 * vmax);
        c.dw = div_ceil(width * c.h, hmax);
        c.dh = div_ceil(height * c.v, vmax);
        c.bw = mcux * c.h;
        c.bh = mcuy * c.v;
        c.coefs = vec![[0i16; 64]; c.bw * c.bh];
    }
    Ok(Frame {
        width,
        height,
        progressive,
        hmax,
        vmax,
        comps,
    })
}

struct Scan {
    /// Index into `Frame::comps`, DC table, AC table.
    comps: Vec<(usize, usize, usize)>,
    ss: usize,
    se: usize,
    ah: u32,
    al: u32,
}

fn parse_scan(seg: &[u8], frame: &Frame) -> Result<Scan, JpegError> {
    let mut b = Bytes { data: seg, pos: 0 };
    let n = usize::from(b.u8()?);
    if n == 0 || n > 4 {
        return Err(Corrupt("bad number of components in scan"));
    }
    let mut comps = Vec::with_capacity(n);
    for _ in 0..n {
        let id = b.u8()?;
        let t = b.u8()?;
        let ci = frame
            .comps
            .iter()
            .position(|c| c.id == id)
            .ok_or(Corrupt("scan names an unknown component"))?;
        if comps.iter().any(|(c, _, _)| *c == ci) {
            return Err(Corrupt("component twice in one scan"));
        }
        let (td, ta) = (usize::from(t >> 4), usize::from(t & 15));
        if td > 3 || ta > 3 {
            return Err(Corrupt("Huffman table index out of 0..3"));
        }
        comps.push((ci, td, ta));
    }
    let ss = usize::from(b.u8()?);
    let se = usize::from(b.u8()?);
    let a = b.u8()?;
    let (ah, al) = (u32::from(a >> 4), u32::from(a & 15));
    if frame.progressive {
        let dc = ss == 0;
        if se > 63 || ss > se || (dc && se != 0) || (!dc && n != 1) || al > 13 || ah > 13 {
            return Err(Corrupt("bad progressive scan parameters"));
        }
    }
    if comps.len() > 1 {
        let blocks: usize = comps
            .iter()
            .filter_map(|(ci, _, _)| frame.comps.get(*ci))
            .map(|c| c.h * c.v)
            .sum();
        if blocks > 10 {
            return Err(Corrupt("more than 10 blocks in an MCU"));
        }
    }
    Ok(Scan {
        comps,
        ss,
        se: if frame.progressive { se } else { 63 },
        ah,
        al,
    })
}

/// Everything set by marker segments before a scan.
struct Tables {
    quant: [Option<[u16; 64]>; 4],
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart_interval: usize,
}

fn parse_dqt(seg: &[u8], tables: &mut Tables) -> Result<(), JpegError> {
    let mut b = Bytes { data: seg, pos: 0 };
    while b.pos < seg.len() {
        let pq = b.u8()?;
        let (precision, t) = (pq >> 4, usize::from(pq & 15));
        if t > 3 || precision > 1 {
            return Err(Corrupt("bad quantization table"));
        }
        let mut q = [0u16; 64];
        for z in ZIGZAG {
            let v = if precision == 0 {
                u16::from(b.u8()?)
            } else {
                b.u16()?
            };
            if let Some(slot) = q.get_mut(z) {
                *slot = v;
            }
        }
        if let Some(slot) = tables.quant.get_mut(t) {
            *slot = Some(q);
        }
    }
    Ok(())
}

fn parse_dht(seg: &[u8], tables: &mut Tables) -> Result<(), JpegError> {
    let mut b = Bytes { data: seg, pos: 0 };
    while b.pos < seg.len() {
        let tc_th = b.u8()?;
        let (class, t) = (tc_th >> 4, usize::from(tc_th & 15));
        if class > 1 || t > 3 {
            return Err(Corrupt("bad Huffman table class or index"));
        }
        let mut counts = [0u8; 16];
        for c in &mut counts {
            *c = b.u8()?;
        }
        let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
        let values = seg
            .get(b.pos..b.pos + total)
            .ok_or(Corrupt("Huffman table runs past its segment"))?;
        b.pos += total;
        let table = Some(Huffman::parse(&counts, values)?);
        let slot = if class == 0 {
            tables.dc.get_mut(t)
        } else {
            tables.ac.get_mut(t)
        };
        if let Some(slot) = slot {
            *slot = table;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Entropy decoding of a scan.

fn table(set: &[Option<Huffman>; 4], i: usize) -> Result<&Huffman, JpegError> {
    set.get(i)
        .and_then(Option::as_ref)
        .ok_or(Corrupt("scan uses an undefined Huffman table"))
}

fn decode_scan(
    data: &[u8],
    pos: usize,
    frame: &mut Frame,
    scan: &Scan,
    tables: &Tables,
) -> Result<usize, JpegError> {
    for (ci, _, _) in &scan.comps {
        let c = frame
            .comps
            .get_mut(*ci)
            .ok_or(Corrupt("scan names an unknown component"))?;
        if c.quant.is_none() {
            c.quant = Some(
                tables
                    .quant
                    .get(c.tq)
                    .copied()
                    .flatten()
                    .ok_or(Corrupt("component uses an undefined quantization table"))?,
            );
        }
        c.dc_pred = 0;
    }
    let mut bits = Bits::new(data, pos);
    let mut eobrun: u32 = 0;
    let single = scan.comps.len() == 1;
    let (mcus_x, mcus_y) = if single {
        let c = scan
            .comps
            .first()
            .and_then(|(ci, _, _)| frame.comps.get(*ci))
            .ok_or(Corrupt("empty scan"))?;
        (c.width_in_blocks, c.height_in_blocks)
    } else {
        (
            div_ceil(frame.width, 8 * frame.hmax),
            div_ceil(frame.height, 8 * frame.vmax),
        )
    };
    let total = mcus_x * mcus_y;
    let ri = tables.restart_interval;
    for mcu in 0..total {
        if ri > 0 && mcu > 0 && mcu % ri == 0 {
            bits.restart();
            eobrun = 0;
            for (ci, _, _) in &scan.comps {
                if let Some(c) = frame.comps.get_mut(*ci) {
                    c.dc_pred = 0;
                }
            }
        }
        let (mx, my) = (mcu % mcus_x, mcu / mcus_x);
        for &(ci, td, ta) in &scan.comps {
            let c = frame
                .comps
                .get_mut(ci)
                .ok_or(Corrupt("scan names an unknown component"))?;
            let (bx0, by0, nx, ny) = if single {
                (mx, my, 1, 1)
            } else {
                (mx * c.h, my * c.v, c.h, c.v)
            };
            for by in by0..by0 + ny {
                for bx in bx0..bx0 + nx {
                    let bw = c.bw;
                    let mut pred = c.dc_pred;
                    let block = c
                        .coefs
                        .get_mut(by * bw + bx)
                        .ok_or(Corrupt("block outside the image"))?;
                    if !frame.progressive {
                        decode_baseline(
                            &mut bits,
                            block,
                            &mut pred,
                            table(&tables.dc, td)?,
                            table(&tables.ac, ta)?,
                        )?;
                    } else if scan.ss == 0 {
                        if scan.ah == 0 {
                            let s = bits.decode(table(&tables.dc, td)?)?;
                            pred = pred.wrapping_add(bits.receive_extend(s)?);
                            block[0] = (pred.wrapping_shl(scan.al)) as i16;
                        } else if bits.bit() {
                            block[0] |= (1i32 << scan.al) as i16;
                        }
                    } else if scan.ah == 0 {
                        decode_ac_first(
                            &mut bits,
                            block,
                            scan,
                            &mut eobrun,
                            table(&tables.ac, ta)?,
                        )?;
                    } else {
                        decode_ac_refine(
                            &mut bits,
                            block,
                            scan,
                            &mut eobrun,
                            table(&tables.ac, ta)?,
                        )?;
                    }
                    c.dc_pred = pred;
                }
            }
        }
    }
    for (ci, _, _) in &scan.comps {
        if let Some(c) = frame.comps.get_mut(*ci) {
            for k in scan.ss..=scan.se {
                if let Some(b) = ZIGZAG.get(k).and_then(|z| c.coef_bits.get_mut(*z)) {
                    *b = scan.al as i32;
                }
            }
        }
    }
    Ok(bits.pos)
}

fn decode_baseline(
    bits: &mut Bits<'_>,
    block: &mut [i16; 64],
    pred: &mut i32,
    dc: &Huffman,
    ac: &Huffman,
) -> Result<(), JpegError> {
    let s = bits.decode(dc)?;
    *pred = pred.wrapping_add(bits.receive_extend(s)?);
    block[0] = *pred as i16;
    let mut k = 1;
    while k < 64 {
        let rs = bits.decode(ac)?;
        let (r, s) = (usize::from(rs >> 4), rs & 15);
        if s != 0 {
            k += r;
            let v = bits.receive_extend(s)?;
            if let Some(z) = ZIGZAG.get(k) {
                block[*z] = v as i16;
            }
        } else if r == 15 {
            k += 15;
        } else {
            break;
        }
        k += 1;
    }
    Ok(())
}

fn decode_ac_first(
    bits: &mut Bits<'_>,
    block: &mut [i16; 64],
    scan: &Scan,
    eobrun: &mut u32,
    ac: &Huffman,
) -> Result<(), JpegError> {
    if *eobrun > 0 {
        *eobrun -= 1;
        return Ok(());
    }
    let mut k = scan.ss;
    while k <= scan.se {
        let rs = bits.decode(ac)?;
        let (r, s) = (u32::from(rs >> 4), rs & 15);
        if s != 0 {
            k += r as usize;
            let v = bits.receive_extend(s)?;
            if let Some(z) = ZIGZAG.get(k) {
                block[*z] = v.wrapping_shl(scan.al) as i16;
            }
        } else if r == 15 {
            k += 15;
        } else {
            *eobrun = (1u32 << r) - 1 + bits.bits(r);
            break;
        }
        k += 1;
    }
    Ok(())
}

/// One correction bit for an already non-zero coefficient (T.81 G.1.2.3).
fn refine(bits: &mut Bits<'_>, coef: &mut i16, p1: i16, m1: i16) {
    if bits.bit() && (*coef & p1) == 0 {
        *coef = coef.wrapping_add(if *coef >= 0 { p1 } else { m1 });
    }
}

fn decode_ac_refine(
    bits: &mut Bits<'_>,
    block: &mut [i16; 64],
    scan: &Scan,
    eobrun: &mut u32,
    ac: &Huffman,
) -> Result<(), JpegError> {
    let p1: i16 = (1i32 << scan.al) as i16;
    let m1: i16 = (-1i32 << scan.al) as i16;
    let mut k = scan.ss;
    if *eobrun == 0 {
        while k <= scan.se {
            let rs = bits.decode(ac)?;
            let (mut r, s) = (i32::from(rs >> 4), rs & 15);
            let mut value = 0i16;
            if s != 0 {
                value = if bits.bit() { p1 } else { m1 };
            } else if r != 15 {
                *eobrun = (1u32 << r) + bits.bits(r as u32);
                break;
            }
            while k <= scan.se {
                let z = ZIGZAG.get(k).copied().unwrap_or(63);
                if block[z] != 0 {
                    refine(bits, &mut block[z], p1, m1);
                } else {
                    r -= 1;
                    if r < 0 {
                        break;
                    }
                }
                k += 1;
            }
            if value != 0
                && let Some(z) = ZIGZAG.get(k)
            {
                block[*z] = value;
            }
            k += 1;
        }
    }
    if *eobrun > 0 {
        while k <= scan.se {
            let z = ZIGZAG.get(k).copied().unwrap_or(63);
            if block[z] != 0 {
                refine(bits, &mut block[z], p1, m1);
            }
            k += 1;
        }
        *eobrun -= 1;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// libjpeg's accurate integer IDCT ("islow": Loeffler–Ligtenberg–Moschytz with 13-bit
// constants, 2 extra bits between the passes), and its range limiting.

const CONST_BITS: u32 = 13;
const PASS1_BITS: u32 = 2;
const F_0_298: i64 = 2446;
const F_0_390: i64 = 3196;
const F_0_541: i64 = 4433;
const F_0_765: i64 = 6270;
const F_0_899: i64 = 7373;
const F_1_175: i64 = 9633;
const F_1_501: i64 = 12299;
const F_1_847: i64 = 15137;
const F_1_961: i64 = 16069;
const F_2_053: i64 = 16819;
const F_2_562: i64 = 20995;
const F_3_072: i64 = 25172;

fn descale(x: i64, n: u32) -> i64 {
    (x + (1 << (n - 1))) >> n
}

/// The post-IDCT sample of libjpeg's range-limit table, indexed modulo 1024 as it is.
fn idct_sample(x: i64) -> u8 {
    let v = (x as i32 & 1023) as u32;
    match v {
        0..=127 => (v + 128) as u8,
        128..=511 => 255,
        512..=895 => 0,
        _ => (v - 896) as u8,
    }
}

/// One 1-D pass of the 8-point inverse DCT over `x[0..8]` (already dequantized or
/// from the first pass); returns the even/odd butterflies' eight outputs before the
/// final descaling.
fn idct_1d(x: [i64; 8]) -> [i64; 8] {
    // Even part.
    let (z2, z3) = (x[2], x[6]);
    let z1 = (z2 + z3) * F_0_541;
    let tmp2 = z1 - z3 * F_1_847;
    let tmp3 = z1 + z2 * F_0_765;
    let tmp0 = (x[0] + x[4]) << CONST_BITS;
    let tmp1 = (x[0] - x[4]) << CONST_BITS;
    let (t10, t13, t11, t12) = (tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2);
    // Odd part.
    let (mut o0, mut o1, mut o2, mut o3) = (x[7], x[5], x[3], x[1]);
    let z1 = o0 + o3;
    let z2 = o1 + o2;
    let z3 = o0 + o2;
    let z4 = o1 + o3;
    let z5 = (z3 + z4) * F_1_175;
    o0 *= F_0_298;
    o1 *= F_2_053;
    o2 *= F_3_072;
    o3 *= F_1_501;
    let z1 = -z1 * F_0_899;
    let z2 = -z2 * F_2_562;
    let z3 = -z3 * F_1_961 + z5;
    let z4 = -z4 * F_0_390 + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;
    [
        t10 + o3,
        t11 + o2,
        t12 + o1,
        t13 + o0,
        t13 - o0,
        t12 - o1,
        t11 - o2,
        t10 - o3,
    ]
}

/// Dequantizes and inverse-transforms one block into 8×8 samples.
fn idct_block(coefs: &[i16; 64], quant: &[u16; 64], out: &mut [u8; 64]) {
    let mut ws = [0i32; 64];
    for col in 0..8 {
        let deq = |row: usize| -> i64 {
            let i = row * 8 + col;
            // libjpeg keeps the quantizer in a 16-bit signed multiplier.
            i64::from(coefs[i]) * i64::from(quant[i] as i16)
        };
        if (1..8).all(|r| coefs[r * 8 + col] == 0) {
            let dc = (deq(0) << PASS1_BITS) as i32;
            for r in 0..8 {
                ws[r * 8 + col] = dc;
            }
            continue;
        }
        let y = idct_1d([
            deq(0),
            deq(1),
            deq(2),
            deq(3),
            deq(4),
            deq(5),
            deq(6),
            deq(7),
        ]);
        for (r, v) in y.iter().enumerate() {
            ws[r * 8 + col] = descale(*v, CONST_BITS - PASS1_BITS) as i32;
        }
    }
    for row in 0..8 {
        let w = |c: usize| i64::from(ws[row * 8 + c]);
        if (1..8).all(|c| ws[row * 8 + c] == 0) {
            let v = idct_sample(descale(w(0), PASS1_BITS + 3));
            out[row * 8..row * 8 + 8].fill(v);
            continue;
        }
        let y = idct_1d([w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)]);
        for (c, v) in y.iter().enumerate() {
            out[row * 8 + c] = idct_sample(descale(*v, CONST_BITS + PASS1_BITS + 3));
        }
    }
}

/// A component's samples after the IDCT, `stride` = its blocks across × 8.
struct Plane {
    stride: usize,
    data: Vec<u8>,
}

impl Plane {
    #[inline]
    fn at(&self, x: usize, y: usize) -> i32 {
        i32::from(self.data.get(y * self.stride + x).copied().unwrap_or(0))
    }
}

fn reconstruct(c: &Component) -> Result<Plane, JpegError> {
    let quant = c
        .quant
        .ok_or(Unsupported("a component never appears in a scan"))?;
    let (stride, rows) = (c.width_in_blocks * 8, c.height_in_blocks * 8);
    let mut data = vec![0u8; stride * rows];
    let mut block = [0u8; 64];
    for by in 0..c.height_in_blocks {
        for bx in 0..c.width_in_blocks {
            let coefs = c
                .coefs
                .get(by * c.bw + bx)
                .ok_or(Corrupt("block outside the image"))?;
            idct_block(coefs, &quant, &mut block);
            for r in 0..8 {
                let dst = (by * 8 + r) * stride + bx * 8;
                if let (Some(d), Some(s)) =
                    (data.get_mut(dst..dst + 8), block.get(r * 8..r * 8 + 8))
                {
                    d.copy_from_slice(s);
                }
            }
        }
    }
    Ok(Plane { stride, data })
}

// ---------------------------------------------------------------------------------
// Upsampling to full resolution, as libjpeg's jdsample.c chooses and computes it.

/// The component upsampled to `out_w` × `out_h` (at least the image's size).
fn upsample(
    plane: &Plane,
    c: &Component,
    hr: usize,
    vr: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<u8> {
    let (dw, dh) = (c.dw.max(1), c.dh.max(1));
    let mut out = vec![0u8; out_w * out_h];
    let clamp_row = |r: isize| -> usize { r.clamp(0, dh as isize - 1) as usize };
    match (hr, vr) {
        (1, 1) => {
            for y in 0..out_h {
                for x in 0..out_w {
                    out[y * out_w + x] = plane.at(x, y) as u8;
                }
            }
        }
        (2, 1) if dw > 2 => {
            for y in 0..out_h {
                let s = |i: isize| plane.at(i.clamp(0, dw as isize - 1) as usize, y);
                for x in 0..out_w {
                    let i = (x / 2) as isize;
                    let v = if x % 2 == 0 {
                        (3 * s(i) + s(i - 1) + 1) >> 2
                    } else {
                        (3 * s(i) + s(i + 1) + 2) >> 2
                    };
                    out[y * out_w + x] = v as u8;
                }
            }
        }
        (1, 2) => {
            for y in 0..out_h {
                let r = (y / 2) as isize;
                let (far, bias) = if y % 2 == 0 { (r - 1, 1) } else { (r + 1, 2) };
                let (near, far) = (clamp_row(r), clamp_row(far));
                for x in 0..out_w {
                    let v = (3 * plane.at(x, near) + plane.at(x, far) + bias) >> 2;
                    out[y * out_w + x] = v as u8;
                }
            }
        }
        (2, 2) if dw > 2 => {
            let mut colsum = vec![0i32; dw];
            for y in 0..out_h {
                let r = (y / 2) as isize;
                let far = if y % 2 == 0 { r - 1 } else { r + 1 };
                let (near, far) = (clamp_row(r), clamp_row(far));
                for (i, cs) in colsum.iter_mut().enumerate() {
                    *cs = 3 * plane.at(i, near) + plane.at(i, far);
                }
                let cs = |i: isize| colsum[i.clamp(0, dw as isize - 1) as usize];
                for x in 0..out_w {
                    let i = (x / 2) as isize;
                    let v = if x % 2 == 0 {
                        (3 * cs(i) + cs(i - 1) + 8) >> 4
                    } else {
                        (3 * cs(i) + cs(i + 1) + 7) >> 4
                    };
                    out[y * out_w + x] = v as u8;
                }
            }
        }
        _ => {
            // Plain replication (libjpeg's h2v1/h2v2 for narrow images, int_upsample).
            for y in 0..out_h {
                for x in 0..out_w {
                    out[y * out_w + x] = plane.at(x / hr, y / vr) as u8;
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Colour conversion (jdcolor.c's 16-bit fixed-point tables).

const SCALEBITS: u32 = 16;
const ONE_HALF: i64 = 1 << (SCALEBITS - 1);

fn fix(x: f64) -> i64 {
    (x * f64::from(1u32 << SCALEBITS) + 0.5) as i64
}

struct YccTables {
    cr_r: [i32; 256],
    cb_b: [i32; 256],
    cr_g: [i64; 256],
    cb_g: [i64; 256],
}

impl YccTables {
    fn new() -> Self {
        let mut t = Self {
            cr_r: [0; 256],
            cb_b: [0; 256],
            cr_g: [0; 256],
            cb_g: [0; 256],
        };
        for i in 0..256 {
            let x = i as i64 - 128;
            t.cr_r[i] = ((fix(1.40200) * x + ONE_HALF) >> SCALEBITS) as i32;
            t.cb_b[i] = ((fix(1.77200) * x + ONE_HALF) >> SCALEBITS) as i32;
            t.cr_g[i] = -fix(0.71414) * x;
            t.cb_g[i] = -fix(0.34414) * x + ONE_HALF;
        }
        t
    }
}

fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

// ---------------------------------------------------------------------------------

/// Which colour space the three components are in (libjpeg's default_decompress_parms).
#[derive(Clone, Copy, PartialEq)]
enum ColorSpace {
    Grey,
    YCbCr,
    Rgb,
}

/// Decodes a JPEG file to RGB exactly as libjpeg-turbo (default settings) does.
pub fn decode(data: &[u8]) -> Result<RgbFrame, JpegError> {
    let mut b = Bytes { data, pos: 0 };
    if b.u8()? != 0xFF || b.u8()? != 0xD8 {
        return Err(Corrupt("no start-of-image marker"));
    }
    let mut tables = Tables {
        quant: [None; 4],
        dc: [None, None, None, None],
        ac: [None, None, None, None],
        restart_interval: 0,
    };
    let mut frame: Option<Frame> = None;
    let (mut jfif, mut adobe) = (false, None::<u8>);
    let mut scans = 0usize;
    loop {
        let marker = match b.next_marker() {
            Ok(m) => m,
            // A file cut after its last scan: decode what we have.
            Err(_) if scans > 0 => break,
            Err(e) => return Err(e),
        };
        match marker {
            0xD8 => return Err(Corrupt("second start-of-image marker")),
            0xD9 => break,
            0xC0..=0xC2 => {
                if frame.is_some() {
                    return Err(Corrupt("two frame headers"));
                }
                frame = Some(parse_frame(b.segment()?, marker == 0xC2)?);
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(Unsupported(
                    "lossless, hierarchical or arithmetic-coded JPEG",
                ));
            }
            0xC4 => parse_dht(b.segment()?, &mut tables)?,
            0xCC => return Err(Unsupported("arithmetic coding")),
            0xDB => parse_dqt(b.segment()?, &mut tables)?,
            0xDD => {
                let seg = b.segment()?;
                let mut s = Bytes { data: seg, pos: 0 };
                tables.restart_interval = usize::from(s.u16()?);
            }
            0xDA => {
                let seg = b.segment()?;
                let f = frame
                    .as_mut()
                    .ok_or(Corrupt("scan before the frame header"))?;
                let scan = parse_scan(seg, f)?;
                b.pos = decode_scan(data, b.pos, f, &scan, &tables)?;
                scans += 1;
                if scans > 1000 {
                    return Err(Corrupt("too many scans"));
                }
            }
            0xE0 => {
                let seg = b.segment()?;
                if seg.starts_with(b"JFIF\0") {
                    jfif = true;
                }
            }
            0xEE => {
                let seg = b.segment()?;
                if seg.len() >= 12 && seg.starts_with(b"Adobe") {
                    adobe = seg.get(11).copied();
                }
            }
            0xD0..=0xD7 | 0x01 => {}
            _ => {
                b.segment()?;
            }
        }
    }
    let frame = frame.ok_or(Corrupt("no frame header"))?;
    if scans == 0 {
        return Err(Corrupt("no scan"));
    }
    if frame.progressive
        && frame
            .comps
            .iter()
            .any(|c| SMOOTHING_POSITIONS.iter().any(|p| c.coef_bits[*p] != 0))
    {
        return Err(Unsupported(
            "progressive image with coefficients left imprecise (libjpeg smooths those)",
        ));
    }
    let space = match frame.comps.as_slice() {
        [_] => ColorSpace::Grey,
        [a, b, c] => {
            if jfif {
                ColorSpace::YCbCr
            } else if let Some(t) = adobe {
                if t == 0 {
                    ColorSpace::Rgb
                } else {
                    ColorSpace::YCbCr
                }
            } else if (a.id, b.id, c.id) == (82, 71, 66) {
                ColorSpace::Rgb
            } else {
                ColorSpace::YCbCr
            }
        }
        _ => return Err(Unsupported("neither grey nor three colour components")),
    };
    to_rgb(&frame, space)
}

fn to_rgb(frame: &Frame, space: ColorSpace) -> Result<RgbFrame, JpegError> {
    let (w, h) = (frame.width, frame.height);
    let mut planes = Vec::with_capacity(frame.comps.len());
    for c in &frame.comps {
        let plane = reconstruct(c)?;
        let (hr, vr) = (frame.hmax / c.h, frame.vmax / c.v);
        let (out_w, out_h) = ((c.dw * hr).max(w), (c.dh * vr).max(h));
        let full = upsample(&plane, c, hr, vr, out_w, out_h);
        planes.push((full, out_w));
        drop(plane);
    }
    let mut rgb = vec![0u8; w * h * 3];
    let px = |p: &(Vec<u8>, usize), x: usize, y: usize| -> u8 {
        p.0.get(y * p.1 + x).copied().unwrap_or(0)
    };
    match (space, planes.as_slice()) {
        (ColorSpace::Grey, [g]) => {
            for y in 0..h {
                for x in 0..w {
                    let v = px(g, x, y);
                    if let Some(d) = rgb.get_mut((y * w + x) * 3..(y * w + x) * 3 + 3) {
                        d.fill(v);
                    }
                }
            }
        }
        (ColorSpace::Rgb, [r, g, b]) => {
            for y in 0..h {
                for x in 0..w {
                    if let Some(d) = rgb.get_mut((y * w + x) * 3..(y * w + x) * 3 + 3) {
                        d.copy_from_slice(&[px(r, x, y), px(g, x, y), px(b, x, y)]);
                    }
                }
            }
        }
        (ColorSpace::YCbCr, [yp, cb, cr]) => {
            let t = YccTables::new();
            for y in 0..h {
                for x in 0..w {
                    let yy = i32::from(px(yp, x, y));
                    let (cbv, crv) = (usize::from(px(cb, x, y)), usize::from(px(cr, x, y)));
                    let r = yy + t.cr_r[crv];
                    let g = yy + ((t.cb_g[cbv] + t.cr_g[crv]) >> SCALEBITS) as i32;
                    let b = yy + t.cb_b[cbv];
                    if let Some(d) = rgb.get_mut((y * w + x) * 3..(y * w + x) * 3 + 3) {
                        d.copy_from_slice(&[clamp8(r), clamp8(g), clamp8(b)]);
                    }
                }
            }
        }
        _ => return Err(Unsupported("colour space")),
    }
    for (p, _) in &mut planes {
        p.iter_mut().for_each(|v| *v = 0);
    }
    RgbFrame::from_raw(w, h, rgb).map_err(|_| Corrupt("pixel buffer size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dc_only_block_is_flat_at_the_dc_level() {
        let mut coefs = [0i16; 64];
        coefs[0] = 10; // ×quant 8 = 80 → 80/8 = +10 over 128
        let mut out = [0u8; 64];
        idct_block(&coefs, &[8; 64], &mut out);
        assert!(out.iter().all(|v| *v == 138), "{out:?}");
    }

    #[test]
    fn the_idct_of_one_ac_coefficient_is_a_cosine() {
        // Coefficient (0,1): a horizontal half cosine, decreasing left to right.
        let mut coefs = [0i16; 64];
        coefs[1] = 40;
        let mut out = [0u8; 64];
        idct_block(&coefs, &[1; 64], &mut out);
        let row: Vec<i32> = out[..8].iter().map(|v| i32::from(*v) - 128).collect();
        for (x, v) in row.iter().enumerate() {
            // f(x) = ¼·C(0)·F(0,1)·cos((2x+1)π/16), C(0) = 1/√2.
            let expected = 40.0 / 4.0
                * std::f64::consts::FRAC_1_SQRT_2
                * ((2.0 * x as f64 + 1.0) * std::f64::consts::PI / 16.0).cos();
            assert!(
                (f64::from(*v) - expected).abs() <= 1.0,
                "x {x}: {v} vs {expected}"
            );
        }
        assert!(out.chunks(8).all(|r| r == &out[..8]), "every row alike");
    }

    #[test]
    fn post_idct_values_are_limited_as_libjpeg_does() {
        assert_eq!(idct_sample(0), 128);
        assert_eq!(idct_sample(-128), 0);
        assert_eq!(idct_sample(127), 255);
        assert_eq!(idct_sample(300), 255);
        assert_eq!(idct_sample(-300), 0);
    }

    #[test]
    fn colour_tables_are_libjpegs() {
        let t = YccTables::new();
        // Cr = 255 (x = 127): R offset round(1.402 × 127) = 178.
        assert_eq!(t.cr_r[255], 178);
        assert_eq!(t.cb_b[0], -227);
        assert_eq!(fix(1.40200), 91881);
    }

    #[test]
    fn canonical_huffman_codes_decode() {
        // Two 2-bit codes (00 → 5, 01 → 6) and one 3-bit code (100 → 7).
        let mut counts = [0u8; 16];
        counts[1] = 2;
        counts[2] = 1;
        let h = Huffman::parse(&counts, &[5, 6, 7]).expect("table");
        let data = [0b0001_1000u8, 0];
        let mut bits = Bits::new(&data, 0);
        assert_eq!(bits.decode(&h), Ok(5));
        assert_eq!(bits.decode(&h), Ok(6));
        assert_eq!(bits.decode(&h), Ok(7));
    }

    #[test]
    fn overfull_huffman_tables_are_rejected() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes cannot exist
        assert!(Huffman::parse(&counts, &[1, 2, 3]).is_err());
    }

    #[test]
    fn stuffed_ff_bytes_are_data_and_markers_end_the_bits() {
        let data = [0xFFu8, 0x00, 0xAB, 0xFF, 0xD9];
        let mut bits = Bits::new(&data, 0);
        assert_eq!(bits.bits(8), 0xFF);
        assert_eq!(bits.bits(8), 0xAB);
        assert_eq!(bits.bits(8), 0, "zeros at the marker");
        assert!(bits.at_marker);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"not a jpeg").is_err());
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xC0, 0, 2]).is_err());
        assert!(decode(&[0xFF, 0xD8]).is_err());
    }
}
