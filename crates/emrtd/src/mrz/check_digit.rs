//! The 7-3-1 check digit of Doc 9303-3 §4.9.

/// Check digit of an MRZ field: digits count as themselves, A–Z as 10–35, and '<' (and
/// anything else) as 0, weighted 7, 3, 1 repeating, sum modulo 10.
pub fn check_digit(field: &str) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .bytes()
        .zip(WEIGHTS.iter().cycle())
        .map(|(b, w)| {
            let value = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            };
            value * w
        })
        .sum();
    (sum % 10) as u8
}
