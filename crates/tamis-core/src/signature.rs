//! Dense signature matrices and batch sketching of many documents in parallel.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};
use crate::minhash::{DatasketchMinHash, MinHasher, SignatureValue};
use crate::shingle::{ShingleConfig, ShingleSet, Shingler};
use crate::text::Normalization;

/// `n_docs` signatures of `num_perm` slots each, row-major in one allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMatrix<T> {
    num_perm: usize,
    values: Vec<T>,
}

impl<T: SignatureValue> SignatureMatrix<T> {
    /// Wraps row-major `values`; their length must be a multiple of `num_perm`.
    pub fn from_values(num_perm: usize, values: Vec<T>) -> Result<Self> {
        if num_perm == 0 || !values.len().is_multiple_of(num_perm) {
            return Err(Error::InvalidArgument(format!(
                "{} values do not make rows of num_perm = {num_perm}",
                values.len()
            )));
        }
        Ok(SignatureMatrix { num_perm, values })
    }

    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    pub fn n_docs(&self) -> usize {
        self.values.len() / self.num_perm
    }

    pub fn row(&self, doc: usize) -> &[T] {
        &self.values[doc * self.num_perm..(doc + 1) * self.num_perm]
    }

    pub fn rows(&self) -> std::slice::ChunksExact<'_, T> {
        self.values.chunks_exact(self.num_perm)
    }

    pub fn as_slice(&self) -> &[T] {
        &self.values
    }

    pub fn into_values(self) -> Vec<T> {
        self.values
    }
}

/// Per-thread scratch space of the batch sketching functions.
#[derive(Default)]
struct RowScratch {
    shingler: Option<Shingler>,
    hashes: Vec<u64>,
}

/// One signature row per item, in parallel: `shingle` fills `scratch.hashes` (left empty, the row is the
/// empty signature). Each row depends only on its item, so the result is the same whatever the number of
/// threads.
fn sketch_rows<I, F>(items: &[I], hasher: &MinHasher, shingle: F) -> SignatureMatrix<u32>
where
    I: Sync + RowData,
    F: Fn(&mut RowScratch, &I) + Sync,
{
    let num_perm = hasher.num_perm();
    let values = fill_rows(
        items.len(),
        num_perm,
        |scratch: &mut RowScratch, index, row| {
            // The next row's data, anywhere in memory (Python strings are scattered over the heap),
            // is on its way while this row is sketched.
            if let Some(next) = items.get(index + 1) {
                crate::prefetch::prefetch_start(next.data());
            }
            scratch.hashes.clear();
            shingle(scratch, &items[index]);
            hasher.fill(&scratch.hashes, row);
        },
    );
    SignatureMatrix { num_perm, values }
}

/// The bytes a row of [`sketch_rows`] reads first.
trait RowData {
    fn data(&self) -> &[u8];
}

impl RowData for &str {
    fn data(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl RowData for Option<&str> {
    fn data(&self) -> &[u8] {
        self.map(str::as_bytes).unwrap_or_default()
    }
}

impl RowData for &[u32] {
    /// Not asked for ahead: token ids come from Rust-side arrays.
    fn data(&self) -> &[u8] {
        &[]
    }
}

/// `n_rows` rows of `num_perm` values, row-major, row `i` computed by `fill_row(scratch, i, row)` on the
/// pool's threads (`fill_row` must write the whole row). Rows are written straight into the new
/// matrix's uninitialized memory: zeroing it first (even with `calloc`, which gets its memory back
/// from the last matrix freed) cost a memset of the whole matrix on the calling thread alone, 10 MB
/// for 20,000 rows of 128.
fn fill_rows<S, F>(n_rows: usize, num_perm: usize, fill_row: F) -> Vec<u32>
where
    S: Default,
    F: Fn(&mut S, usize, &mut [u32]) + Sync,
{
    let len = n_rows * num_perm;
    let mut values = Vec::with_capacity(len);
    values.spare_capacity_mut()[..len]
        .par_chunks_exact_mut(num_perm)
        .enumerate()
        .for_each_init(
            || (S::default(), vec![0; num_perm]),
            |(scratch, computed), (index, row)| {
                fill_row(scratch, index, computed);
                for (slot, &value) in row.iter_mut().zip(computed.iter()) {
                    slot.write(value);
                }
            },
        );
    #[allow(unsafe_code, reason = "a matrix written in place by the threads")]
    // SAFETY: the chunks above cover the first `len` elements (`len` is a multiple of `num_perm`), and
    // each chunk had every element written from `computed`, which is `num_perm` long. Had a thread
    // panicked, the panic would have come out of `for_each_init` before this line.
    unsafe {
        values.set_len(len);
    }
    values
}

/// Shingles and sketches every text in parallel.
pub fn sketch_texts(
    texts: &[&str],
    shingles: ShingleConfig,
    hasher: &MinHasher,
) -> SignatureMatrix<u32> {
    sketch_rows(texts, hasher, |scratch, text| {
        let RowScratch {
            shingler, hashes, ..
        } = scratch;
        shingler
            .get_or_insert_with(|| Shingler::new(shingles))
            .hash_text(text, hashes);
    })
}

/// The raw-text fast path: normalizes each text, shingles it and sketches it, in parallel. A missing
/// text (`None`) sketches to the empty signature, like an empty one. Each row depends only on its
/// text, so the result is the same whatever the number of threads.
pub fn sketch_text_column(
    texts: &[Option<&str>],
    normalization: Normalization,
    shingles: ShingleConfig,
    hasher: &MinHasher,
) -> SignatureMatrix<u32> {
    sketch_rows(texts, hasher, |scratch, text| {
        if let Some(text) = text {
            let RowScratch { shingler, hashes } = scratch;
            shingler
                .get_or_insert_with(|| Shingler::new(shingles))
                .hash_raw_text(text, normalization, hashes);
        }
    })
}

/// The hash of one pre-built token (a word, a shingle, an id as bytes) for [`sketch_hash_sets`].
pub fn token_hash(token: &[u8]) -> u64 {
    xxh3_64(token)
}

/// Native sketches of token sets already hashed with [`token_hash`], stored flat: set `i` is
/// `hashes[offsets[i]..offsets[i + 1]]` (`offsets` has one more entry than there are sets).
pub fn sketch_hash_sets(
    hashes: &[u64],
    offsets: &[usize],
    hasher: &MinHasher,
) -> Result<SignatureMatrix<u32>> {
    let valid = offsets.first() == Some(&0)
        && offsets.last() == Some(&hashes.len())
        && offsets.windows(2).all(|w| w[0] <= w[1]);
    if !valid {
        return Err(Error::InvalidArgument(
            "offsets must start at 0, never decrease and end at the number of hashes".into(),
        ));
    }
    let num_perm = hasher.num_perm();
    let values = fill_rows(offsets.len() - 1, num_perm, |(): &mut (), index, row| {
        hasher.fill(&hashes[offsets[index]..offsets[index + 1]], row);
    });
    Ok(SignatureMatrix { num_perm, values })
}

/// The exact shingle sets behind [`sketch_text_column`] (same normalization and shingling), for
/// exact Jaccard; a missing text has the empty set.
pub fn shingle_text_column(
    texts: &[Option<&str>],
    normalization: Normalization,
    shingles: ShingleConfig,
) -> Vec<ShingleSet> {
    texts
        .par_iter()
        .map_init(
            || Shingler::new(shingles),
            |shingler, text| {
                let mut hashes = Vec::new();
                if let Some(text) = text {
                    shingler.hash_raw_text(text, normalization, &mut hashes);
                }
                ShingleSet::from_hashes(hashes)
            },
        )
        .collect()
}

/// Same as [`sketch_texts`] for pre-tokenized documents (token id n-grams).
pub fn sketch_token_docs(
    docs: &[&[u32]],
    shingles: ShingleConfig,
    hasher: &MinHasher,
) -> SignatureMatrix<u32> {
    sketch_rows(docs, hasher, |scratch, tokens| {
        let RowScratch {
            shingler, hashes, ..
        } = scratch;
        shingler
            .get_or_insert_with(|| Shingler::new(shingles))
            .hash_tokens(tokens, hashes);
    })
}

/// datasketch-identical signatures of many token lists in parallel (`MinHash.update_batch` of each
/// document's tokens), one `u64` row per document whatever the scheme (`affine32` values fit `u32`).
pub fn sketch_datasketch_docs(
    docs: &[Vec<&[u8]>],
    sketcher: &DatasketchMinHash,
) -> SignatureMatrix<u64> {
    let num_perm = sketcher.num_perm();
    let mut values = vec![0; docs.len() * num_perm];
    values
        .par_chunks_exact_mut(num_perm)
        .zip(docs.par_iter())
        .for_each(|(row, tokens)| {
            row.copy_from_slice(&sketcher.sketch_tokens(tokens.iter().copied()));
        });
    SignatureMatrix { num_perm, values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{SketchMethod, is_empty_signature};

    #[test]
    fn batch_equals_one_by_one_whatever_the_thread_count() {
        let texts: Vec<String> = (0..200)
            .map(|i| format!("document {i} has some words {} in it and more", i % 7))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let hasher = MinHasher::new(SketchMethod::Fss, 32, 3).unwrap();
        let config = ShingleConfig::default();
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| sketch_texts(&refs, config, &hasher));
        let parallel = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| sketch_texts(&refs, config, &hasher));
        assert_eq!(single, parallel);
        let mut shingler = Shingler::new(config);
        let mut hashes = Vec::new();
        for (i, text) in refs.iter().enumerate() {
            shingler.hash_text(text, &mut hashes);
            assert_eq!(single.row(i), hasher.sketch(&hashes), "row {i}");
        }
        assert_eq!(single.n_docs(), 200);
    }

    #[test]
    fn datasketch_batch_equals_one_by_one() {
        use crate::minhash::DatasketchScheme;
        let sketcher = DatasketchMinHash::new(16, 7, DatasketchScheme::Affine64).unwrap();
        let docs: Vec<Vec<&[u8]>> = vec![vec![b"a", b"b"], vec![], vec![b"c"]];
        let matrix = sketch_datasketch_docs(&docs, &sketcher);
        for (row, tokens) in matrix.rows().zip(&docs) {
            assert_eq!(row, sketcher.sketch_tokens(tokens.iter().copied()));
        }
    }

    #[test]
    fn text_column_normalizes_before_shingling() {
        let hasher = MinHasher::new(SketchMethod::Fss, 16, 3).unwrap();
        let config = ShingleConfig::new(crate::shingle::ShingleUnit::Char, 3).unwrap();
        let texts = [Some("Hello,  World"), Some("hello world"), None, Some("")];
        let matrix = sketch_text_column(&texts, Normalization::Standard, config, &hasher);
        assert_eq!(matrix.row(0), matrix.row(1));
        assert!(is_empty_signature(matrix.row(2)));
        assert!(is_empty_signature(matrix.row(3)));
        let raw = sketch_text_column(&texts, Normalization::None, config, &hasher);
        assert_ne!(raw.row(0), raw.row(1));
        assert_eq!(raw.row(1), matrix.row(1));
        let sets = shingle_text_column(&texts, Normalization::Standard, config);
        assert_eq!(sets[0], sets[1]);
        assert!(sets[2].is_empty() && sets[3].is_empty());
        assert_eq!(sets[1].len(), "hello world".len() - 2);
    }

    #[test]
    fn token_sets_are_sets() {
        let hasher = MinHasher::new(SketchMethod::Fss, 16, 3).unwrap();
        let docs: [&[&[u8]]; 4] = [
            &[b"a", b"b", b"c"],
            &[b"c", b"a", b"b", b"a"],
            &[],
            &[b"a", b"b", b"d"],
        ];
        let hashes: Vec<u64> = docs
            .iter()
            .copied()
            .flatten()
            .map(|t| token_hash(t))
            .collect();
        let matrix = sketch_hash_sets(&hashes, &[0, 3, 7, 7, 10], &hasher).unwrap();
        assert!(sketch_hash_sets(&hashes, &[0, 3], &hasher).is_err());
        assert!(sketch_hash_sets(&hashes, &[], &hasher).is_err());
        assert_eq!(matrix.row(0), matrix.row(1));
        assert!(is_empty_signature(matrix.row(2)));
        assert_ne!(matrix.row(0), matrix.row(3));
        assert_eq!(matrix.row(3), hasher.sketch(&hashes[7..10]));
    }

    #[test]
    fn empty_text_row_is_empty() {
        let hasher = MinHasher::new(SketchMethod::Classic, 16, 3).unwrap();
        let matrix = sketch_texts(&["", "some text"], ShingleConfig::default(), &hasher);
        assert!(is_empty_signature(matrix.row(0)));
        assert!(!is_empty_signature(matrix.row(1)));
        let tokens = sketch_token_docs(&[&[], &[1, 2, 3]], ShingleConfig::default(), &hasher);
        assert!(is_empty_signature(tokens.row(0)));
        assert!(SignatureMatrix::from_values(3, vec![1_u32; 4]).is_err());
    }
}
