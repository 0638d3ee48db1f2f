//! The self-contained HTML report of a near-duplicate run: what went in and out, the LSH S-curve with the
//! threshold, the verified similarities, the cluster sizes, and the largest clusters with their texts and
//! differences. No network, no scripts from elsewhere: one file that opens anywhere.

mod charts;
mod diff;
mod html;

pub use diff::{DiffPiece, word_diff};
pub use html::render;

/// One record shown in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub file: String,
    pub line: u64,
    pub text: String,
    /// Similarity to the cluster's survivor (1 for the survivor itself).
    pub similarity: f64,
}

/// One of the largest clusters: its survivor and a few removed members.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSample {
    pub cluster: i64,
    pub size: usize,
    pub survivor: Sample,
    pub members: Vec<Sample>,
}

/// Everything the report shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    pub title: String,
    pub inputs: Vec<String>,
    pub records: u64,
    pub kept: u64,
    pub removed: u64,
    pub rejected: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Tokens of the texts read and kept, when the run counted them (`--tokens ENCODING`).
    pub tokens: Option<(String, u64, u64)>,
    pub seconds: f64,
    pub threshold: f64,
    pub bands: usize,
    pub rows: usize,
    pub num_perm: usize,
    pub shingles: String,
    pub exact_duplicates: u64,
    pub candidates: u64,
    pub verified: u64,
    /// Similarity of every verified near-duplicate edge (exact duplicates excluded).
    pub similarities: Vec<f64>,
    /// Size of every cluster.
    pub cluster_sizes: Vec<usize>,
    pub largest: Vec<ClusterSample>,
}
