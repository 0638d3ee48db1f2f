//! The kernels of the partitioned near-duplicate pipeline (`tamis.ray`), on numpy arrays and text
//! columns. Argument conversion only; the work is in `tamis_core::partitioned`.
//!
//! The kernels read the arrays in place with the GIL released, as numpy's own loops do: another
//! Python thread must not write to them during the call (`tamis.ray` passes arrays it just made).

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use tamis_core::partitioned::{self as core, BandColumns, BandRows, Labels, Links, StarStep};

use crate::errors::PyTamisError;
use crate::fuzzy::fuzzy_options;
use crate::gil::run_detached;
use crate::texts::TextColumn;

type U64Array<'py> = PyReadonlyArray1<'py, u64>;

/// The options of a near-duplicate run, built once per task: banding and hash functions included.
#[pyclass(module = "tamis._tamis", frozen)]
pub struct NearPlan(core::NearPlan);

#[pymethods]
impl NearPlan {
    #[new]
    #[pyo3(signature = (*, threshold = 0.8, num_perm = 128, unit = "word", ngram = 5, normalize = "standard",
                        method = "fss", seed = 1, bands = None, rows = None, fp_weight = 0.02, fn_weight = 0.98,
                        verify = "exact", keep = "first"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        threshold: f64,
        num_perm: usize,
        unit: &str,
        ngram: usize,
        normalize: &str,
        method: &str,
        seed: u64,
        bands: Option<usize>,
        rows: Option<usize>,
        fp_weight: f64,
        fn_weight: f64,
        verify: &str,
        keep: &str,
    ) -> PyResult<Self> {
        let options = fuzzy_options(
            threshold, num_perm, unit, ngram, normalize, method, seed, bands, rows, fp_weight,
            fn_weight, verify, keep,
        )?;
        Ok(NearPlan(
            core::NearPlan::new(options).map_err(PyTamisError)?,
        ))
    }

    #[getter]
    fn bands(&self) -> usize {
        self.0.params().bands
    }

    #[getter]
    fn rows(&self) -> usize {
        self.0.params().rows
    }

    /// Stage 1: `{band, hash, row, key_high, key_low, part}` for a block of texts and their row numbers.
    #[allow(clippy::needless_pass_by_value)]
    fn band_rows<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        rows: U64Array<'py>,
        parts: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let column = TextColumn::extract(texts)?;
        let texts = column.rows()?;
        let rows = rows.as_slice()?;
        let (out, partitions) = run_detached(py, |_| {
            let out = self.0.band_rows(&texts, rows)?;
            let partitions = out.partitions(parts);
            Ok((out, partitions))
        })?;
        let BandRows {
            band,
            hash,
            row,
            key_high,
            key_low,
        } = out;
        let dict = PyDict::new(py);
        dict.set_item("band", band.into_pyarray(py))?;
        dict.set_item("hash", hash.into_pyarray(py))?;
        dict.set_item("row", row.into_pyarray(py))?;
        dict.set_item("key_high", key_high.into_pyarray(py))?;
        dict.set_item("key_low", key_low.into_pyarray(py))?;
        dict.set_item("part", partitions.into_pyarray(py))?;
        Ok(dict)
    }

    /// Stage 3: the similarity of each pair of texts, as the local engine measures it.
    fn pair_similarity<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (a, b) = (TextColumn::extract(a)?, TextColumn::extract(b)?);
        let (a, b) = (a.rows()?, b.rows()?);
        let similarity = run_detached(py, |_| self.0.pair_similarity(&a, &b))?;
        Ok(similarity.into_pyarray(py))
    }
}

fn links_to_dict(py: Python<'_>, links: Links, parts: u32) -> PyResult<Bound<'_, PyDict>> {
    let partitions = links.partitions(parts);
    let dict = PyDict::new(py);
    dict.set_item("a", links.a.into_pyarray(py))?;
    dict.set_item("b", links.b.into_pyarray(py))?;
    dict.set_item("exact", links.exact.into_pyarray(py))?;
    dict.set_item("part", partitions.into_pyarray(py))?;
    Ok(dict)
}

/// Stage 2: `{a, b, exact, part}` links of one partition of band rows (`part` for the next shuffle).
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn bucket_links<'py>(
    py: Python<'py>,
    band: PyReadonlyArray1<'py, u32>,
    hash: U64Array<'py>,
    row: U64Array<'py>,
    key_high: U64Array<'py>,
    key_low: U64Array<'py>,
    parts: u32,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = BandColumns::new(
        band.as_slice()?,
        hash.as_slice()?,
        row.as_slice()?,
        key_high.as_slice()?,
        key_low.as_slice()?,
    )
    .map_err(PyTamisError)?;
    let links = run_detached(py, |_| Ok(core::bucket_links(&rows)))?;
    links_to_dict(py, links, parts)
}

/// The links of one partition, each once.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn dedupe_links<'py>(
    py: Python<'py>,
    a: U64Array<'py>,
    b: U64Array<'py>,
    exact: PyReadonlyArray1<'py, bool>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b, exact) = (a.as_slice()?, b.as_slice()?, exact.as_slice()?);
    if a.len() != b.len() || a.len() != exact.len() {
        return Err(PyTamisError(tamis_core::Error::InvalidArgument(
            "links need equal-length a, b and exact columns".into(),
        ))
        .into());
    }
    let links = run_detached(py, |_| Ok(core::dedupe_links(a, b, exact)))?;
    links_to_dict(py, links, 1)
}

/// The partition (`0..parts`) of each key.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn partition_of<'py>(
    py: Python<'py>,
    keys: U64Array<'py>,
    parts: u32,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let keys = keys.as_slice()?;
    let partitions: Vec<u32> = run_detached(py, |_| {
        Ok(keys
            .iter()
            .map(|&key| core::partition_of(key, parts))
            .collect())
    })?;
    Ok(partitions.into_pyarray(py))
}

fn step_to_dict(py: Python<'_>, step: StarStep) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("src", step.src.into_pyarray(py))?;
    dict.set_item("dst", step.dst.into_pyarray(py))?;
    dict.set_item("changed", step.changed)?;
    Ok(dict)
}

fn labels_to_dict(py: Python<'_>, labels: Labels) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("row", labels.row.into_pyarray(py))?;
    dict.set_item("root", labels.root.into_pyarray(py))?;
    Ok(dict)
}

/// A large-star round on one partition of edges grouped by `src`.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn large_star<'py>(
    py: Python<'py>,
    src: U64Array<'py>,
    dst: U64Array<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let (src, dst) = (src.as_slice()?, dst.as_slice()?);
    step_to_dict(py, run_detached(py, |_| core::large_star(src, dst))?)
}

/// A small-star round on one partition of edges `(larger, smaller)` grouped by `src`.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn small_star<'py>(
    py: Python<'py>,
    src: U64Array<'py>,
    dst: U64Array<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let (src, dst) = (src.as_slice()?, dst.as_slice()?);
    step_to_dict(py, run_detached(py, |_| core::small_star(src, dst))?)
}

/// `{row, root}` labels from converged star edges `(leaf, centre)` grouped by centre.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn star_labels<'py>(
    py: Python<'py>,
    leaf: U64Array<'py>,
    centre: U64Array<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let (leaf, centre) = (leaf.as_slice()?, centre.as_slice()?);
    labels_to_dict(py, run_detached(py, |_| core::star_labels(leaf, centre))?)
}

/// `{row, root}` labels of every node of the edges `(a, b)` by union-find, on one machine.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
pub fn union_find_labels<'py>(
    py: Python<'py>,
    a: U64Array<'py>,
    b: U64Array<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (a.as_slice()?, b.as_slice()?);
    labels_to_dict(py, run_detached(py, |_| core::union_find_labels(a, b))?)
}

/// `{root, survivor}` of the clusters whose members one partition holds.
#[pyfunction]
#[pyo3(signature = (root, row, length, score = None, keep = "first"))]
#[allow(clippy::needless_pass_by_value)]
pub fn choose_survivors<'py>(
    py: Python<'py>,
    root: U64Array<'py>,
    row: U64Array<'py>,
    length: U64Array<'py>,
    score: Option<PyReadonlyArray1<'py, f64>>,
    keep: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let policy = keep.parse().map_err(PyTamisError)?;
    let (root, row, length) = (root.as_slice()?, row.as_slice()?, length.as_slice()?);
    let score = score.as_ref().map(PyReadonlyArray1::as_slice).transpose()?;
    let (roots, survivors) = run_detached(py, |_| {
        core::choose_survivors(root, row, length, score, policy)
    })?;
    let dict = PyDict::new(py);
    dict.set_item("root", roots.into_pyarray(py))?;
    dict.set_item("survivor", survivors.into_pyarray(py))?;
    Ok(dict)
}
