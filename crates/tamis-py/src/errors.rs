//! The one place where engine errors become Python exceptions. The exception classes live in
//! `python/tamis/errors.py` so they can inherit from both `tamis.TamisError` and the builtin a user expects.

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use tamis_core::Error;

pyo3::import_exception!(tamis.errors, TamisError);
pyo3::import_exception!(tamis.errors, InvalidInputError);
pyo3::import_exception!(tamis.errors, InvalidOptionError);
pyo3::import_exception!(tamis.errors, CorruptInputError);
pyo3::import_exception!(tamis.errors, FieldNotFoundError);
pyo3::import_exception!(tamis.errors, FieldTypeError);
pyo3::import_exception!(tamis.errors, NotFoundError);
pyo3::import_exception!(tamis.errors, TamisIOError);
pyo3::import_exception!(tamis.errors, TamisFileNotFoundError);

/// An engine error on its way to Python. `?` converts it through `From<PyTamisError> for PyErr`.
pub struct PyTamisError(pub Error);

impl From<Error> for PyTamisError {
    fn from(error: Error) -> Self {
        PyTamisError(error)
    }
}

impl From<PyTamisError> for PyErr {
    fn from(PyTamisError(error): PyTamisError) -> PyErr {
        let message = error.to_string();
        match error {
            Error::Io { path, source } => {
                // OSError(errno, strerror, filename) fills `.errno` and `.filename` as users expect.
                let errno = source.raw_os_error().unwrap_or(0);
                let args = (
                    errno,
                    source.to_string(),
                    path.to_string_lossy().into_owned(),
                );
                if source.kind() == std::io::ErrorKind::NotFound {
                    TamisFileNotFoundError::new_err(args)
                } else {
                    TamisIOError::new_err(args)
                }
            }
            Error::Corrupt { .. } => CorruptInputError::new_err(message),
            Error::InvalidRecord { .. } | Error::EmptyFile { .. } => {
                InvalidInputError::new_err(message)
            }
            Error::MissingField { .. } => FieldNotFoundError::new_err(message),
            Error::FieldType { .. } => FieldTypeError::new_err(message),
            Error::InvalidArgument(_) => InvalidOptionError::new_err(message),
            Error::NotFound(_) => NotFoundError::new_err(message),
            Error::Interrupted => PyKeyboardInterrupt::new_err(message),
        }
    }
}

/// A panic is a bug in tamis, never the user's fault: say so, and keep the interpreter alive.
pub fn internal_error(payload: &(dyn std::any::Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    TamisError::new_err(format!(
        "internal error in tamis (please report it): {what}"
    ))
}
