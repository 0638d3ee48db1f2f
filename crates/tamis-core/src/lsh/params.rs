//! Choosing `(bands, rows)` for a Jaccard threshold exactly as datasketch's `_optimal_param` does.
//!
//! datasketch minimizes `w_fp * ∫_0^t P(s) ds + w_fn * ∫_t^1 (1 - P(s)) ds` over every `b` in
//! `1..=k` and `r` in `1..=k/b`, where `P(s) = 1 - (1 - s^r)^b` is the probability that two
//! documents of similarity `s` share a band, keeping the first minimum in that order. It integrates
//! with scipy's `quad` (`QUADPACK` `qags`); the choice hinges on small differences between candidates,
//! so we integrate with the same 21-point Gauss-Kronrod rule, error estimate and tolerances, and
//! bisect the worst interval until the same tolerance is met.

use crate::error::{Error, Result};

/// LSH banding: `bands` bands of `rows` signature slots each (slots past `bands * rows` are unused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    pub bands: usize,
    pub rows: usize,
}

impl LshParams {
    /// Explicit parameters for signatures of `num_perm` slots.
    pub fn new(bands: usize, rows: usize, num_perm: usize) -> Result<Self> {
        if bands == 0 || rows == 0 {
            return Err(Error::InvalidArgument(
                "bands and rows must both be at least 1".into(),
            ));
        }
        if bands.saturating_mul(rows) > num_perm {
            return Err(Error::InvalidArgument(format!(
                "bands * rows = {bands} * {rows} exceeds num_perm = {num_perm}"
            )));
        }
        Ok(LshParams { bands, rows })
    }

    /// The parameters datasketch's `MinHashLSH(threshold, num_perm, weights)` picks.
    pub fn optimal(
        threshold: f64,
        num_perm: usize,
        false_positive_weight: f64,
        false_negative_weight: f64,
    ) -> Result<Self> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::InvalidArgument(format!(
                "threshold must be strictly between 0 and 1, got {threshold}"
            )));
        }
        if num_perm == 0 {
            return Err(Error::InvalidArgument("num_perm must be at least 1".into()));
        }
        let weights_ok = [false_positive_weight, false_negative_weight]
            .iter()
            .all(|w| (0.0..=1.0).contains(w));
        if !weights_ok || (false_positive_weight + false_negative_weight - 1.0).abs() > 1e-9 {
            return Err(Error::InvalidArgument(format!(
                "weights must lie in [0, 1] and sum to 1, got ({false_positive_weight}, {false_negative_weight})"
            )));
        }
        let mut best = (f64::INFINITY, LshParams { bands: 0, rows: 0 });
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let (b, r) = (bands as f64, rows as f64);
                let false_positive = integrate(|s| 1.0 - (1.0 - s.powf(r)).powf(b), 0.0, threshold);
                let false_negative =
                    integrate(|s| 1.0 - (1.0 - (1.0 - s.powf(r)).powf(b)), threshold, 1.0);
                let error =
                    false_positive * false_positive_weight + false_negative * false_negative_weight;
                if error < best.0 {
                    best = (error, LshParams { bands, rows });
                }
            }
        }
        Ok(best.1)
    }

    /// P(two documents become candidates | their Jaccard similarity is `similarity`): the S-curve
    /// `1 - (1 - s^rows)^bands`, for plotting the chosen operating point.
    pub fn candidate_probability(&self, similarity: f64) -> f64 {
        1.0 - (1.0 - similarity.powf(self.rows as f64)).powf(self.bands as f64)
    }
}

/// Kronrod abscissae of the 21-point rule, decreasing, the last one the centre (QUADPACK `qk21`).
#[allow(
    clippy::excessive_precision,
    reason = "QUADPACK's published digits, kept verbatim so they can be checked against it"
)]
const KRONROD_NODES: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
#[allow(
    clippy::excessive_precision,
    reason = "QUADPACK's published digits, kept verbatim so they can be checked against it"
)]
const KRONROD_WEIGHTS: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_208_067_222_367,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
/// Weights of the embedded 10-point Gauss rule, on the odd Kronrod nodes (1, 3, ..., 9).
#[allow(
    clippy::excessive_precision,
    reason = "QUADPACK's published digits, kept verbatim so they can be checked against it"
)]
const GAUSS_WEIGHTS: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];
/// scipy `quad`'s default absolute and relative tolerances.
const TOLERANCE: f64 = 1.49e-8;
/// scipy `quad`'s default maximum number of subintervals.
const MAX_INTERVALS: usize = 50;

/// One Gauss-Kronrod 21-point estimate on `[a, b]`: (integral, error estimate), with QUADPACK's
/// summation order and error formula.
fn gauss_kronrod_21(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let f_centre = f(centre);
    let mut gauss = 0.0;
    let mut kronrod = KRONROD_WEIGHTS[10] * f_centre;
    let mut abs_sum = kronrod.abs();
    let mut left = [0.0; 10];
    let mut right = [0.0; 10];
    for (j, &gauss_weight) in GAUSS_WEIGHTS.iter().enumerate() {
        let node = 2 * j + 1;
        let offset = half * KRONROD_NODES[node];
        let (f1, f2) = (f(centre - offset), f(centre + offset));
        left[node] = f1;
        right[node] = f2;
        gauss += gauss_weight * (f1 + f2);
        kronrod += KRONROD_WEIGHTS[node] * (f1 + f2);
        abs_sum += KRONROD_WEIGHTS[node] * (f1.abs() + f2.abs());
    }
    for j in 0..5 {
        let node = 2 * j;
        let offset = half * KRONROD_NODES[node];
        let (f1, f2) = (f(centre - offset), f(centre + offset));
        left[node] = f1;
        right[node] = f2;
        kronrod += KRONROD_WEIGHTS[node] * (f1 + f2);
        abs_sum += KRONROD_WEIGHTS[node] * (f1.abs() + f2.abs());
    }
    let mean = kronrod * 0.5;
    let mut deviation = KRONROD_WEIGHTS[10] * (f_centre - mean).abs();
    for node in 0..10 {
        deviation +=
            KRONROD_WEIGHTS[node] * ((left[node] - mean).abs() + (right[node] - mean).abs());
    }
    let result = kronrod * half;
    let abs_sum = abs_sum * half.abs();
    let deviation = deviation * half.abs();
    let mut error = ((kronrod - gauss) * half).abs();
    if deviation != 0.0 && error != 0.0 {
        error = deviation * (200.0 * error / deviation).powf(1.5).min(1.0);
    }
    if abs_sum > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
        error = error.max(50.0 * f64::EPSILON * abs_sum);
    }
    (result, error)
}

/// Adaptive integration: bisect the interval with the largest error estimate until the total error
/// meets scipy's default tolerance.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let (result, error) = gauss_kronrod_21(&f, a, b);
    let mut intervals = vec![(a, b, result, error)];
    loop {
        let total: f64 = intervals.iter().map(|interval| interval.2).sum();
        let total_error: f64 = intervals.iter().map(|interval| interval.3).sum();
        if total_error <= TOLERANCE.max(TOLERANCE * total.abs()) || intervals.len() >= MAX_INTERVALS
        {
            return total;
        }
        let worst = intervals
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.3.total_cmp(&y.1.3))
            .map_or(0, |(index, _)| index);
        let (lo, hi, _, _) = intervals.swap_remove(worst);
        let mid = 0.5 * (lo + hi);
        let (left, left_error) = gauss_kronrod_21(&f, lo, mid);
        let (right, right_error) = gauss_kronrod_21(&f, mid, hi);
        intervals.push((lo, mid, left, left_error));
        intervals.push((mid, hi, right, right_error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `(num_perm, false_positive_weight, [(b, r) for threshold 0.10, 0.15, ..., 0.95])`, from
    // datasketch 2.0.0 / scipy 1.17.1:
    // python -c "from datasketch.lsh import _optimal_param as o; print([o(round(0.1 + 0.05*i, 2), N, W, 1 - W)
    //   for i in range(18)])"
    type ParamsByThreshold = [(usize, usize); 18];

    const DATASKETCH_PARAMS: [(usize, f64, ParamsByThreshold); 12] = [
        (
            16,
            0.5,
            [
                (15, 1),
                (9, 1),
                (7, 1),
                (8, 2),
                (8, 2),
                (8, 2),
                (6, 2),
                (5, 3),
                (5, 3),
                (5, 3),
                (4, 4),
                (4, 4),
                (3, 5),
                (2, 6),
                (2, 8),
                (2, 8),
                (1, 15),
                (1, 16),
            ],
        ),
        (
            16,
            0.2,
            [
                (16, 1),
                (16, 1),
                (12, 1),
                (9, 1),
                (7, 1),
                (6, 1),
                (8, 2),
                (8, 2),
                (7, 2),
                (6, 2),
                (5, 3),
                (5, 3),
                (4, 4),
                (4, 4),
                (3, 5),
                (2, 6),
                (2, 8),
                (1, 15),
            ],
        ),
        (
            16,
            0.8,
            [
                (7, 1),
                (8, 2),
                (8, 2),
                (7, 2),
                (5, 3),
                (5, 3),
                (5, 3),
                (4, 4),
                (4, 4),
                (3, 5),
                (3, 5),
                (2, 7),
                (2, 8),
                (2, 8),
                (1, 12),
                (1, 16),
                (1, 16),
                (1, 16),
            ],
        ),
        (
            64,
            0.5,
            [
                (15, 1),
                (32, 2),
                (28, 2),
                (18, 2),
                (21, 3),
                (21, 3),
                (16, 4),
                (16, 4),
                (14, 4),
                (12, 5),
                (10, 6),
                (9, 7),
                (8, 8),
                (7, 9),
                (5, 11),
                (4, 15),
                (3, 21),
                (2, 32),
            ],
        ),
        (
            64,
            0.2,
            [
                (27, 1),
                (17, 1),
                (32, 2),
                (32, 2),
                (24, 2),
                (17, 2),
                (21, 3),
                (21, 3),
                (15, 3),
                (16, 4),
                (14, 4),
                (12, 5),
                (10, 6),
                (9, 7),
                (8, 8),
                (6, 10),
                (4, 14),
                (3, 21),
            ],
        ),
        (
            64,
            0.8,
            [
                (32, 2),
                (21, 2),
                (21, 3),
                (21, 3),
                (16, 4),
                (16, 4),
                (12, 5),
                (12, 5),
                (10, 6),
                (9, 7),
                (8, 8),
                (7, 9),
                (6, 10),
                (5, 12),
                (4, 16),
                (3, 21),
                (2, 31),
                (1, 57),
            ],
        ),
        (
            128,
            0.5,
            [
                (64, 2),
                (51, 2),
                (28, 2),
                (42, 3),
                (37, 3),
                (32, 4),
                (32, 4),
                (25, 5),
                (25, 5),
                (21, 6),
                (18, 7),
                (16, 8),
                (14, 9),
                (11, 11),
                (9, 13),
                (8, 16),
                (5, 25),
                (3, 42),
            ],
        ),
        (
            128,
            0.2,
            [
                (27, 1),
                (64, 2),
                (56, 2),
                (35, 2),
                (42, 3),
                (42, 3),
                (31, 3),
                (32, 4),
                (30, 4),
                (25, 5),
                (23, 5),
                (21, 6),
                (18, 7),
                (16, 8),
                (12, 10),
                (9, 13),
                (7, 18),
                (4, 30),
            ],
        ),
        (
            128,
            0.8,
            [
                (49, 2),
                (42, 3),
                (42, 3),
                (32, 4),
                (32, 4),
                (25, 5),
                (25, 5),
                (21, 6),
                (18, 7),
                (16, 8),
                (14, 9),
                (12, 10),
                (10, 12),
                (9, 14),
                (7, 18),
                (5, 24),
                (4, 32),
                (2, 64),
            ],
        ),
        (
            256,
            0.5,
            [
                (117, 2),
                (51, 2),
                (85, 3),
                (64, 3),
                (64, 4),
                (61, 4),
                (51, 5),
                (47, 5),
                (42, 6),
                (36, 7),
                (32, 8),
                (28, 9),
                (25, 10),
                (21, 12),
                (17, 15),
                (13, 19),
                (9, 28),
                (5, 51),
            ],
        ),
        (
            256,
            0.2,
            [
                (128, 2),
                (101, 2),
                (56, 2),
                (85, 3),
                (76, 3),
                (47, 3),
                (64, 4),
                (46, 4),
                (51, 5),
                (42, 6),
                (38, 6),
                (36, 7),
                (28, 9),
                (25, 10),
                (21, 12),
                (16, 16),
                (12, 21),
                (7, 36),
            ],
        ),
        (
            256,
            0.8,
            [
                (49, 2),
                (85, 3),
                (50, 3),
                (64, 4),
                (51, 5),
                (51, 5),
                (42, 6),
                (36, 7),
                (36, 7),
                (32, 8),
                (25, 10),
                (23, 11),
                (19, 13),
                (16, 16),
                (12, 20),
                (10, 25),
                (7, 36),
                (4, 64),
            ],
        ),
    ];

    #[test]
    fn optimal_params_equal_datasketch_on_a_grid() {
        let mut mismatches = Vec::new();
        for (num_perm, fp_weight, expected) in DATASKETCH_PARAMS {
            for (i, &(bands, rows)) in expected.iter().enumerate() {
                let threshold = 0.1 + 0.05 * i as f64;
                let got =
                    LshParams::optimal(threshold, num_perm, fp_weight, 1.0 - fp_weight).unwrap();
                if got != (LshParams { bands, rows }) {
                    mismatches.push((num_perm, fp_weight, threshold, got, (bands, rows)));
                }
            }
        }
        assert!(mismatches.is_empty(), "{mismatches:#?}");
    }

    #[test]
    fn s_curve_and_bad_arguments() {
        let params = LshParams::new(16, 8, 128).unwrap();
        assert!(params.candidate_probability(0.0).abs() < 1e-12);
        assert!((params.candidate_probability(1.0) - 1.0).abs() < 1e-12);
        assert!(params.candidate_probability(0.9) > 0.99);
        assert!(params.candidate_probability(0.3) < 0.01);
        assert!(LshParams::new(17, 8, 128).is_err());
        assert!(LshParams::new(0, 8, 128).is_err());
        assert!(LshParams::optimal(0.0, 128, 0.5, 0.5).is_err());
        assert!(LshParams::optimal(1.0, 128, 0.5, 0.5).is_err());
        assert!(LshParams::optimal(0.5, 0, 0.5, 0.5).is_err());
        assert!(LshParams::optimal(0.5, 128, 0.7, 0.7).is_err());
    }
}
