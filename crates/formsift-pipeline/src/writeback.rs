//! Background writeback of the journal's data files.
//!
//! A run's records reach the disk at its end, when the journal is synced
//! before the outputs are renamed into place. Left to the end, that sync
//! waited for every byte the run wrote (tens of milliseconds per ten
//! thousand forms, a quarter second at a hundred thousand), with no worker
//! busy. Syncing in the background as the run goes leaves the last sync
//! only the last few megabytes.

use std::fs::File;

/// Writes the journal's data to disk in the background while the run goes
/// on, so the sync at its end waits only for the last few megabytes: a
/// thread that syncs the data files each time another
/// [`Writeback::EVERY`] bytes have been handed to them. Failures are left
/// to the final sync, which reports them.
pub(crate) struct Writeback {
    kick: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    kicked_at: u64,
    /// Background syncs done (for the tests).
    pub(crate) syncs: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Writeback {
    /// Bytes between two background syncs.
    pub(crate) const EVERY: u64 = 4 << 20;

    pub(crate) fn new() -> Writeback {
        Writeback {
            kick: None,
            thread: None,
            kicked_at: 0,
            syncs: Default::default(),
        }
    }

    /// Starts the thread over clones of the files' handles (no thread when
    /// a handle cannot be cloned: the final sync does all the work).
    pub(crate) fn watch(&mut self, files: &[&File]) {
        let Ok(files) = files
            .iter()
            .map(|f| f.try_clone())
            .collect::<Result<Vec<_>, _>>()
        else {
            return;
        };
        // One kick waits at most: kicks during a sync merge into the next.
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let syncs = std::sync::Arc::clone(&self.syncs);
        let thread = std::thread::Builder::new()
            .name("formsift-writeback".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    for f in &files {
                        let _ = f.sync_data();
                    }
                    syncs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        if let Ok(t) = thread {
            self.kick = Some(tx);
            self.thread = Some(t);
        }
    }

    /// Notes the bytes handed to the files so far; kicks the thread each
    /// [`Writeback::EVERY`] bytes.
    pub(crate) fn written(&mut self, total: u64) {
        if total >= self.kicked_at + Self::EVERY
            && let Some(k) = &self.kick
        {
            let _ = k.try_send(());
            self.kicked_at = total;
        }
    }

    /// Ends the thread (after the sync in progress, if any).
    pub(crate) fn stop(&mut self) {
        self.kick = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
