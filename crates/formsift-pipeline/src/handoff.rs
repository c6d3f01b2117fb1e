//! Results handed from the worker threads to the writer in groups.
//!
//! A channel wakes its receiver on every send. The writer has nothing to do
//! with one result at a time, and a wake-up across cores is dear (on a
//! virtual machine a worker spent 3% of its time in it, one per file). Here
//! the writer says how many results it waits for; workers only add theirs to
//! a list until that many are there, and the last of them wakes it. Each
//! result also carries its size in bytes, and the writer is woken early once
//! the list holds a given number of bytes, so a group of large files is not
//! held whole.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A list of results the workers fill and the writer empties.
pub(crate) struct Handoff<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

struct State<T> {
    items: Vec<T>,
    /// The sizes of `items`, summed.
    bytes: usize,
    /// How many items the writer waits for; `usize::MAX` while it is not
    /// waiting, so that no worker signals in vain (a signal is a system call
    /// even when no one sleeps).
    want: usize,
    /// How many bytes wake the writer before `want` items are there
    /// (`usize::MAX` while it is not waiting).
    want_bytes: usize,
}

impl<T> Handoff<T> {
    pub(crate) fn new() -> Handoff<T> {
        Handoff {
            state: Mutex::new(State {
                items: Vec::new(),
                bytes: 0,
                want: usize::MAX,
                want_bytes: usize::MAX,
            }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A worker's panic is caught before it hands its result over, so the
        // lock is never held by a panicking thread; the list stays whole
        // either way.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a worker's result of `size` bytes, waking the writer when it
    /// completes the number (or the bytes) the writer waits for.
    pub(crate) fn put(&self, item: T, size: usize) {
        let mut s = self.lock();
        s.items.push(item);
        s.bytes = s.bytes.saturating_add(size);
        if s.items.len() >= s.want || s.bytes >= s.want_bytes {
            s.want = usize::MAX;
            s.want_bytes = usize::MAX;
            self.ready.notify_one();
        }
    }

    /// Waits until at least `n` results or `bytes` bytes of results (at
    /// least one of either) have been put, then moves every result there
    /// is into `into`. The caller must know that `n` more will come.
    #[cfg(test)]
    pub(crate) fn take(&self, n: usize, bytes: usize, into: &mut Vec<T>) {
        self.take_within(n, bytes, None, into);
    }

    /// [`Handoff::take`], waiting no longer than `wait` when it is given:
    /// false when the time ran out first (what was put is moved all the
    /// same).
    pub(crate) fn take_within(
        &self,
        n: usize,
        bytes: usize,
        wait: Option<std::time::Duration>,
        into: &mut Vec<T>,
    ) -> bool {
        let (n, bytes) = (n.max(1), bytes.max(1));
        let deadline = wait.map(|w| std::time::Instant::now() + w);
        let mut s = self.lock();
        let mut enough = true;
        while s.items.len() < n && s.bytes < bytes {
            s.want = n;
            s.want_bytes = bytes;
            match deadline {
                None => s = self.ready.wait(s).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let left = d.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        enough = false;
                        break;
                    }
                    s = self
                        .ready
                        .wait_timeout(s, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        s.want = usize::MAX;
        s.want_bytes = usize::MAX;
        s.bytes = 0;
        into.append(&mut s.items);
        enough
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn take_returns_what_was_put_before() {
        let h = Handoff::new();
        h.put(1, 0);
        h.put(2, 0);
        let mut got = Vec::new();
        h.take(1, usize::MAX, &mut got);
        assert_eq!(got, [1, 2]);
        h.put(3, 0);
        h.take(1, usize::MAX, &mut got);
        assert_eq!(got, [1, 2, 3]);
    }

    #[test]
    fn a_take_within_a_time_returns_when_it_runs_out() {
        let h = Handoff::new();
        h.put(1, 0);
        let mut got = Vec::new();
        let wait = std::time::Duration::from_millis(5);
        assert!(!h.take_within(2, usize::MAX, Some(wait), &mut got));
        assert_eq!(got, [1], "what was there is taken");
        h.put(2, 0);
        assert!(h.take_within(1, usize::MAX, Some(wait), &mut got));
        assert_eq!(got, [1, 2]);
    }

    #[test]
    fn take_waits_for_the_number_asked() {
        let h = Arc::new(Handoff::new());
        let workers: Vec<_> = (0..8)
            .map(|k| {
                let h = Arc::clone(&h);
                std::thread::spawn(move || h.put(k, 1))
            })
            .collect();
        let mut got = Vec::new();
        h.take(8, usize::MAX, &mut got);
        assert_eq!(got.len(), 8, "woke before all eight were there");
        got.sort();
        assert_eq!(got, (0..8).collect::<Vec<_>>());
        for w in workers {
            w.join().unwrap();
        }
    }

    #[test]
    fn every_item_arrives_once_over_many_rounds() {
        let h = Arc::new(Handoff::new());
        let total = 2000;
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let h = Arc::clone(&h);
                std::thread::spawn(move || {
                    for i in (p..total).step_by(4) {
                        h.put(i, 1);
                    }
                })
            })
            .collect();
        let mut got = Vec::new();
        while got.len() < total {
            let left = total - got.len();
            h.take(left.min(7), 100, &mut got);
        }
        for p in producers {
            p.join().unwrap();
        }
        got.sort();
        assert_eq!(got, (0..total).collect::<Vec<_>>());
    }

    #[test]
    fn enough_bytes_wake_the_writer_before_the_number_asked() {
        let h = Arc::new(Handoff::new());
        let (done, woke) = std::sync::mpsc::channel();
        let writer = {
            let h = Arc::clone(&h);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                h.take(100, 1000, &mut got);
                done.send(got).unwrap();
            })
        };
        // Put only once the writer sleeps in `take`.
        while h.lock().want_bytes == usize::MAX {
            std::thread::yield_now();
        }
        h.put(1, 600);
        h.put(2, 600);
        // Two results of 1200 bytes in all: the writer wakes with them
        // although it asked for a hundred.
        let got = woke
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the writer was not woken by the bytes");
        assert_eq!(got, [1, 2]);
        writer.join().unwrap();
    }
}
