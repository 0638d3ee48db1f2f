//! Near-duplicate deduplication of a column, exposed as `tamis._tamis.dedup_fuzzy`.

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

use tamis_core::dedup::{
    FuzzyFileJob, FuzzyOptions, FuzzyStats, OnError, dedup_fuzzy as core_dedup_fuzzy,
};
use tamis_core::io::FieldPath;
use tamis_core::shingle::ShingleConfig;

use crate::dedup::{dedup_stats_to_dict, record_source};
use crate::errors::PyTamisError;
use crate::gil::run_detached;
use crate::texts::TextColumn;

#[pyfunction]
#[pyo3(signature = (texts, *, threshold = 0.8, num_perm = 128, unit = "word", ngram = 5, normalize = "standard",
                    method = "fss", seed = 1, bands = None, rows = None, fp_weight = 0.02, fn_weight = 0.98,
                    verify = "exact", keep = "first", scores = None))]
// PyO3 extracts arguments by value; the keyword list mirrors the Python signature.
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
pub fn dedup_fuzzy<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
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
    scores: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = fuzzy_options(
        threshold, num_perm, unit, ngram, normalize, method, seed, bands, rows, fp_weight,
        fn_weight, verify, keep,
    )?;
    let column = TextColumn::extract(texts)?;
    let rows_of_text = column.rows()?;
    let scores = scores
        .as_ref()
        .map(PyReadonlyArray1::as_slice)
        .transpose()?;
    let result = run_detached(py, |_| core_dedup_fuzzy(&rows_of_text, &options, scores))?;

    let dict = PyDict::new(py);
    dict.set_item("keep", result.keep.into_pyarray(py))?;
    dict.set_item("cluster", result.cluster.into_pyarray(py))?;
    dict.set_item("similarity", result.similarity.into_pyarray(py))?;
    let (left, (right, similarity)): (Vec<u32>, (Vec<u32>, Vec<f64>)) = result
        .edges
        .iter()
        .map(|edge| (edge.a, (edge.b, edge.similarity)))
        .unzip();
    dict.set_item("edge_a", left.into_pyarray(py))?;
    dict.set_item("edge_b", right.into_pyarray(py))?;
    dict.set_item("edge_similarity", similarity.into_pyarray(py))?;
    dict.set_item("stats", stats_to_dict(py, &result.stats)?)?;
    Ok(dict)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn fuzzy_options(
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
) -> PyResult<FuzzyOptions> {
    let banding = match (bands, rows) {
        (Some(bands), Some(rows)) => Some((bands, rows)),
        (None, None) => None,
        _ => {
            return Err(PyTamisError(tamis_core::Error::InvalidArgument(
                "give both bands and rows, or neither (then they follow from the threshold)".into(),
            ))
            .into());
        }
    };
    Ok(FuzzyOptions {
        threshold,
        num_perm,
        shingles: ShingleConfig::new(unit.parse().map_err(PyTamisError)?, ngram)
            .map_err(PyTamisError)?,
        normalization: normalize.parse().map_err(PyTamisError)?,
        method: method.parse().map_err(PyTamisError)?,
        seed,
        bands: banding,
        false_positive_weight: fp_weight,
        false_negative_weight: fn_weight,
        verification: verify.parse().map_err(PyTamisError)?,
        keep: keep.parse().map_err(PyTamisError)?,
    })
}

fn stats_to_dict<'py>(py: Python<'py>, stats: &FuzzyStats) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("records", stats.records)?;
    dict.set_item("nulls", stats.nulls)?;
    dict.set_item("exact_duplicates", stats.exact_duplicates)?;
    dict.set_item("candidates", stats.candidates)?;
    dict.set_item("verified", stats.verified)?;
    dict.set_item("rejected", stats.rejected)?;
    dict.set_item("clusters", stats.clusters)?;
    dict.set_item("removed", stats.removed)?;
    dict.set_item("bands", stats.bands)?;
    dict.set_item("rows", stats.rows)?;
    Ok(dict)
}

#[pyfunction]
#[pyo3(signature = (inputs, output, *, field = "text", format = None, chat = None, threshold = 0.8, num_perm = 128,
                    unit = "word", ngram = 5, normalize = "standard", method = "fss", seed = 1, bands = None,
                    rows = None, fp_weight = 0.02, fn_weight = 0.98, verify = "exact", keep = "first",
                    score_field = None, on_error = "fail", clusters = None, id_field = None, report = None, tokens = None, rejects = None, dry_run = false,
                    progress = false))]
// PyO3 extracts arguments by value; the keyword list mirrors the Python signature.
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
pub fn dedup_files_fuzzy<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    output: PathBuf,
    field: &str,
    format: Option<&str>,
    chat: Option<&str>,
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
    score_field: Option<&str>,
    on_error: &str,
    clusters: Option<PathBuf>,
    id_field: Option<&str>,
    report: Option<PathBuf>,
    tokens: Option<String>,
    rejects: Option<PathBuf>,
    dry_run: bool,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let options = fuzzy_options(
        threshold, num_perm, unit, ngram, normalize, method, seed, bands, rows, fp_weight,
        fn_weight, verify, keep,
    )?;
    let (field, chat, format) = record_source(field, chat, format)?;
    let job = FuzzyFileJob {
        inputs,
        output,
        field,
        chat,
        format,
        options,
        on_error: OnError::parse(on_error).map_err(PyTamisError)?,
        clusters,
        id_field: id_field
            .map(FieldPath::parse)
            .transpose()
            .map_err(PyTamisError)?,
        report,
        tokens,
        score_field: score_field
            .map(FieldPath::parse)
            .transpose()
            .map_err(PyTamisError)?,
        dry_run,
        rejects,
        progress,
    };
    let stats = run_detached(py, |interrupted| job.run(interrupted))?;
    let dict = dedup_stats_to_dict(py, &stats.dedup)?;
    dict.set_item("near", stats_to_dict(py, &stats.fuzzy)?)?;
    if let (Some(tokens_in), Some(tokens_out)) = (stats.tokens_in, stats.tokens_out) {
        dict.set_item("tokens_in", tokens_in)?;
        dict.set_item("tokens_out", tokens_out)?;
    }
    if let Some(guide) = &stats.guide {
        let outcomes = guide
            .outcomes
            .iter()
            .map(|outcome| {
                let entry = PyDict::new(py);
                entry.set_item("threshold", outcome.threshold)?;
                entry.set_item("verified", outcome.verified)?;
                entry.set_item("clusters", outcome.clusters)?;
                entry.set_item("removed", outcome.removed)?;
                Ok(entry)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let guide_dict = PyDict::new(py);
        guide_dict.set_item("histogram", guide.histogram.clone())?;
        guide_dict.set_item("outcomes", outcomes)?;
        dict.set_item("guide", guide_dict)?;
    }
    Ok(dict)
}
