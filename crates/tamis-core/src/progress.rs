//! A progress bar on stderr for long runs, shown only when stderr is a terminal so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress over a known number of input bytes (as stored on disk), with records/s as the message.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// `wanted` is the caller's wish; the bar still stays hidden when stderr is not a terminal.
    pub fn new(wanted: bool, total_bytes: u64) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar =
            ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr_with_hz(4));
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar: Some(bar) }
    }

    pub fn update(&self, bytes_read: u64, records: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes_read);
            let seconds = bar.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{records} records, {:.0} records/s",
                records as f64 / seconds
            ));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
