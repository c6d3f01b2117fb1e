//! Background writeback of the journal's data files.
//!
//! A run's records reach the disk at its end, when the journal is synced
//! before the outputs are renamed into place. Left to the end, that sync
//! waited for every byte the run wrote (tens of milliseconds per ten
//! thousand forms, a quarter second at a hundred thousand), with no worker
//! busy. So the bytes are sent to the disk as the run goes, on a thread of
//! their own, and the sync at the end waits only for the last of them.
//!
//! On Linux each commit's new bytes are handed to the kernel's writeback
//! at once (`posix_fadvise` `DONTNEED` over the range: the kernel starts
//! writing its dirty pages and does not wait for them, and no journal
//! commit is forced as a sync would). Elsewhere the files are synced each
//! time another 4 MiB have been written, as was done on Linux too before:
//! on a thousand-form archive (5.6 MB written) the sync after the first
//! 4 MiB was still running when the workers were done. Asking the kernel
//! to start writing each commit's bytes instead took that run from 46.8 to
//! 42.2 ms on two threads (medians of 25 alternating runs); at ten and a
//! hundred thousand forms, cached or cold, both ways took the same time.

use std::fs::File;

/// Sends the journal's data to the disk in the background while the run
/// goes on (see the module doc). Failures are left to the final sync,
/// which reports them.
pub(crate) struct Writeback {
    kick: Option<std::sync::mpsc::SyncSender<[u64; 2]>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Background passes made (for the tests).
    pub(crate) passes: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Writeback {
    /// Bytes between two background syncs where the kernel cannot be asked
    /// to start writing a range (not Linux).
    #[cfg(not(target_os = "linux"))]
    pub(crate) const EVERY: u64 = 4 << 20;

    pub(crate) fn new() -> Writeback {
        Writeback {
            kick: None,
            thread: None,
            passes: Default::default(),
        }
    }

    /// Starts the thread over clones of the two data files' handles (no
    /// thread when a handle cannot be cloned: the final sync does all the
    /// work).
    pub(crate) fn watch(&mut self, files: [&File; 2]) {
        let (Ok(a), Ok(b)) = (files[0].try_clone(), files[1].try_clone()) else {
            return;
        };
        let files = [a, b];
        // One kick waits at most: kicks during a pass merge into the next,
        // which carries the latest lengths.
        let (tx, rx) = std::sync::mpsc::sync_channel::<[u64; 2]>(1);
        let passes = std::sync::Arc::clone(&self.passes);
        let thread = std::thread::Builder::new()
            .name("formsift-writeback".into())
            .spawn(move || {
                let mut sent = [0u64; 2];
                while let Ok(lengths) = rx.recv() {
                    write_out(&files, &mut sent, lengths);
                    passes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        if let Ok(t) = thread {
            self.kick = Some(tx);
            self.thread = Some(t);
        }
    }

    /// Notes the lengths of the two files so far (every byte of them
    /// written to the files, not held in a buffer): their new bytes go to
    /// the disk in the background.
    pub(crate) fn written(&mut self, lengths: [u64; 2]) {
        if let Some(k) = &self.kick {
            let _ = k.try_send(lengths);
        }
    }

    /// Ends the thread (after the pass in progress, if any).
    pub(crate) fn stop(&mut self) {
        self.kick = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the writing of each file's bytes from `sent` to `lengths`, and
/// moves `sent` on.
#[cfg(target_os = "linux")]
fn write_out(files: &[File; 2], sent: &mut [u64; 2], lengths: [u64; 2]) {
    use rustix::fs::{Advice, fadvise};
    for (k, f) in files.iter().enumerate() {
        if let Some(len) = lengths[k]
            .checked_sub(sent[k])
            .and_then(std::num::NonZeroU64::new)
        {
            let _ = fadvise(f, sent[k], Some(len), Advice::DontNeed);
            sent[k] = lengths[k];
        }
    }
}

/// Syncs the files each time another [`Writeback::EVERY`] bytes have been
/// written to them (`sent` keeps the lengths at the last sync).
#[cfg(not(target_os = "linux"))]
fn write_out(files: &[File; 2], sent: &mut [u64; 2], lengths: [u64; 2]) {
    if lengths[0] + lengths[1] >= sent[0] + sent[1] + Writeback::EVERY {
        for f in files {
            let _ = f.sync_data();
        }
        *sent = lengths;
    }
}
