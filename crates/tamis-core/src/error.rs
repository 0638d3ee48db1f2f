//! The one error type of the engine. Every user-data path returns [`Result`]; the Python bindings map each
//! variant to the exception a user expects, so the message must say what was wrong and where.

use std::fmt;
use std::path::PathBuf;

/// Where a bad record sits: a line of a file, or a row of an in-memory column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number in a file, as editors and `sed -n` count.
    Line { path: PathBuf, line: u64 },
    /// 0-based row index of an in-memory batch (a list, an Arrow array).
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { path, line } => write!(f, "{}:{line}", path.display()),
            Location::Row(row) => write!(f, "row {row}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file system refused: missing file, permission, full disk.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A compressed stream is truncated or corrupt.
    #[error("{}: corrupt or truncated compressed data: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A record that cannot be read: malformed JSON, invalid UTF-8.
    #[error("{location}: {message}")]
    InvalidRecord { location: Location, message: String },
    /// The selected field is absent from a record.
    #[error("{location}: field '{field}' not found")]
    MissingField { location: Location, field: String },
    /// The selected field holds something of the wrong type.
    #[error("{location}: field '{field}' is {found}, expected {expected}")]
    FieldType {
        location: Location,
        field: String,
        found: &'static str,
        expected: &'static str,
    },
    /// A file that holds no record at all.
    #[error("{}: file is empty", path.display())]
    EmptyFile { path: PathBuf },
    /// A caller-supplied option that makes no sense (unknown mode, output equal to an input, ...).
    #[error("{0}")]
    InvalidArgument(String),
    /// A name that is not known (an encoding, a model, a token).
    #[error("{0}")]
    NotFound(String),
    /// The run was interrupted (Ctrl-C); nothing partial was left behind.
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
