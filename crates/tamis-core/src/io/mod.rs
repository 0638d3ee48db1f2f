//! Reading datasets: opening (de)compressed files, splitting them into lines, pulling one field out of each
//! record, and writing outputs atomically.

pub mod atomic;
pub mod chat;
pub mod expand;
pub mod field;
pub mod format;
pub mod lines;
pub mod output;
pub mod parquet;
pub mod records;
pub mod source;

pub use atomic::AtomicFile;
pub use chat::ChatScope;
pub use expand::expand_inputs;
pub use field::{FieldPath, RecordError};
pub use format::InputFormat;
pub use lines::{LineChunk, LineChunks};
pub use output::KeptOutput;
pub use records::{Line, Origin, RecordFiles, extract_text};
pub use source::{ByteCounter, open_input};
