//! Progress of a long stage: a bar with throughput and time left on a terminal, a plain line every
//! few seconds otherwise (logs, CI), nothing with `--quiet`. Time left is the average pace so far
//! applied to what remains, shown once a second has passed and a hundredth of the work is done:
//! items arrive in batches, so the pace of the first ones says little.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const PLAIN_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    stage: &'static str,
    unit: &'static str,
    bar: Option<ProgressBar>,
    plain: bool,
    total: u64,
    done: u64,
    bytes: u64,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// Tracks `total` items (`unit`: documents, files) of `stage`.
    pub fn new(stage: &'static str, unit: &'static str, total: u64, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{{prefix:<10}} {{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}"
                ))
                .expect("valid template"),
            );
            bar.set_prefix(stage);
            bar
        });
        Progress {
            stage,
            unit,
            bar,
            plain: !quiet && !terminal,
            total,
            done: 0,
            bytes: 0,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    /// One more item of `bytes` bytes of text is done.
    pub fn inc(&mut self, bytes: usize) {
        self.done += 1;
        self.bytes += bytes as u64;
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = self.bytes as f64 / 1e6 / elapsed.max(1e-9);
        let left = match self.seconds_left(elapsed) {
            Some(seconds) => format!(", about {} left", duration(seconds)),
            None => String::new(),
        };
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if self.done.is_multiple_of(16) {
                bar.set_message(format!("{rate:.1} MB/s{left}"));
            }
        } else if self.plain && self.last_line.elapsed() >= PLAIN_EVERY {
            self.last_line = Instant::now();
            eprintln!(
                "{:<10} {}/{} {}, {rate:.1} MB/s{left}",
                self.stage, self.done, self.total, self.unit
            );
        }
    }

    /// The average pace so far applied to what is left; none while too little is known.
    fn seconds_left(&self, elapsed: f64) -> Option<f64> {
        let known = elapsed >= 1.0 && self.done * 100 >= self.total && self.total > self.done;
        known.then(|| elapsed / self.done as f64 * (self.total - self.done) as f64)
    }
}

/// "40 s", "3 min", "1 h 5 min".
fn duration(seconds: f64) -> String {
    let seconds = seconds.round() as u64;
    match seconds {
        0..90 => format!("{seconds} s"),
        90..5400 => format!("{} min", (seconds + 30) / 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `n` and its noun, in the singular for one: "1 paragraph", "3 paragraphs", "1 copy", "2 copies".
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_waits_for_enough_work_and_follows_the_average_pace() {
        let mut progress = Progress::new("segment", "documents", 1000, true);
        progress.done = 5;
        assert_eq!(progress.seconds_left(10.0), None, "under a hundredth done");
        progress.done = 100;
        assert_eq!(progress.seconds_left(0.5), None, "under a second");
        assert_eq!(progress.seconds_left(10.0), Some(90.0));
        progress.done = 1000;
        assert_eq!(progress.seconds_left(100.0), None, "nothing left");
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3900.0 * 2.0), "2 h 10 min");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(counted(1u64, "paragraph", "paragraphs"), "1 paragraph");
        assert_eq!(counted(0u64, "copy", "copies"), "0 copies");
        assert_eq!(counted(2u32, "copy", "copies"), "2 copies");
    }
}
