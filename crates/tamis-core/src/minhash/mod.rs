//! `MinHash` sketches: a fixed-length signature per shingle set such that the fraction of equal slots
//! of two signatures estimates the Jaccard similarity of the two sets.
//!
//! Two native methods produce `u32` signatures: [`SketchMethod::Classic`] (k independent affine
//! permutations, O(n·k)) and [`SketchMethod::Fss`] (Fast Similarity Sketching cut after three rounds,
//! O(n) plus at most about k²/4 on small sets, the default). [`datasketch`] reproduces the Python
//! `datasketch` package bit for bit.
//!
//! **Empty signature**: a document without shingles sketches to all slots equal to
//! [`SignatureValue::EMPTY`] (`u32::MAX` / `u64::MAX`). Jaccard estimation and the LSH index treat
//! such a row as matching nothing. A non-empty set cannot produce it in practice: every one of the
//! k slots would have to hold the maximum value (probability about 2^-32k).

mod classic;
pub mod datasketch;
mod fss;
pub mod mt19937;

use std::str::FromStr;

use crate::error::{Error, Result};

use classic::ClassicMinHash;
pub use datasketch::{DatasketchMinHash, DatasketchScheme};
use fss::FastSimilaritySketch;

/// A slot of a signature: `u32` for the native methods and datasketch's `affine32`, `u64` for
/// `affine64` and `legacy`.
pub trait SignatureValue: Copy + Ord + Send + Sync + std::fmt::Debug + 'static {
    /// The value every slot of an empty document's signature holds.
    const EMPTY: Self;
    /// Appends the little-endian bytes of the value (for band hashing).
    fn extend_le_bytes(self, out: &mut Vec<u8>);
}

impl SignatureValue for u32 {
    const EMPTY: Self = u32::MAX;
    fn extend_le_bytes(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl SignatureValue for u64 {
    const EMPTY: Self = u64::MAX;
    fn extend_le_bytes(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// Whether a signature row is the empty-document signature (all slots [`SignatureValue::EMPTY`]).
pub fn is_empty_signature<T: SignatureValue>(row: &[T]) -> bool {
    row.iter().all(|&value| value == T::EMPTY)
}

/// Which native sketch to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SketchMethod {
    /// k independent permutations; the textbook estimator, O(n·k).
    Classic,
    /// Fast Similarity Sketching (Dahlgaard, Knudsen, Thorup 2017), cut after three rounds: O(n) plus
    /// at most about k²/4 for the bins still empty on small sets, and at least classic's accuracy
    /// (better on sets smaller than k).
    #[default]
    Fss,
}

impl FromStr for SketchMethod {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "classic" => Ok(SketchMethod::Classic),
            "fss" => Ok(SketchMethod::Fss),
            other => Err(Error::InvalidArgument(format!(
                "unknown MinHash method '{other}', expected 'classic' or 'fss'"
            ))),
        }
    }
}

/// A native sketcher with its parameters drawn once; sketching is then a pure function of the
/// shingle hashes, so results do not depend on threads or order of documents.
#[derive(Debug, Clone)]
pub struct MinHasher {
    method: SketchMethod,
    sketcher: Sketcher,
}

#[derive(Debug, Clone)]
enum Sketcher {
    Classic(ClassicMinHash),
    Fss(FastSimilaritySketch),
}

impl MinHasher {
    pub fn new(method: SketchMethod, num_perm: usize, seed: u64) -> Result<Self> {
        let sketcher = match method {
            SketchMethod::Classic => Sketcher::Classic(ClassicMinHash::new(num_perm, seed)?),
            SketchMethod::Fss => Sketcher::Fss(FastSimilaritySketch::new(num_perm, seed)?),
        };
        Ok(MinHasher { method, sketcher })
    }

    pub fn method(&self) -> SketchMethod {
        self.method
    }

    pub fn num_perm(&self) -> usize {
        match &self.sketcher {
            Sketcher::Classic(sketcher) => sketcher.num_perm(),
            Sketcher::Fss(sketcher) => sketcher.num_perm(),
        }
    }

    /// Writes the signature of the set of `shingle_hashes` (repeats allowed) into `out`, whose
    /// length must be [`MinHasher::num_perm`].
    pub fn sketch_into(&self, shingle_hashes: &[u64], out: &mut [u32]) -> Result<()> {
        if out.len() != self.num_perm() {
            return Err(Error::InvalidArgument(format!(
                "signature buffer has {} slots, num_perm is {}",
                out.len(),
                self.num_perm()
            )));
        }
        self.fill(shingle_hashes, out);
        Ok(())
    }

    pub fn sketch(&self, shingle_hashes: &[u64]) -> Vec<u32> {
        let mut out = vec![u32::EMPTY; self.num_perm()];
        self.fill(shingle_hashes, &mut out);
        out
    }

    /// [`MinHasher::sketch_into`] for callers that already hold a row of `num_perm` slots.
    pub(crate) fn fill(&self, shingle_hashes: &[u64], out: &mut [u32]) {
        match &self.sketcher {
            Sketcher::Classic(sketcher) => sketcher.fill(shingle_hashes, out),
            Sketcher::Fss(sketcher) => sketcher.fill(shingle_hashes, out),
        }
    }
}

pub(crate) fn check_num_perm(num_perm: usize) -> Result<()> {
    if num_perm == 0 {
        return Err(Error::InvalidArgument("num_perm must be at least 1".into()));
    }
    if u32::try_from(num_perm).is_err() {
        return Err(Error::InvalidArgument(format!(
            "num_perm {num_perm} is too large (at most 2^32 - 1)"
        )));
    }
    Ok(())
}

/// `SplitMix64`: expands a user seed into a stream of well-mixed parameters, and mixes (key, value)
/// pairs into independent-looking 64-bit values.
pub(crate) fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit finalizer of `MurmurHash3`: a bijective mix, each output bit depending on every input bit.
pub(crate) fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// `n` pseudo-random shingle hashes, drawn from `state` (test inputs for the kernels).
#[cfg(test)]
pub(crate) fn random_hashes(state: &mut u64, n: usize) -> Vec<u64> {
    (0..n)
        .map(|_| {
            *state = splitmix64(*state);
            *state
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jaccard::{estimated_jaccard, exact_jaccard};
    use crate::shingle::ShingleSet;

    /// Two random sets with a known overlap: `shared` common elements, `own` private ones each.
    fn overlapping_sets(seed: u64, shared: usize, own: usize) -> (Vec<u64>, Vec<u64>) {
        let draw = |i: usize| splitmix64(seed ^ (i as u64).wrapping_mul(0x1234_5678_9ABC_DEF1));
        let common: Vec<u64> = (0..shared).map(draw).collect();
        let mut a = common.clone();
        let mut b = common;
        a.extend((shared..shared + own).map(draw));
        b.extend((shared + own..shared + 2 * own).map(draw));
        (a, b)
    }

    #[test]
    fn both_methods_estimate_jaccard_without_bias() {
        for method in [SketchMethod::Classic, SketchMethod::Fss] {
            for (shared, own) in [(30, 10), (300, 100), (5, 20)] {
                let mut error_sum = 0.0;
                let trials = 200;
                for trial in 0..trials {
                    let hasher = MinHasher::new(method, 128, trial).unwrap();
                    let (a, b) = overlapping_sets(trial * 7919, shared, own);
                    let exact = exact_jaccard(
                        &ShingleSet::from_hashes(a.clone()),
                        &ShingleSet::from_hashes(b.clone()),
                    );
                    error_sum += estimated_jaccard(&hasher.sketch(&a), &hasher.sketch(&b)) - exact;
                }
                let bias = error_sum / trials as f64;
                assert!(bias.abs() < 0.01, "{method:?} {shared}/{own}: bias {bias}");
            }
        }
    }

    #[test]
    fn empty_set_gives_empty_signature() {
        for method in [SketchMethod::Classic, SketchMethod::Fss] {
            let hasher = MinHasher::new(method, 64, 1).unwrap();
            let empty = hasher.sketch(&[]);
            assert!(is_empty_signature(&empty));
            assert!(!is_empty_signature(&hasher.sketch(&[42])));
            assert!(estimated_jaccard(&empty, &empty) == 0.0);
        }
    }

    #[test]
    fn identical_sets_give_identical_signatures() {
        for method in [SketchMethod::Classic, SketchMethod::Fss] {
            let hasher = MinHasher::new(method, 64, 9).unwrap();
            let a = [5_u64, 1, 99, 5, 1000];
            let b = [1000_u64, 99, 1, 5];
            assert_eq!(hasher.sketch(&a), hasher.sketch(&b));
        }
    }

    #[test]
    fn every_slot_is_filled_for_non_empty_sets() {
        for num_perm in [1, 2, 7, 128, 1000] {
            for n in [1, 2, 50, 5000] {
                let hashes: Vec<u64> = (0..n).map(|i| splitmix64(i * 31 + 7)).collect();
                for method in [SketchMethod::Classic, SketchMethod::Fss] {
                    let signature = MinHasher::new(method, num_perm, 5).unwrap().sketch(&hashes);
                    assert_eq!(signature.len(), num_perm);
                    assert!(
                        !is_empty_signature(&signature),
                        "{method:?} k={num_perm} n={n}"
                    );
                }
                let fss = MinHasher::new(SketchMethod::Fss, num_perm, 5).unwrap();
                let mut out = vec![0; num_perm];
                fss.sketch_into(&hashes, &mut out).unwrap();
                // Each FSS slot holds a value drawn from an element; u32::MAX would mean unfilled.
                assert!(
                    out.iter().all(|&slot| slot != u32::MAX),
                    "k={num_perm} n={n}"
                );
            }
        }
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(MinHasher::new(SketchMethod::Fss, 0, 1).is_err());
        assert!(MinHasher::new(SketchMethod::Classic, 0, 1).is_err());
        assert!("oph".parse::<SketchMethod>().is_err());
        let hasher = MinHasher::new(SketchMethod::Fss, 4, 1).unwrap();
        assert!(hasher.sketch_into(&[1], &mut [0; 3]).is_err());
        assert_eq!(hasher.method(), SketchMethod::Fss);
    }
}
