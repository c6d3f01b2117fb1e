//! Progress of a batch on stderr: an indicatif bar on a terminal, a plain
//! line every few seconds otherwise (logs of batch jobs), nothing with
//! `--quiet` but errors.

use formsift_pipeline::Observer;
use formsift_pipeline::manifest::Counts;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::Cell;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Totals of the archive, filled in by a counting walk in the background.
#[derive(Default)]
pub struct Totals {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub known: AtomicBool,
}

enum Display {
    Quiet,
    Bar(ProgressBar),
    Lines {
        every: Duration,
        last: Cell<Instant>,
    },
}

/// The observer the `run` command gives the batch.
pub struct Progress {
    display: Display,
    totals: Arc<Totals>,
    stop: Arc<AtomicBool>,
    start: Instant,
    files: Cell<u64>,
    bytes: Cell<u64>,
    forms: Cell<u64>,
    review: Cell<u64>,
    reused: Cell<u64>,
    failed: Cell<u64>,
}

impl Progress {
    pub fn new(quiet: bool, every: Duration, totals: Arc<Totals>, stop: Arc<AtomicBool>) -> Self {
        let display = if quiet {
            Display::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{bar:20}] {percent:>3}% ETA {eta:<4} {wide_msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            Display::Bar(bar)
        } else {
            Display::Lines {
                every,
                last: Cell::new(Instant::now()),
            }
        };
        Progress {
            display,
            totals,
            stop,
            start: Instant::now(),
            files: Cell::new(0),
            bytes: Cell::new(0),
            forms: Cell::new(0),
            review: Cell::new(0),
            reused: Cell::new(0),
            failed: Cell::new(0),
        }
    }

    fn mb_per_s(&self) -> f64 {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        self.bytes.get() as f64 / 1e6 / secs
    }

    fn status(&self) -> String {
        let total = if self.totals.known.load(Ordering::Relaxed) {
            format!("/{}", self.totals.files.load(Ordering::Relaxed))
        } else {
            String::new()
        };
        let mut s = format!(
            "{}{total} files · {:.1} MB/s · {} forms · {} to review",
            self.files.get(),
            self.mb_per_s(),
            self.forms.get(),
            self.review.get(),
        );
        for (n, what) in [(self.reused.get(), "reused"), (self.failed.get(), "failed")] {
            if n > 0 {
                s.push_str(&format!(" · {n} {what}"));
            }
        }
        s
    }

    fn eta(&self) -> Option<Duration> {
        if !self.totals.known.load(Ordering::Relaxed) || self.bytes.get() == 0 {
            return None;
        }
        let total = self.totals.bytes.load(Ordering::Relaxed) as f64;
        let done = self.bytes.get() as f64;
        let rate = done / self.start.elapsed().as_secs_f64().max(1e-3);
        Some(Duration::from_secs_f64(((total - done).max(0.0)) / rate))
    }

    fn print_error(&self, msg: &str) {
        match &self.display {
            Display::Bar(bar) => bar.println(format!("formsift: {msg}")),
            _ => eprintln!("formsift: {msg}"),
        }
    }

    /// Clears the bar and prints the last status line.
    pub fn finish(&self) {
        match &self.display {
            Display::Bar(bar) => bar.finish_and_clear(),
            Display::Lines { .. } => eprintln!("formsift: {}", self.status()),
            Display::Quiet => {}
        }
    }
}

impl Observer for Progress {
    fn file_done(&self, _path: &str, counts: &Counts, reused: bool, error: Option<&str>) {
        self.files.set(self.files.get() + 1);
        self.bytes.set(self.bytes.get() + counts.bytes);
        self.forms.set(self.forms.get() + counts.records);
        self.review.set(self.review.get() + counts.review_items);
        self.reused.set(self.reused.get() + u64::from(reused));
        self.failed.set(self.failed.get() + counts.failed);
        if let Some(e) = error {
            self.print_error(e);
        }
        match &self.display {
            Display::Quiet => {}
            Display::Bar(bar) => {
                if self.totals.known.load(Ordering::Relaxed) && bar.length().is_none() {
                    bar.set_length(self.totals.bytes.load(Ordering::Relaxed));
                }
                bar.set_position(self.bytes.get());
                bar.set_message(self.status());
            }
            Display::Lines { every, last } => {
                if last.get().elapsed() >= *every {
                    last.set(Instant::now());
                    let eta = self
                        .eta()
                        .map(|d| format!(", ETA {}s", d.as_secs()))
                        .unwrap_or_default();
                    eprintln!("formsift: {}{eta}", self.status());
                }
            }
        }
    }

    fn input_error(&self, message: &str) {
        self.failed.set(self.failed.get() + 1);
        self.print_error(message);
    }

    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}
