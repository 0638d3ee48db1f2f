//! Which kind of records a file holds, decided from its name.

use std::path::Path;

use crate::error::{Error, Result};

/// How a file's lines become records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object per line; the text is one field of it.
    Jsonl,
    /// One document per line, taken whole.
    Text,
    /// An Apache Parquet file; the text is one (string) column, possibly nested (`meta.body`).
    Parquet,
}

/// Compression is chosen from the last extension alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn of(path: &Path) -> Compression {
        match extension(path).as_deref() {
            Some("gz") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

impl InputFormat {
    /// `data.jsonl.gz` is JSONL, `notes.txt.zst` is text. Unknown extensions are an error rather than a guess,
    /// so that a stray binary file is not read as text.
    pub fn of(path: &Path) -> Result<InputFormat> {
        let inner = if Compression::of(path) == Compression::None {
            path.to_path_buf()
        } else {
            path.with_extension("")
        };
        match extension(&inner).as_deref() {
            Some("jsonl" | "ndjson" | "json") => Ok(InputFormat::Jsonl),
            Some("txt" | "text") => Ok(InputFormat::Text),
            Some("parquet" | "pq") if inner == path => Ok(InputFormat::Parquet),
            _ => Err(Error::InvalidArgument(format!(
                "{}: cannot tell the format from the file name: expected .jsonl, .ndjson, .json or .txt \
                 (optionally followed by .gz or .zst), or .parquet",
                path.display()
            ))),
        }
    }

    pub fn parse(name: &str) -> Result<InputFormat> {
        match name {
            "jsonl" => Ok(InputFormat::Jsonl),
            "text" => Ok(InputFormat::Text),
            "parquet" => Ok(InputFormat::Parquet),
            other => Err(Error::InvalidArgument(format!(
                "unknown input format '{other}': expected jsonl, text or parquet"
            ))),
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_compression_from_name() {
        let cases = [
            ("a.jsonl", InputFormat::Jsonl, Compression::None),
            ("a.JSONL.GZ", InputFormat::Jsonl, Compression::Gzip),
            ("dir.v2/a.ndjson.zst", InputFormat::Jsonl, Compression::Zstd),
            ("a.txt", InputFormat::Text, Compression::None),
            ("a.txt.gz", InputFormat::Text, Compression::Gzip),
            ("part-0.parquet", InputFormat::Parquet, Compression::None),
        ];
        for (name, format, compression) in cases {
            let path = Path::new(name);
            assert_eq!(InputFormat::of(path).ok(), Some(format), "{name}");
            assert_eq!(Compression::of(path), compression, "{name}");
        }
    }

    #[test]
    fn unknown_extension_is_an_error_naming_the_file() {
        let error = InputFormat::of(Path::new("data.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("data.csv: cannot tell the format"),
            "{error}"
        );
    }
}
