//! Splitting a stream into chunks of whole lines. Chunks are large (a few MB) so that the work on the lines of
//! one chunk can be spread over threads while the next chunk is read.

use std::io::{self, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const CHUNK_BYTES: usize = 4 << 20;

/// A run of whole lines from one file. `lines` holds each line's byte range in `data`, without its `\n`.
#[derive(Debug, Default)]
pub struct LineChunk {
    pub data: Vec<u8>,
    pub lines: Vec<Range<usize>>,
    /// 1-based number of the first line of this chunk in its file (for Parquet: of the first row).
    pub first_line: u64,
    /// For Parquet chunks: which rows hold a null instead of a text (empty for line-based files).
    pub nulls: Vec<bool>,
}

impl LineChunk {
    pub fn line(&self, index: usize) -> &[u8] {
        &self.data[self.lines[index].clone()]
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Iterator over the line chunks of a stream.
pub struct LineChunks<R> {
    reader: R,
    path: PathBuf,
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
}

impl<R: Read> LineChunks<R> {
    pub fn new(reader: R, path: &Path) -> Self {
        LineChunks {
            reader,
            path: path.to_path_buf(),
            carry: Vec::new(),
            next_line: 1,
            done: false,
        }
    }

    /// Reads until the buffer holds at least one whole line and about `CHUNK_BYTES`, or the stream ends.
    fn fill(&mut self) -> Result<Option<LineChunk>> {
        let mut data = std::mem::take(&mut self.carry);
        let mut scanned = 0;
        let mut last_newline = None;
        loop {
            if let Some(position) = memchr::memrchr(b'\n', &data[scanned..]) {
                last_newline = Some(scanned + position);
            }
            scanned = data.len();
            if last_newline.is_some() && data.len() >= CHUNK_BYTES {
                break;
            }
            let start = data.len();
            data.resize(start + CHUNK_BYTES.max(start / 2), 0);
            let read = self.read_some(&mut data[start..])?;
            data.truncate(start + read);
            if read == 0 {
                self.done = true;
                break;
            }
        }
        let end = match last_newline {
            Some(newline) if !self.done => newline + 1,
            _ => data.len(),
        };
        self.carry = data.split_off(end);
        if data.is_empty() {
            return Ok(None);
        }
        let lines = split_lines(&data);
        let chunk = LineChunk {
            data,
            first_line: self.next_line,
            lines,
            nulls: Vec::new(),
        };
        self.next_line += chunk.lines.len() as u64;
        Ok(Some(chunk))
    }

    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match self.reader.read(buf) {
                Ok(read) => return Ok(read),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => return Err(classify_read_error(&self.path, source)),
            }
        }
    }
}

/// Decompressors report damage as `InvalidData`/`InvalidInput`/`UnexpectedEof`; anything else came from the OS.
fn classify_read_error(path: &Path, source: io::Error) -> Error {
    let path = path.to_path_buf();
    match source.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof => {
            Error::Corrupt { path, source }
        }
        _ => Error::Io { path, source },
    }
}

fn split_lines(data: &[u8]) -> Vec<Range<usize>> {
    let mut lines = Vec::with_capacity(data.len() / 256 + 1);
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', data) {
        lines.push(start..newline);
        start = newline + 1;
    }
    if start < data.len() {
        lines.push(start..data.len());
    }
    lines
}

impl<R: Read> Iterator for LineChunks<R> {
    type Item = Result<LineChunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done && self.carry.is_empty() {
            return None;
        }
        self.fill().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        for chunk in LineChunks::new(input, Path::new("mem")) {
            let chunk = chunk.unwrap();
            for index in 0..chunk.len() {
                out.push((chunk.first_line + index as u64, chunk.line(index).to_vec()));
            }
        }
        out
    }

    #[test]
    fn splits_lines_and_numbers_them_from_one() {
        let lines = collect(b"a\n\nbc\nlast");
        let expected: Vec<(u64, Vec<u8>)> = vec![
            (1, b"a".to_vec()),
            (2, b"".to_vec()),
            (3, b"bc".to_vec()),
            (4, b"last".to_vec()),
        ];
        assert_eq!(lines, expected);
    }

    #[test]
    fn trailing_newline_adds_no_empty_line_and_empty_input_has_none() {
        assert_eq!(collect(b"x\ny\n").len(), 2);
        assert!(collect(b"").is_empty());
    }

    #[test]
    fn lines_longer_than_a_chunk_stay_whole_across_chunks() {
        let long = vec![b'x'; CHUNK_BYTES * 2 + 17];
        let mut input = b"first\n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\nlast\n");
        let lines = collect(&input);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], (2, long));
        assert_eq!(lines[2], (3, b"last".to_vec()));
    }

    #[test]
    fn many_lines_across_chunk_boundaries_keep_numbering() {
        let input: Vec<u8> = (0..300_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let lines = collect(&input);
        assert_eq!(lines.len(), 300_000);
        for (number, line) in lines.iter().step_by(9_973) {
            assert_eq!(line, format!("line {}", number - 1).as_bytes());
        }
    }
}
