//! The tokenizer, exposed as `tamis._tamis.CoreEncoding` plus a few module functions. The tiktoken-shaped
//! API (argument defaults, `"all"`, pickling, `decode` error handling) lives in `python/tamis/tokenizer.py`.

use std::path::PathBuf;
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use rayon::prelude::*;
use tamis_core::io::{FieldPath, InputFormat};
use tamis_core::tokenize::{self, Encoding, Rank, SpecialSet};
use tamis_core::tokenize_files::{TokenCountJob, TokenStats};

use crate::errors::PyTamisError;
use crate::gil::run_detached;
use crate::texts::TextColumn;
use crate::token_ints::TokenInts;

/// tiktoken's `allowed_special`: `"all"` or a collection of token texts.
enum Allowed {
    All,
    Only(Vec<String>),
}

impl Allowed {
    fn extract(value: &Bound<'_, PyAny>) -> PyResult<Allowed> {
        if let Ok(text) = value.cast::<PyString>() {
            return if text.to_str()? == "all" {
                Ok(Allowed::All)
            } else {
                Err(PyTypeError::new_err(
                    "allowed_special must be 'all' or a set of str, got a str",
                ))
            };
        }
        let mut tokens = Vec::new();
        for item in value.try_iter()? {
            tokens.push(item?.extract::<String>()?);
        }
        Ok(Allowed::Only(tokens))
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            Allowed::All => Vec::new(),
            Allowed::Only(tokens) => tokens.iter().map(String::as_str).collect(),
        }
    }
}

fn special_set<'a>(allowed: &Allowed, texts: &'a [&'a str]) -> SpecialSet<'a> {
    match allowed {
        Allowed::All => SpecialSet::All,
        Allowed::Only(_) if texts.is_empty() => SpecialSet::None,
        Allowed::Only(_) => SpecialSet::Only(texts),
    }
}

/// tiktoken's error for special-token text met where it is disallowed, in the same words.
fn disallowed_error(py: Python<'_>, token: &str) -> PyErr {
    let repr = PyString::new(py, token)
        .repr()
        .map_or_else(|_| format!("{token:?}"), |repr| repr.to_string());
    PyValueError::new_err(format!(
        "Encountered text corresponding to disallowed special token {repr}.\n\
         If you want this text to be encoded as a special token, pass it to `allowed_special`, \
         e.g. `allowed_special={{{repr}, ...}}`.\n\
         If you want this text to be encoded as normal text, disable the check for this token by \
         passing `disallowed_special=(enc.special_tokens_set - {{{repr}}})`.\n\
         To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    ))
}

/// A batch's tokens in one array, and the offsets of each row's tokens.
type FlatBatch<'py> = (Bound<'py, PyArray1<Rank>>, Bound<'py, PyArray1<i64>>);

/// A tokenizer: a bundled encoding or a custom one. Immutable and shared between threads.
#[pyclass(frozen, module = "tamis._tamis")]
pub struct CoreEncoding {
    inner: Arc<Encoding>,
    ints: TokenInts,
}

impl CoreEncoding {
    fn wrap(inner: Arc<Encoding>) -> Self {
        let ints = TokenInts::new(inner.max_token_value());
        CoreEncoding { inner, ints }
    }

    /// `work` on `text`, after refusing (if `check`) every special token that is not allowed.
    fn checked<T: Send>(
        &self,
        py: Python<'_>,
        text: &str,
        allowed: &Bound<'_, PyAny>,
        check: bool,
        work: impl Fn(&Encoding, &str, SpecialSet) -> tamis_core::Result<T> + Send + Sync,
    ) -> PyResult<T> {
        let allowed = Allowed::extract(allowed)?;
        let texts = allowed.texts();
        let set = special_set(&allowed, &texts);
        let outcome = run_detached(py, |_| {
            if check && let Some(token) = self.find_disallowed(text, &allowed) {
                return Ok(Err(token.to_owned()));
            }
            work(&self.inner, text, self.set_for(text, set)).map(Ok)
        })?;
        outcome.map_err(|token| disallowed_error(py, &token))
    }

    /// The first special token forbidden by `allowed` in `text` (tiktoken's `disallowed_special="all"`).
    fn find_disallowed<'t>(&self, text: &'t str, allowed: &Allowed) -> Option<&'t str> {
        let found = self.inner.find_special_token(text, SpecialSet::All)?;
        match allowed {
            Allowed::All => None,
            Allowed::Only(tokens) if tokens.is_empty() => Some(found),
            // The text holds a special token and some are allowed: search the others only.
            Allowed::Only(tokens) => {
                let texts: Vec<&str> = tokens.iter().map(String::as_str).collect();
                self.inner
                    .find_special_token(text, SpecialSet::AllExcept(&texts))
            }
        }
    }

    /// `set` for `text`: a text holding no special token at all needs no (per-call) subset matcher.
    fn set_for<'a>(&self, text: &str, set: SpecialSet<'a>) -> SpecialSet<'a> {
        match set {
            SpecialSet::Only(_)
                if self
                    .inner
                    .find_special_token(text, SpecialSet::All)
                    .is_none() =>
            {
                SpecialSet::None
            }
            other => other,
        }
    }

    /// Runs `work` on every row after the disallowed-special check (if `check`), reporting the first
    /// offending row in input order.
    fn batch<T: Send>(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        allowed: &Allowed,
        check: bool,
        work: impl Fn(&Encoding, &str, SpecialSet) -> tamis_core::Result<T> + Sync + Send,
    ) -> PyResult<Vec<T>> {
        let column = TextColumn::extract(texts)?;
        let rows = column.rows()?;
        let texts = allowed.texts();
        let set = special_set(allowed, &texts);
        let encoding = &*self.inner;
        let (found, results) = run_detached(py, |_| {
            if check {
                let hit = rows.par_iter().find_map_first(|row| {
                    row.and_then(|text| self.find_disallowed(text, allowed))
                        .map(str::to_owned)
                });
                if hit.is_some() {
                    return Ok((hit, Vec::new()));
                }
            }
            let results = rows
                .par_iter()
                .map(|row| {
                    let text = row.unwrap_or("");
                    work(encoding, text, self.set_for(text, set))
                })
                .collect::<tamis_core::Result<Vec<T>>>()?;
            Ok((None, results))
        })?;
        match found {
            Some(token) => Err(disallowed_error(py, &token)),
            None => Ok(results),
        }
    }
}

// pyo3 hands token lists over as owned vectors; borrowing them is not an option.
#[allow(clippy::needless_pass_by_value)]
#[pymethods]
impl CoreEncoding {
    #[new]
    #[pyo3(signature = (name, pat_str, mergeable_ranks, special_tokens, explicit_n_vocab = None))]
    fn new(
        py: Python<'_>,
        name: &str,
        pat_str: &str,
        mergeable_ranks: &Bound<'_, PyDict>,
        special_tokens: &Bound<'_, PyDict>,
        explicit_n_vocab: Option<usize>,
    ) -> PyResult<Self> {
        let mut ranks = Vec::with_capacity(mergeable_ranks.len());
        for (token, rank) in mergeable_ranks.iter() {
            let token = token
                .cast_into::<PyBytes>()
                .map_err(|_| PyTypeError::new_err("mergeable_ranks keys must be bytes"))?;
            ranks.push((token.as_bytes().to_vec(), rank.extract::<Rank>()?));
        }
        let mut specials = Vec::with_capacity(special_tokens.len());
        for (token, rank) in special_tokens.iter() {
            specials.push((token.extract::<String>()?, rank.extract::<Rank>()?));
        }
        let inner = run_detached(py, |_| {
            Encoding::new(name, pat_str, &ranks, &specials, explicit_n_vocab)
        })?;
        Ok(CoreEncoding::wrap(Arc::new(inner)))
    }

    #[staticmethod]
    fn get(py: Python<'_>, name: &str) -> PyResult<Self> {
        let inner = run_detached(py, |_| Encoding::get(name))?;
        Ok(CoreEncoding::wrap(inner))
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    #[getter]
    fn pat_str(&self) -> &str {
        self.inner.pat_str()
    }

    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    #[getter]
    fn max_token_value(&self) -> Rank {
        self.inner.max_token_value()
    }

    /// The special tokens and their ids, sorted by id.
    fn special_tokens(&self) -> Vec<(String, Rank)> {
        self.inner
            .special_tokens()
            .into_iter()
            .map(|(text, rank)| (text.to_owned(), rank))
            .collect()
    }

    fn is_special_token(&self, token: Rank) -> bool {
        self.inner.is_special_token(token)
    }

    fn encode_ordinary<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyList>> {
        let tokens = run_detached(py, |_| self.inner.encode_ordinary(text))?;
        self.ints.list(py, &tokens)
    }

    /// `encode`, refusing (if `check`) every special token that is not allowed.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        allowed: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let tokens = self.checked(py, text, allowed, check, Encoding::encode)?;
        self.ints.list(py, &tokens)
    }

    fn encode_to_numpy<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        allowed: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<Bound<'py, PyArray1<Rank>>> {
        Ok(self
            .checked(py, text, allowed, check, Encoding::encode)?
            .into_pyarray(py))
    }

    /// The number of tokens `encode` gives, without keeping them.
    fn count(
        &self,
        py: Python<'_>,
        text: &str,
        allowed: &Bound<'_, PyAny>,
        check: bool,
    ) -> PyResult<usize> {
        self.checked(py, text, allowed, check, Encoding::count)
    }

    fn encode_ordinary_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let rows = self.batch(py, texts, &Allowed::Only(Vec::new()), false, |e, t, _| {
            e.encode_ordinary(t)
        })?;
        self.ints.lists(py, rows)
    }

    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        allowed: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let allowed = Allowed::extract(allowed)?;
        let rows = self.batch(py, texts, &allowed, check, Encoding::encode)?;
        self.ints.lists(py, rows)
    }

    /// All the tokens of a batch in one array, with `offsets[i]..offsets[i + 1]` the tokens of row `i`.
    fn encode_batch_flat<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        allowed: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<FlatBatch<'py>> {
        let allowed = Allowed::extract(allowed)?;
        let rows = self.batch(py, texts, &allowed, check, Encoding::encode)?;
        let (ids, offsets) = py.detach(|| {
            let mut offsets = Vec::with_capacity(rows.len() + 1);
            offsets.push(0i64);
            let mut total = 0i64;
            for row in &rows {
                total += row.len() as i64;
                offsets.push(total);
            }
            let mut ids = Vec::with_capacity(total as usize);
            for row in &rows {
                ids.extend_from_slice(row);
            }
            (ids, offsets)
        });
        Ok((ids.into_pyarray(py), offsets.into_pyarray(py)))
    }

    fn count_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        allowed: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let allowed = Allowed::extract(allowed)?;
        let counts = self.batch(py, texts, &allowed, check, |e, t, set| {
            e.count(t, set).map(|count| count as i64)
        })?;
        Ok(counts.into_pyarray(py))
    }

    fn encode_single_token(&self, token: &[u8]) -> PyResult<Rank> {
        Ok(self
            .inner
            .encode_single_token(token)
            .map_err(PyTamisError)?)
    }

    fn encode_single_piece<'py>(
        &self,
        py: Python<'py>,
        piece: &[u8],
    ) -> PyResult<Bound<'py, PyList>> {
        let tokens = run_detached(py, |_| Ok(self.inner.encode_single_piece(piece)))?;
        self.ints.list(py, &tokens)
    }

    fn decode_bytes<'py>(
        &self,
        py: Python<'py>,
        tokens: Vec<Rank>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = run_detached(py, |_| self.inner.decode_bytes(&tokens))?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn decode_bytes_batch<'py>(
        &self,
        py: Python<'py>,
        batch: Vec<Vec<Rank>>,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let decoded = run_detached(py, |_| self.inner.decode_bytes_batch(&batch))?;
        Ok(decoded
            .iter()
            .map(|bytes| PyBytes::new(py, bytes))
            .collect())
    }

    fn decode_single_token_bytes<'py>(
        &self,
        py: Python<'py>,
        token: Rank,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self
            .inner
            .decode_single_token_bytes(token)
            .map_err(PyTamisError)?;
        Ok(PyBytes::new(py, bytes))
    }

    fn decode_tokens_bytes<'py>(
        &self,
        py: Python<'py>,
        tokens: Vec<Rank>,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let pieces = self
            .inner
            .decode_tokens_bytes(&tokens)
            .map_err(PyTamisError)?;
        Ok(pieces
            .into_iter()
            .map(|bytes| PyBytes::new(py, bytes))
            .collect())
    }

    fn decode_with_offsets(
        &self,
        py: Python<'_>,
        tokens: Vec<Rank>,
    ) -> PyResult<(String, Vec<usize>)> {
        run_detached(py, |_| self.inner.decode_with_offsets(&tokens))
    }

    /// Every mergeable token and its id (tiktoken's `_mergeable_ranks`).
    fn mergeable_ranks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ranks = PyDict::new(py);
        for bytes in self.inner.token_byte_values() {
            let rank = self
                .inner
                .encode_single_token(bytes)
                .map_err(PyTamisError)?;
            ranks.set_item(PyBytes::new(py, bytes), rank)?;
        }
        Ok(ranks)
    }

    fn token_byte_values<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.inner
            .token_byte_values()
            .into_iter()
            .map(|bytes| PyBytes::new(py, bytes))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("<CoreEncoding {:?}>", self.inner.name())
    }
}

#[pyfunction]
pub fn list_encoding_names() -> Vec<&'static str> {
    tokenize::ENCODING_NAMES.to_vec()
}

#[pyfunction]
pub fn encoding_name_for_model(model: &str) -> PyResult<&'static str> {
    Ok(tokenize::encoding_name_for_model(model).map_err(PyTamisError)?)
}

#[pyfunction]
#[pyo3(signature = (inputs, *, encoding, field = "text", format = None, per_doc = None, progress = false))]
pub fn count_tokens_files<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    encoding: &Bound<'py, CoreEncoding>,
    field: &str,
    format: Option<&str>,
    per_doc: Option<PathBuf>,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let job = TokenCountJob {
        inputs,
        field: FieldPath::parse(field).map_err(PyTamisError)?,
        format: format
            .map(InputFormat::parse)
            .transpose()
            .map_err(PyTamisError)?,
        encoding: encoding.get().inner.clone(),
        per_doc,
        progress,
    };
    let stats = run_detached(py, |interrupted| job.run(interrupted))?;
    token_stats_to_dict(py, &stats)
}

fn token_stats_to_dict<'py>(py: Python<'py>, stats: &TokenStats) -> PyResult<Bound<'py, PyDict>> {
    let files = stats
        .files
        .iter()
        .map(|file| {
            let entry = PyDict::new(py);
            entry.set_item("path", file.path.to_string_lossy())?;
            entry.set_item("documents", file.documents)?;
            entry.set_item("tokens", file.tokens)?;
            entry.set_item("text_bytes", file.text_bytes)?;
            entry.set_item("blank_lines", file.blank_lines)?;
            Ok(entry)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let dict = PyDict::new(py);
    dict.set_item("encoding", &stats.encoding)?;
    dict.set_item("documents", stats.documents)?;
    dict.set_item("tokens", stats.tokens)?;
    dict.set_item("text_bytes", stats.text_bytes)?;
    dict.set_item("blank_lines", stats.blank_lines)?;
    dict.set_item("p50", stats.p50)?;
    dict.set_item("p90", stats.p90)?;
    dict.set_item("p99", stats.p99)?;
    dict.set_item("max", stats.max)?;
    dict.set_item("seconds", stats.seconds)?;
    dict.set_item("files", files)?;
    Ok(dict)
}
