//! Where kept records go: one output file for all inputs, or, when the output is a directory, one file per
//! input under it with the same relative name (relative to the inputs' common folder, compression suffix
//! dropped: outputs are written uncompressed).

use std::path::{Component, Path, PathBuf};

use super::{AtomicFile, RecordFiles};
use crate::error::{Error, Result};

pub struct KeptOutput {
    files: Vec<AtomicFile>,
    per_input: bool,
}

impl KeptOutput {
    /// `output` is a directory when it exists as one or ends with a path separator.
    pub fn create(output: &Path, inputs: &RecordFiles) -> Result<KeptOutput> {
        let as_text = output.to_string_lossy();
        let directory = output.is_dir()
            || as_text.ends_with('/')
            || as_text.ends_with(std::path::MAIN_SEPARATOR);
        if !directory {
            inputs.check_output(output)?;
            return Ok(KeptOutput {
                files: vec![AtomicFile::create(output)?],
                per_input: false,
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
        Ok(KeptOutput {
            files,
            per_input: true,
        })
    }

    /// Appends `line` and a newline to the output of input number `input`.
    pub fn write_line(&mut self, input: usize, line: &[u8]) -> Result<()> {
        let index = if self.per_input { input } else { 0 };
        let file = &mut self.files[index];
        file.write_all(line)?;
        file.write_all(b"\n")
    }

    pub fn commit(self) -> Result<()> {
        for file in self.files {
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
        kept.write_line(0, b"first").unwrap();
        kept.write_line(1, b"second").unwrap();
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
