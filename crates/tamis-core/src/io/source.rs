//! Opening an input file, transparently decompressing `.gz` and `.zst`, and counting the bytes read from
//! disk so a progress bar can show how far along we are.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::format::Compression;
use crate::error::{Error, Result};

/// Shared count of compressed bytes read so far, across all inputs of a run.
#[derive(Debug, Clone, Default)]
pub struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts bytes read by a reader that does not go through [`open_input`] (Parquet).
    pub fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

struct CountingReader<R> {
    inner: R,
    counter: ByteCounter,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.counter.0.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

/// Opens `path` for reading, decompressing by extension. Errors name the file.
pub fn open_input(path: &Path, counter: &ByteCounter) -> Result<Box<dyn Read + Send>> {
    let file = File::open(path).map_err(|source| Error::io(path, source))?;
    if file.metadata().is_ok_and(|meta| meta.is_dir()) {
        return Err(Error::io(
            path,
            io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory, expected a file",
            ),
        ));
    }
    let counted = CountingReader {
        inner: file,
        counter: counter.clone(),
    };
    let buffered = BufReader::with_capacity(1 << 20, counted);
    Ok(match Compression::of(path) {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered).map_err(
            |source| Error::Corrupt {
                path: path.to_path_buf(),
                source,
            },
        )?),
    })
}
