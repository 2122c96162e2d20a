//! Progress of a long stage: a bar with throughput and time left on a terminal, a plain line every
//! few seconds otherwise (logs, CI), nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const PLAIN_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    stage: &'static str,
    bar: Option<ProgressBar>,
    plain: bool,
    total: u64,
    done: u64,
    bytes: u64,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// Tracks `total` documents of `stage`.
    pub fn new(stage: &'static str, total: u64, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:<10} {bar:30} {pos}/{len} documents  {msg}  {eta} left",
                )
                .expect("valid template"),
            );
            bar.set_prefix(stage);
            bar
        });
        Progress {
            stage,
            bar,
            plain: !quiet && !terminal,
            total,
            done: 0,
            bytes: 0,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    /// One more document of `bytes` bytes of text is done.
    pub fn inc(&mut self, bytes: usize) {
        self.done += 1;
        self.bytes += bytes as u64;
        let rate = self.bytes as f64 / 1e6 / self.started.elapsed().as_secs_f64().max(1e-9);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if self.done.is_multiple_of(64) {
                bar.set_message(format!("{rate:.1} MB/s"));
            }
        } else if self.plain && self.last_line.elapsed() >= PLAIN_EVERY {
            self.last_line = Instant::now();
            let left = if self.done > 0 && self.total > self.done {
                let per_doc = self.started.elapsed().as_secs_f64() / self.done as f64;
                format!(
                    ", about {:.0} s left",
                    per_doc * (self.total - self.done) as f64
                )
            } else {
                String::new()
            };
            eprintln!(
                "{:<10} {}/{} documents, {rate:.1} MB/s{left}",
                self.stage, self.done, self.total
            );
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
