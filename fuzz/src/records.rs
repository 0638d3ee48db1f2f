//! Reading records: arbitrary bytes, as a plain, gzip or zstd JSONL or text file, a corrupt or truncated
//! compressed stream, or a Parquet file, go through a whole exact-dedup run (the public file API). The run
//! must end in `Ok` with every record accounted for (`kept + removed + rejected = records`, per file, and the
//! output files holding exactly those lines) or in a clean `Err` that leaves no output and no temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tamis_core::dedup::{DedupStats, ExactFileJob, OnError};
use tamis_core::io::{ChatScope, FieldPath};
use tamis_core::text::Normalization;

/// How the body of the input becomes a file.
#[derive(Debug, Clone, Copy)]
enum Container {
    Jsonl,
    Text,
    /// The body compressed here: a valid stream of arbitrary content.
    Gzip,
    Zstd,
    /// The body itself as the compressed file: a corrupt stream, mostly.
    RawGzip,
    RawZstd,
    /// A valid stream cut short.
    TruncatedGzip,
    TruncatedZstd,
    /// The body as a Parquet file (seeded with real ones).
    Parquet,
}

const CONTAINERS: [Container; 9] = [
    Container::Jsonl,
    Container::Text,
    Container::Gzip,
    Container::Zstd,
    Container::RawGzip,
    Container::RawZstd,
    Container::TruncatedGzip,
    Container::TruncatedZstd,
    Container::Parquet,
];

impl Container {
    fn file_name(self) -> &'static str {
        match self {
            Container::Jsonl => "in.jsonl",
            Container::Text => "in.txt",
            Container::Gzip | Container::RawGzip | Container::TruncatedGzip => "in.jsonl.gz",
            Container::Zstd | Container::RawZstd | Container::TruncatedZstd => "in.jsonl.zst",
            Container::Parquet => "in.parquet",
        }
    }

    fn bytes(self, body: &[u8]) -> Vec<u8> {
        match self {
            Container::Jsonl
            | Container::Text
            | Container::RawGzip
            | Container::RawZstd
            | Container::Parquet => body.to_vec(),
            Container::Gzip => gzip(body),
            Container::Zstd => zstd_bytes(body),
            Container::TruncatedGzip => truncated(gzip(body)),
            Container::TruncatedZstd => truncated(zstd_bytes(body)),
        }
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn zstd_bytes(body: &[u8]) -> Vec<u8> {
    zstd::encode_all(body, 1).expect("compressing in memory")
}

fn truncated(mut stream: Vec<u8>) -> Vec<u8> {
    stream.truncate(stream.len().saturating_sub(1).max(1) * 2 / 3);
    stream
}

/// A folder of this process's own, reused by every input.
fn folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("tamis-fuzz-records-{}", std::process::id()));
        std::fs::create_dir_all(&path).expect("creating the scratch folder");
        path
    })
}

/// Removes this process's scratch folder (the replay test calls it; a fuzzing run leaves it in the temp dir).
pub fn remove_scratch_folder() {
    let _ = std::fs::remove_dir_all(folder());
}

fn clear(folder: &Path) {
    for entry in std::fs::read_dir(folder).expect("listing the scratch folder") {
        let path = entry.expect("listing the scratch folder").path();
        std::fs::remove_file(&path).expect("emptying the scratch folder");
    }
}

fn count_lines(path: &Path) -> u64 {
    let bytes = std::fs::read(path).expect("a committed output is readable");
    memchr::memchr_iter(b'\n', &bytes).count() as u64
}

fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("listing the scratch folder")
        .map(|entry| {
            entry
                .expect("listing the scratch folder")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// What the two option bytes choose: field, chat scope, normalization, error policy.
struct Options {
    field: &'static str,
    chat: Option<ChatScope>,
    normalization: Normalization,
    on_error: OnError,
}

impl Options {
    fn from_byte(byte: u8) -> Options {
        let chat = [
            None,
            Some(ChatScope::All),
            Some(ChatScope::User),
            Some(ChatScope::FirstUser),
            Some(ChatScope::System),
        ][usize::from(byte % 5)];
        let byte = byte / 5;
        Options {
            field: if chat.is_some() {
                "messages"
            } else if byte & 1 == 0 {
                "text"
            } else {
                "meta.body"
            },
            chat,
            normalization: [
                Normalization::None,
                Normalization::Whitespace,
                Normalization::Standard,
            ][usize::from(byte / 2 % 3)],
            on_error: if (byte / 6).is_multiple_of(2) {
                OnError::Skip
            } else {
                OnError::Fail
            },
        }
    }
}

fn check_accounting(stats: &DedupStats, options: &Options, folder: &Path, parquet: bool) {
    let sum = stats.kept + stats.removed + stats.rejected;
    assert_eq!(stats.records, sum, "kept + removed + rejected != records");
    for file in &stats.files {
        assert_eq!(file.records, file.kept + file.removed + file.rejected);
    }
    if options.on_error == OnError::Fail {
        assert_eq!(stats.rejected, 0, "on_error=fail rejected a record");
    }
    assert_eq!(count_lines(&folder.join("removed.jsonl")), stats.removed);
    assert_eq!(count_lines(&folder.join("rejects.jsonl")), stats.rejected);
    if !parquet {
        assert_eq!(count_lines(&folder.join("out.jsonl")), stats.kept);
    }
}

pub fn check(data: &[u8]) {
    let [kind, options, body @ ..] = data else {
        return;
    };
    let container = CONTAINERS[usize::from(*kind) % CONTAINERS.len()];
    let options = Options::from_byte(*options);
    let folder = folder();
    clear(folder);
    let input = folder.join(container.file_name());
    std::fs::write(&input, container.bytes(body)).expect("writing the input");
    let parquet = matches!(container, Container::Parquet);
    let job = ExactFileJob {
        inputs: vec![input],
        output: folder.join(if parquet { "out.parquet" } else { "out.jsonl" }),
        field: FieldPath::parse(options.field).expect("a valid field path"),
        chat: options.chat,
        format: None,
        normalization: options.normalization,
        on_error: options.on_error,
        duplicates: Some(folder.join("removed.jsonl")),
        rejects: Some(folder.join("rejects.jsonl")),
        progress: false,
    };
    match job.run(&|| false) {
        Ok(stats) => check_accounting(&stats, &options, folder, parquet),
        Err(error) => {
            assert!(
                !error.to_string().is_empty(),
                "an error says what went wrong"
            );
            assert_eq!(
                names(folder),
                [container.file_name()],
                "a failed run leaves no output: {error}"
            );
        }
    }
}
