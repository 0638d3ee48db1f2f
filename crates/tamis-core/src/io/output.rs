//! Where kept records go: one output file for all inputs, or, when the output is a directory, one file per
//! input under it with the same relative name (relative to the inputs' common folder, compression suffix
//! dropped: outputs are written uncompressed). JSONL and text lines are copied as they are read; Parquet
//! rows are remembered as keep flags and written at the end with the input's schema.

use std::path::{Component, Path, PathBuf};

use super::parquet::write_kept_rows;
use super::{AtomicFile, InputFormat, LineChunk, RecordFiles};
use crate::error::{Error, Result};

pub struct KeptOutput {
    files: Vec<AtomicFile>,
    per_input: bool,
    parquet: Vec<bool>,
    inputs: Vec<PathBuf>,
    /// For each Parquet input, one flag per row.
    flags: Vec<Vec<bool>>,
}

impl KeptOutput {
    /// `output` is a directory when it exists as one or ends with a path separator.
    pub fn create(output: &Path, inputs: &RecordFiles) -> Result<KeptOutput> {
        let as_text = output.to_string_lossy();
        let directory = output.is_dir()
            || as_text.ends_with('/')
            || as_text.ends_with(std::path::MAIN_SEPARATOR);
        let parquet: Vec<bool> = inputs
            .formats
            .iter()
            .map(|format| *format == InputFormat::Parquet)
            .collect();
        let base = KeptOutput {
            files: Vec::new(),
            per_input: directory,
            flags: vec![Vec::new(); parquet.len()],
            parquet,
            inputs: inputs.inputs.clone(),
        };
        if !directory {
            let all_parquet = base.parquet.iter().all(|&is| is);
            let output_parquet = InputFormat::of(output).ok() == Some(InputFormat::Parquet);
            if base.parquet.iter().any(|&is| is) && !(all_parquet && output_parquet) {
                return Err(Error::InvalidArgument(format!(
                    "{}: Parquet inputs keep their format, so the output must be a .parquet file (all inputs \
                     Parquet with one schema) or a directory (-o DIR/)",
                    output.display()
                )));
            }
            inputs.check_output(output)?;
            return Ok(KeptOutput {
                files: vec![AtomicFile::create(output)?],
                ..base
            });
        }
        let targets: Vec<PathBuf> = relative_names(&inputs.inputs)?
            .into_iter()
            .map(|name| output.join(name))
            .collect();
        let mut files = Vec::with_capacity(targets.len());
        for target in &targets {
            inputs.check_output(target)?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::io(parent, source))?;
            }
            files.push(AtomicFile::create(target)?);
        }
        Ok(KeptOutput { files, ..base })
    }

    /// Records the fate of record `offset` of `chunk`, from input number `input`: a kept JSONL or text line is
    /// written now (with a newline); a Parquet row's flag is remembered. Every Parquet row must be recorded,
    /// kept or not, rejected ones included.
    pub fn record(
        &mut self,
        input: usize,
        chunk: &LineChunk,
        offset: usize,
        kept: bool,
    ) -> Result<()> {
        if self.parquet[input] {
            self.flags[input].push(kept);
            return Ok(());
        }
        if !kept {
            return Ok(());
        }
        let index = if self.per_input { input } else { 0 };
        let file = &mut self.files[index];
        file.write_all(chunk.line(offset))?;
        file.write_all(b"\n")
    }

    pub fn commit(self) -> Result<()> {
        let KeptOutput {
            files,
            per_input,
            parquet,
            inputs,
            flags,
        } = self;
        if per_input {
            for (index, mut file) in files.into_iter().enumerate() {
                if parquet[index] {
                    write_kept_rows(&[(&inputs[index], &flags[index])], &mut file)?;
                }
                file.commit()?;
            }
        } else if let Some(mut file) = files.into_iter().next() {
            if parquet.iter().all(|&is| is) {
                let all: Vec<(&Path, &[bool])> = inputs
                    .iter()
                    .zip(&flags)
                    .map(|(path, flags)| (path.as_path(), flags.as_slice()))
                    .collect();
                write_kept_rows(&all, &mut file)?;
            }
            file.commit()?;
        }
        Ok(())
    }
}

/// Each input's path relative to the deepest folder holding them all, without `.gz`/`.zst`.
fn relative_names(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let absolute: Vec<PathBuf> = inputs
        .iter()
        .map(|path| {
            path.canonicalize()
                .map_err(|source| Error::io(path, source))
        })
        .collect::<Result<_>>()?;
    let mut common: Vec<Component<'_>> = match absolute.first().and_then(|first| first.parent()) {
        Some(parent) => parent.components().collect(),
        None => Vec::new(),
    };
    for path in &absolute {
        let parent: Vec<Component<'_>> = path
            .parent()
            .map(|p| p.components().collect())
            .unwrap_or_default();
        let shared = common
            .iter()
            .zip(&parent)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(shared);
    }
    let root: PathBuf = common.iter().collect();
    let names: Vec<PathBuf> = absolute
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap_or(path);
            // Outputs are uncompressed: `a.jsonl.gz` becomes `a.jsonl`.
            match relative.extension().and_then(|ext| ext.to_str()) {
                Some("gz" | "zst" | "zstd") => relative.with_extension(""),
                _ => relative.to_path_buf(),
            }
        })
        .collect();
    for (index, name) in names.iter().enumerate() {
        if names[..index].contains(name) {
            return Err(Error::InvalidArgument(format!(
                "two inputs would write the same output file {}: give a single output file instead",
                name.display()
            )));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::io::FieldPath;

    #[test]
    fn a_directory_output_mirrors_the_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("sub")).unwrap();
        fs::write(data.join("a.jsonl"), "{}").unwrap();
        fs::write(data.join("sub/b.jsonl.gz"), "x").unwrap();
        let inputs = RecordFiles::open(
            std::slice::from_ref(&data),
            None,
            FieldPath::parse("text").unwrap(),
        )
        .unwrap();
        let out = dir.path().join("out/");
        let mut kept = KeptOutput::create(&out, &inputs).unwrap();
        let chunk = |text: &str| LineChunk {
            data: text.as_bytes().to_vec(),
            lines: std::iter::once(0..text.len()).collect(),
            first_line: 1,
            nulls: Vec::new(),
        };
        kept.record(0, &chunk("first"), 0, true).unwrap();
        kept.record(1, &chunk("second"), 0, true).unwrap();
        kept.record(1, &chunk("dropped"), 0, false).unwrap();
        kept.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.jsonl")).unwrap(), "first\n");
        assert_eq!(
            fs::read_to_string(out.join("sub/b.jsonl")).unwrap(),
            "second\n"
        );
    }

    #[test]
    fn clashing_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), "{}").unwrap();
        fs::write(dir.path().join("a.jsonl.gz"), "x").unwrap();
        let paths = [dir.path().join("a.jsonl"), dir.path().join("a.jsonl.gz")];
        let inputs = RecordFiles::open(&paths, None, FieldPath::parse("text").unwrap()).unwrap();
        let error = KeptOutput::create(&dir.path().join("out/"), &inputs)
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("would write the same output file"),
            "{error}"
        );
    }
}
