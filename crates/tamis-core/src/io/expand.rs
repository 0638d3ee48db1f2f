//! Turning what a user typed into a list of input files: plain files stay as given, a directory expands to
//! the dataset files below it, a glob pattern (`data/*.jsonl.gz`, `data/**/*.txt`) to its matches. Each
//! expansion is sorted so runs are reproducible.

use std::path::{Path, PathBuf};

use super::format::InputFormat;
use crate::error::{Error, Result};

/// Expands directories and glob patterns; fails on a pattern or directory that yields no dataset file.
pub fn expand_inputs(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in given {
        let text = path.to_string_lossy();
        if path.is_dir() {
            let before = files.len();
            collect_directory(path, &mut files)?;
            files[before..].sort();
            if files.len() == before {
                return Err(Error::InvalidArgument(format!(
                    "{}: directory holds no .jsonl, .ndjson, .json, .txt (plain, .gz or .zst) or .parquet file",
                    path.display()
                )));
            }
        } else if !path.exists() && text.contains(['*', '?', '[']) {
            // As in a shell, `*` does not match hidden files.
            let options = glob::MatchOptions {
                require_literal_leading_dot: true,
                ..glob::MatchOptions::new()
            };
            let pattern = glob::glob_with(&text, options).map_err(|error| {
                Error::InvalidArgument(format!("invalid pattern '{text}': {error}"))
            })?;
            let mut matched: Vec<PathBuf> = pattern
                .filter_map(std::result::Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if matched.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "pattern '{text}' matches no file"
                )));
            }
            matched.sort();
            files.extend(matched);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_directory(directory: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(directory).map_err(|source| Error::io(directory, source))?;
    for entry in entries {
        let path = entry.map_err(|source| Error::io(directory, source))?.path();
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_directory(&path, files)?;
        } else if InputFormat::of(&path).is_ok() {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn directories_and_patterns_expand_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub")).unwrap();
        for name in [
            "b.jsonl",
            "a.txt.gz",
            "sub/c.jsonl.zst",
            "notes.md",
            ".hidden.jsonl",
        ] {
            fs::write(root.join(name), "x").unwrap();
        }
        let expanded = expand_inputs(&[root.to_path_buf()]).unwrap();
        let names: Vec<_> = expanded
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("a.txt.gz"),
                PathBuf::from("b.jsonl"),
                PathBuf::from("sub/c.jsonl.zst")
            ]
        );

        let pattern = root.join("*.jsonl");
        assert_eq!(expand_inputs(&[pattern]).unwrap(), [root.join("b.jsonl")]);
        assert!(expand_inputs(&[root.join("*.parquet")]).is_err());
        // A plain path is kept as given, even when missing: opening it reports the error with its name.
        assert_eq!(
            expand_inputs(&[root.join("missing.jsonl")]).unwrap(),
            [root.join("missing.jsonl")]
        );
    }

    #[test]
    fn a_directory_without_data_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("readme.md"), "x").unwrap();
        let error = expand_inputs(&[dir.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds no .jsonl"), "{error}");
    }
}
