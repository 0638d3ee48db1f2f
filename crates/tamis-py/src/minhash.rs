//! `MinHash` signatures and LSH, exposed as `tamis._tamis.sketch`, `shingles`, `lsh_params`, `lsh_pairs`,
//! `jaccard_rows` and the datasketch-compatible `DatasketchHasher` / `DatasketchIndex`. Conversions only: the
//! work lives in `tamis_core::{signature, minhash, lsh, jaccard}`.

use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadwriteArray1, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyBytesMethods, PyList, PyString};
use tamis_core::jaccard::estimated_jaccard;
use tamis_core::lsh::{BandIndex, DatasketchLsh, LshParams};
use tamis_core::minhash::{DatasketchMinHash, DatasketchScheme, MinHasher, SignatureValue};
use tamis_core::shingle::ShingleConfig;
use tamis_core::signature::{
    SignatureMatrix, shingle_text_column, sketch_hash_sets, sketch_text_column, token_hash,
};
use tamis_core::text::Normalization;

use crate::errors::PyTamisError;
use crate::gil::run_detached;
use crate::texts::TextColumn;
#[cfg(not(Py_GIL_DISABLED))]
use crate::token_sets::sketch_token_lists;

fn shingle_config(unit: &str, ngram: usize) -> PyResult<ShingleConfig> {
    Ok(ShingleConfig::new(unit.parse().map_err(PyTamisError)?, ngram).map_err(PyTamisError)?)
}

/// A row-major `(rows, cols)` numpy matrix that takes ownership of `values`.
fn matrix<T: numpy::Element>(
    py: Python<'_>,
    values: Vec<T>,
    cols: usize,
) -> PyResult<Bound<'_, PyArray2<T>>> {
    let rows = values.len().checked_div(cols).unwrap_or(0);
    values.into_pyarray(py).reshape([rows, cols])
}

#[pyfunction]
#[pyo3(signature = (texts, *, num_perm = 128, unit = "word", ngram = 5, normalize = "standard",
                    seed = 1, method = "fss"))]
#[allow(clippy::too_many_arguments)]
pub fn sketch<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    num_perm: usize,
    unit: &str,
    ngram: usize,
    normalize: &str,
    seed: u64,
    method: &str,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let normalization: Normalization = normalize.parse().map_err(PyTamisError)?;
    let shingles = shingle_config(unit, ngram)?;
    let hasher = MinHasher::new(method.parse().map_err(PyTamisError)?, num_perm, seed)
        .map_err(PyTamisError)?;
    let column = TextColumn::extract(texts)?;
    let rows = column.rows()?;
    let signatures = run_detached(py, |_| {
        Ok(sketch_text_column(&rows, normalization, shingles, &hasher))
    })?;
    matrix(py, signatures.into_values(), num_perm)
}

/// The bytes of a pre-built token: `bytes` as they are, `str` as UTF-8.
fn token_slice<'a>(token: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(bytes) = token.cast::<PyBytes>() {
        return Ok(bytes.as_bytes());
    }
    if let Ok(text) = token.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "tokens must be str or bytes, got {}",
        token.get_type().name()?
    )))
}

/// The token hashes of `docs`, flat, and where each set starts (read serially, with the GIL).
fn hash_token_sets<'py>(
    docs: impl Iterator<Item = PyResult<Bound<'py, PyAny>>>,
) -> PyResult<(Vec<u64>, Vec<usize>)> {
    let mut hashes = Vec::new();
    let mut offsets = vec![0];
    for doc in docs {
        for token in doc?.try_iter()? {
            hashes.push(token_hash(token_slice(&token?)?));
        }
        offsets.push(hashes.len());
    }
    Ok((hashes, offsets))
}

/// The signatures of every token set, row-major. The lists of a list are read and sketched on every
/// core where they hold exact `bytes` or `str` (see `token_sets`), any other document read one token at
/// a time; any other container is read one token at a time and sketched without the GIL.
fn sketch_token_sets(
    py: Python<'_>,
    token_sets: &Bound<'_, PyAny>,
    hasher: &MinHasher,
) -> PyResult<Vec<u32>> {
    #[cfg(not(Py_GIL_DISABLED))]
    if let Ok(docs) = token_sets.cast_exact::<PyList>() {
        return sketch_token_lists(docs, hasher, |doc, hashes| {
            for token in doc.try_iter()? {
                hashes.push(token_hash(token_slice(&token?)?));
            }
            Ok(())
        });
    }
    let (hashes, offsets) = hash_token_sets(token_sets.try_iter()?)?;
    let signatures = run_detached(py, |_| sketch_hash_sets(&hashes, &offsets, hasher))?;
    Ok(signatures.into_values())
}

#[pyfunction]
#[pyo3(signature = (token_sets, *, num_perm = 128, seed = 1, method = "fss"))]
pub fn sketch_tokens<'py>(
    py: Python<'py>,
    token_sets: &Bound<'py, PyAny>,
    num_perm: usize,
    seed: u64,
    method: &str,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let hasher = MinHasher::new(method.parse().map_err(PyTamisError)?, num_perm, seed)
        .map_err(PyTamisError)?;
    let values = sketch_token_sets(py, token_sets, &hasher)?;
    matrix(py, values, num_perm)
}

#[pyfunction]
#[pyo3(signature = (texts, *, unit = "word", ngram = 5, normalize = "standard"))]
pub fn shingles<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    unit: &str,
    ngram: usize,
    normalize: &str,
) -> PyResult<Vec<Bound<'py, PyArray1<u64>>>> {
    let normalization: Normalization = normalize.parse().map_err(PyTamisError)?;
    let config = shingle_config(unit, ngram)?;
    let column = TextColumn::extract(texts)?;
    let rows = column.rows()?;
    let sets = run_detached(py, |_| {
        Ok(shingle_text_column(&rows, normalization, config))
    })?;
    Ok(sets
        .into_iter()
        .map(|set| set.as_slice().to_vec().into_pyarray(py))
        .collect())
}

#[pyfunction]
#[pyo3(signature = (threshold, num_perm, fp_weight = 0.5, fn_weight = 0.5))]
pub fn lsh_params(
    py: Python<'_>,
    threshold: f64,
    num_perm: usize,
    fp_weight: f64,
    fn_weight: f64,
) -> PyResult<(usize, usize)> {
    let params = run_detached(py, |_| {
        LshParams::optimal(threshold, num_perm, fp_weight, fn_weight)
    })?;
    Ok((params.bands, params.rows))
}

/// A signature matrix from Python: `uint32` (native methods, `affine32`) or `uint64` (`affine64`, `legacy`).
enum Signatures {
    U32(SignatureMatrix<u32>),
    U64(SignatureMatrix<u64>),
}

impl Signatures {
    fn extract(array: &Bound<'_, PyAny>) -> PyResult<Signatures> {
        fn from<T: SignatureValue + numpy::Element>(
            array: &PyReadonlyArray2<'_, T>,
        ) -> PyResult<SignatureMatrix<T>> {
            let num_perm = array.shape()[1];
            let values = array.as_array().iter().copied().collect();
            Ok(SignatureMatrix::from_values(num_perm.max(1), values).map_err(PyTamisError)?)
        }
        if let Ok(array) = array.extract::<PyReadonlyArray2<'_, u32>>() {
            return Ok(Signatures::U32(from(&array)?));
        }
        if let Ok(array) = array.extract::<PyReadonlyArray2<'_, u64>>() {
            return Ok(Signatures::U64(from(&array)?));
        }
        Err(PyTypeError::new_err(
            "expected a 2-D numpy array of uint32 or uint64 signatures (one row per document)",
        ))
    }
}

#[pyfunction]
#[pyo3(signature = (signatures, bands, rows))]
pub fn lsh_pairs<'py>(
    py: Python<'py>,
    signatures: &Bound<'py, PyAny>,
    bands: usize,
    rows: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let signatures = Signatures::extract(signatures)?;
    let pairs = run_detached(py, |_| {
        let num_perm = match &signatures {
            Signatures::U32(m) => m.num_perm(),
            Signatures::U64(m) => m.num_perm(),
        };
        let mut index = BandIndex::new(LshParams::new(bands, rows, num_perm)?);
        match &signatures {
            Signatures::U32(m) => index.insert_batch(m)?,
            Signatures::U64(m) => index.insert_batch(m)?,
        };
        Ok(index.self_join())
    })?;
    let flat: Vec<u32> = pairs.into_iter().flat_map(|(i, j)| [i, j]).collect();
    matrix(py, flat, 2)
}

#[pyfunction]
pub fn jaccard_rows<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    fn rows<T: SignatureValue>(a: &SignatureMatrix<T>, b: &SignatureMatrix<T>) -> Vec<f64> {
        a.rows()
            .zip(b.rows())
            .map(|(x, y)| estimated_jaccard(x, y))
            .collect()
    }
    let (a, b) = (Signatures::extract(a)?, Signatures::extract(b)?);
    let estimates = run_detached(py, |_| match (&a, &b) {
        (Signatures::U32(a), Signatures::U32(b)) if a.as_slice().len() == b.as_slice().len() => {
            Ok(rows(a, b))
        }
        (Signatures::U64(a), Signatures::U64(b)) if a.as_slice().len() == b.as_slice().len() => {
            Ok(rows(a, b))
        }
        _ => Err(tamis_core::Error::InvalidArgument(
            "signatures must have the same shape and dtype".into(),
        )),
    })?;
    Ok(estimates.into_pyarray(py))
}

/// The bytes of one datasketch token: `bytes`, `bytearray`, or anything with the buffer protocol (numpy
/// scalars), as `hashlib.sha1` accepts. A `str` is refused with hashlib's message.
fn token_bytes(item: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyBytes>> {
    let item = match item.cast_into::<PyBytes>() {
        Ok(bytes) => return Ok(bytes),
        Err(error) => error.into_inner(),
    };
    if item.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "Strings must be encoded before hashing",
        ));
    }
    if let Ok(array) = item.cast::<PyByteArray>() {
        return Ok(PyBytes::new(item.py(), &array.to_vec()));
    }
    let py = item.py();
    let view = py
        .import("builtins")?
        .getattr("memoryview")?
        .call1((item,))?
        .call_method1("cast", ("B",))?;
    Ok(view.call_method0("tobytes")?.cast_into::<PyBytes>()?)
}

fn collect_tokens<'py>(tokens: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    if let Ok(list) = tokens.cast::<PyList>() {
        return list.iter().map(token_bytes).collect();
    }
    tokens.try_iter()?.map(|item| token_bytes(item?)).collect()
}

/// Folds a fresh signature into `hashvalues` (slot-wise minimum), whatever the array's dtype.
fn fold_min(hashvalues: &Bound<'_, PyAny>, fresh: &[u64]) -> PyResult<()> {
    fn fold<T: Copy + Ord + TryFrom<u64> + numpy::Element>(
        mut array: PyReadwriteArray1<'_, T>,
        fresh: &[u64],
    ) -> PyResult<()> {
        let slots = array.as_slice_mut()?;
        if slots.len() != fresh.len() {
            return Err(PyTamisError(tamis_core::Error::InvalidArgument(format!(
                "hash values have {} slots, the hasher has {}",
                slots.len(),
                fresh.len()
            )))
            .into());
        }
        for (slot, &value) in slots.iter_mut().zip(fresh) {
            if let Ok(value) = T::try_from(value) {
                *slot = (*slot).min(value);
            }
        }
        Ok(())
    }
    if let Ok(array) = hashvalues.extract::<PyReadwriteArray1<'_, u32>>() {
        return fold(array, fresh);
    }
    if let Ok(array) = hashvalues.extract::<PyReadwriteArray1<'_, u64>>() {
        return fold(array, fresh);
    }
    Err(PyTypeError::new_err(
        "hashvalues must be a contiguous 1-D uint32 or uint64 numpy array",
    ))
}

/// datasketch's permutations for `(num_perm, seed, scheme)`, drawn once; sketches token lists exactly like
/// `datasketch.MinHash.update_batch`.
#[pyclass(frozen, module = "tamis._tamis")]
pub struct DatasketchHasher {
    inner: DatasketchMinHash,
}

#[pymethods]
impl DatasketchHasher {
    #[new]
    #[pyo3(signature = (num_perm, seed, scheme))]
    fn new(num_perm: usize, seed: u32, scheme: &str) -> PyResult<Self> {
        let scheme: DatasketchScheme = scheme.parse().map_err(PyTamisError)?;
        Ok(DatasketchHasher {
            inner: DatasketchMinHash::new(num_perm, seed, scheme).map_err(PyTamisError)?,
        })
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.inner.num_perm()
    }

    /// `(a, b)`, the affine parameters of every permutation, as `uint64` arrays.
    fn permutations<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u64>>) {
        let (a, b) = self.inner.permutations();
        (a.to_vec().into_pyarray(py), b.to_vec().into_pyarray(py))
    }

    /// Folds the tokens (bytes) into `hashvalues` in place; the GIL is released for large batches.
    fn update_tokens(
        &self,
        py: Python<'_>,
        hashvalues: &Bound<'_, PyAny>,
        tokens: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let tokens = collect_tokens(tokens)?;
        let slices: Vec<&[u8]> = tokens.iter().map(PyBytesMethods::as_bytes).collect();
        let fresh = if slices.len() < 64 {
            self.inner.sketch_tokens(slices)
        } else {
            run_detached(py, |_| Ok(self.inner.sketch_tokens(slices)))?
        };
        fold_min(hashvalues, &fresh)
    }

    /// Folds pre-computed token hashes (a custom `hashfunc`'s output) into `hashvalues` in place.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "pyo3 extracts the array argument by value"
    )]
    fn update_hashes(
        &self,
        py: Python<'_>,
        hashvalues: &Bound<'_, PyAny>,
        hashes: PyReadonlyArray1<'_, u64>,
    ) -> PyResult<()> {
        let hashes = hashes.as_slice()?;
        let fresh = run_detached(py, |_| self.inner.sketch_hashes(hashes))?;
        fold_min(hashvalues, &fresh)
    }

    /// One signature per token list, computed in parallel: a `(n_docs, num_perm)` `uint64` matrix.
    fn sketch_docs<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<u64>>> {
        let docs: Vec<Vec<Bound<'py, PyBytes>>> = docs
            .try_iter()?
            .map(|doc| collect_tokens(&doc?))
            .collect::<PyResult<_>>()?;
        let slices: Vec<Vec<&[u8]>> = docs
            .iter()
            .map(|doc| doc.iter().map(PyBytesMethods::as_bytes).collect())
            .collect();
        let signatures = run_detached(py, |_| {
            Ok(tamis_core::signature::sketch_datasketch_docs(
                &slices,
                &self.inner,
            ))
        })?;
        matrix(py, signatures.into_values(), self.inner.num_perm())
    }
}

/// datasketch's `MinHashLSH` buckets over integer ids (the Python layer maps user keys to ids).
#[pyclass(module = "tamis._tamis")]
pub struct DatasketchIndex {
    inner: DatasketchLsh<u64>,
}

fn signature_u64(signature: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
    if let Ok(array) = signature.extract::<PyReadonlyArray1<'_, u32>>() {
        return Ok(array.as_array().iter().map(|&v| u64::from(v)).collect());
    }
    if let Ok(array) = signature.extract::<PyReadonlyArray1<'_, u64>>() {
        return Ok(array.as_array().to_vec());
    }
    Err(PyTypeError::new_err(
        "expected a 1-D numpy array of uint32 or uint64 hash values",
    ))
}

#[pymethods]
impl DatasketchIndex {
    #[new]
    #[pyo3(signature = (bands, rows, num_perm))]
    fn new(bands: usize, rows: usize, num_perm: usize) -> PyResult<Self> {
        let params = LshParams { bands, rows };
        Ok(DatasketchIndex {
            inner: DatasketchLsh::new(params, num_perm).map_err(PyTamisError)?,
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, id: u64) -> bool {
        self.inner.contains(&id)
    }

    fn insert(&mut self, id: u64, signature: &Bound<'_, PyAny>) -> PyResult<()> {
        let signature = signature_u64(signature)?;
        Ok(self.inner.insert(id, &signature).map_err(PyTamisError)?)
    }

    fn query(&self, signature: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let signature = signature_u64(signature)?;
        Ok(self.inner.query(&signature).map_err(PyTamisError)?)
    }

    fn remove(&mut self, id: u64) -> PyResult<()> {
        Ok(self.inner.remove(&id).map_err(PyTamisError)?)
    }
}
