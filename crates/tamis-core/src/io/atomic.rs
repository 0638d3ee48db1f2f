//! Outputs appear whole or not at all: we write to a hidden temporary file beside the target and rename it
//! over the target only when the run succeeded. A run that fails or is interrupted leaves nothing behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written; dropped without [`AtomicFile::commit`], it disappears.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let parent = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(Error::io(
                target,
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("directory {} does not exist", parent.display()),
                ),
            ));
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = parent.join(format!(".{name}.tamis-{}.tmp", std::process::id()));
        let file = File::create(&temp).map_err(|source| Error::io(target, source))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.target
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let writer = self.writer.as_mut().ok_or_else(|| closed(&self.target))?;
        writer
            .write_all(bytes)
            .map_err(|source| Error::io(&self.target, source))
    }

    /// Flushes, syncs and renames the temporary file over the target. If any step fails (a full disk
    /// often shows only here, when the last buffered bytes are written), the temporary file is removed.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().ok_or_else(|| closed(&self.target))?;
        let published = self.publish(writer);
        if published.is_err() {
            // Best effort, as in `drop`: the error being returned matters more.
            let _ = fs::remove_file(&self.temp);
        }
        published
    }

    fn publish(&self, writer: BufWriter<File>) -> Result<()> {
        let file = writer
            .into_inner()
            .map_err(|error| Error::io(&self.target, error.into_error()))?;
        file.sync_all()
            .map_err(|source| Error::io(&self.target, source))?;
        drop(file);
        fs::rename(&self.temp, &self.target).map_err(|source| Error::io(&self.target, source))
    }
}

/// So that writers of other formats (Parquet) can stream into an atomic output.
impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.writer.as_mut() {
            Some(writer) => writer.write(bytes),
            None => Err(io::Error::other("output already closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.writer.as_mut() {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

fn closed(target: &Path) -> Error {
    Error::io(target, io::Error::other("output already closed"))
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Best effort: the run is already failing, and the temp file is hidden if removal fails.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_publishes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"hello\n").unwrap();
        assert!(!target.exists(), "nothing visible before commit");
        file.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"hello\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn drop_without_commit_leaves_nothing_and_keeps_an_existing_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        fs::write(&target, b"old").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"partial").unwrap();
        drop(file);
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_commit_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // Renaming a file over a non-empty directory fails, as a flush on a full disk would.
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep"), b"x").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"data").unwrap();
        let error = file.commit().unwrap_err();
        assert!(error.to_string().contains("taken"), "{error}");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["taken"], "the temporary file is gone");
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_target() {
        let error = AtomicFile::create(Path::new("/nonexistent-dir/x/out.jsonl"))
            .err()
            .unwrap();
        assert!(matches!(error, Error::Io { .. }));
        assert!(
            error.to_string().contains("/nonexistent-dir/x/out.jsonl"),
            "{error}"
        );
    }
}
