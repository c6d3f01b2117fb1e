//! Reading ahead: the kernel is asked to read a file into the page cache
//! while the file still waits in the batch's window, so a worker that
//! reaches it finds it there instead of waiting for the disk.
//!
//! The file is opened to be advised and stays open until a worker reads
//! it ([`Opened`]): no second `open`, and no `stat` or `lseek` before the
//! read (six system calls a file in all, where opening it twice took nine).
//! On an archive just copied or read, every file is cached already and the
//! advice costs one system call. On a cold archive (the usual case for a
//! yearly archive on disk) the workers otherwise wait for each file in
//! turn, one small read at a time.
//!
//! `formsift run` queues each file as it enters its window ([`Ahead`]),
//! and each worker, before it reads its own file, opens and advises the
//! next few queued files no worker has come to (a window of more than
//! [`MOST_HELD_OPEN`] files is only advised). A worker that comes to a file
//! no one opened opens it itself. So the opens are spread over the workers:
//! none is queued behind one thread, which on a file system where an
//! `open` takes milliseconds (a network share) made two workers wait on one
//! opener. `formsift extract` over a list of files keeps the files
//! [`AHEAD`] places ahead of the one it reads open.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many files of a list a sequential reader advises ahead of the one it
/// reads: enough to keep the disk busy while one file is processed.
pub const AHEAD: usize = 16;

/// The largest file read ahead. A larger one (a scanned PDF of hundreds of
/// pages) is left to the kernel's own read-ahead as a worker reads it from
/// the start, so a window of such files does not ask for gigabytes of page
/// cache before any is read. (Advising only the first part of a file is no
/// middle way: on twenty 4.5 MB files, with the page cache dropped, two
/// threads took 1.46 s with the first MiB of each advised, 1.39 s with
/// nothing advised and 1.35 s with every byte, medians of five.)
pub const LARGEST: u64 = 64 << 20;

/// The most files a batch's window holds open. A larger window (more than
/// eight worker threads at 32 files each) has each file advised and closed
/// as it enters the window and opened again by the worker that reads it, so
/// a run stays far from the usual limit of 1,024 open files.
pub const MOST_HELD_OPEN: usize = 256;

/// Whether a window of `window` files in flight holds them open.
pub fn holds_open(window: usize) -> bool {
    window <= MOST_HELD_OPEN
}

/// [`open_ahead`] without keeping the file open: whether the kernel was
/// asked to read it ahead.
pub fn advise(path: &Path) -> bool {
    open_ahead(path).is_some_and(|o| o.advised)
}

/// A file opened by [`open_ahead`], for a worker to read without opening it
/// again.
#[derive(Debug)]
pub struct Opened {
    file: std::fs::File,
    /// Its length when opened (room for its bytes at once).
    pub len: u64,
    /// When it was last changed, as the file system said at the open.
    pub modified: Option<std::time::SystemTime>,
    /// Whether it is a regular file (not a folder, FIFO, socket or device).
    pub regular: bool,
    /// Whether it is a folder.
    dir: bool,
    /// Whether the kernel was asked to read it ahead.
    pub advised: bool,
}

impl Opened {
    /// All the file's bytes, read into room made for them at once: one
    /// `read` for the length it had when opened and one that finds the end.
    /// (A `File`'s own `read_to_end` asks the kernel for its length and
    /// position again first.) A file that grew since is read to its end; one
    /// that shrank gives what it holds. Anything but a regular file is an
    /// error, not read: a FIFO would wait for a writer, a device might not
    /// end.
    pub fn read(self) -> std::io::Result<Vec<u8>> {
        use std::io::{ErrorKind, Read};
        if self.dir {
            return Err(std::io::Error::other("a folder, not a file"));
        }
        if !self.regular {
            return Err(std::io::Error::other(
                "not a regular file (a FIFO, socket or device); formsift reads files",
            ));
        }
        let len = usize::try_from(self.len).map_err(std::io::Error::other)?;
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(len)
            .map_err(std::io::Error::other)?;
        bytes.resize(len, 0);
        let mut filled = 0;
        while filled < len {
            match (&self.file).read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        bytes.truncate(filled);
        if filled == len {
            // (Through `Take`, for the same reason.)
            (&self.file).take(u64::MAX).read_to_end(&mut bytes)?;
        }
        Ok(bytes)
    }
}

/// All the bytes of the file at `path`: from `opened` when it was opened
/// ahead, else opened now ([`open`], so a FIFO or device is refused here
/// too, and a file that could not be opened ahead says why).
pub fn read(path: &Path, opened: Option<Opened>) -> std::io::Result<Vec<u8>> {
    match opened {
        Some(file) => file.read(),
        None => open(path).and_then(Opened::read),
    }
}

/// Opens the file at `path` to read it. The open does not wait (on Unix,
/// `O_NONBLOCK`, which reads of a regular file ignore): a FIFO named like an
/// input (`x.txt`) would otherwise stop the run until something wrote to
/// it. [`Opened::read`] then refuses anything but a regular file.
pub fn open(path: &Path) -> std::io::Result<Opened> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // (The flag's bits fit an `i32` on every Unix.)
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    Ok(Opened {
        file,
        len: meta.len(),
        modified: meta.modified().ok(),
        regular: meta.is_file(),
        dir: meta.is_dir(),
        advised: false,
    })
}

/// [`open`]s the file at `path` and asks the kernel to read it ahead
/// (`posix_fadvise` `WILLNEED` over the whole file) when it is a regular
/// file of at most [`LARGEST`] bytes. The open file is returned, so that
/// the worker that reads it makes no second `open`; `None` when it cannot
/// be opened (the worker's own [`open`] then says why). Elsewhere than
/// Linux the file is only opened.
pub fn open_ahead(path: &Path) -> Option<Opened> {
    open_within(path, LARGEST)
}

/// [`open_ahead`] with the largest file to read ahead given.
fn open_within(path: &Path, largest: u64) -> Option<Opened> {
    let mut opened = open(path).ok()?;
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{Advice, fadvise};
        opened.advised = opened.regular
            && opened.len <= largest
            && fadvise(&opened.file, 0, None, Advice::WillNeed).is_ok();
    }
    #[cfg(not(target_os = "linux"))]
    let _ = largest;
    Some(opened)
}

/// A file on its way to a worker: opened ahead by another worker's
/// [`Ahead::advance`] if one got to it first.
#[derive(Debug, Default)]
pub struct Slot {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
enum State {
    /// No worker has come to it.
    #[default]
    Waiting,
    /// Opened ahead, not yet taken.
    Ready(Opened),
    /// Its worker came: read-ahead leaves it alone.
    Taken,
}

impl Slot {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // (Nothing is left half done under the lock: a panic elsewhere
        // leaves a usable state.)
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The file, if it was opened ahead before the worker came (`None`: the
    /// worker opens it itself). After this read-ahead leaves it alone.
    pub fn take(&self) -> Option<Opened> {
        match std::mem::replace(&mut *self.lock(), State::Taken) {
            State::Ready(opened) => Some(opened),
            _ => None,
        }
    }

    /// Whether no one has come to the file yet.
    fn waiting(&self) -> bool {
        matches!(*self.lock(), State::Waiting)
    }

    /// Keeps the file opened ahead, unless the worker came meanwhile (then
    /// it is closed).
    fn fill(&self, opened: Opened) {
        let mut state = self.lock();
        if matches!(*state, State::Waiting) {
            *state = State::Ready(opened);
        }
    }
}

/// The files of a batch's window waiting to be read ahead. The walking
/// thread queues each file as it enters the window ([`Ahead::send`]); each
/// worker, before it reads its own file, opens and advises the next
/// [`STEP`] files of the queue that no worker has come to
/// ([`Ahead::advance`]). So the opens are spread over the workers, in
/// parallel: none waits behind one thread's opens (a network share, where an
/// `open` can take milliseconds), no thread is added beside the workers, and
/// as the queue is taken faster than it fills, the files are read ahead by
/// about a window.
#[derive(Debug)]
pub struct Ahead {
    queue: Mutex<std::collections::VecDeque<(PathBuf, Arc<Slot>)>>,
    /// Whether files opened ahead are kept open for their workers (see
    /// [`holds_open`]); else they are advised and closed.
    hold_open: bool,
}

/// Files a worker reads ahead before each of its own: more than one, so
/// that the queue is taken faster than the window fills it.
pub const STEP: usize = 2;

impl Ahead {
    /// An empty queue.
    pub fn new(hold_open: bool) -> Ahead {
        Ahead {
            queue: Mutex::new(std::collections::VecDeque::new()),
            hold_open,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<(PathBuf, Arc<Slot>)>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a file to be read ahead; its worker takes it from the slot.
    pub fn send(&self, path: &Path) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        self.lock()
            .push_back((path.to_path_buf(), Arc::clone(&slot)));
        slot
    }

    /// Opens and advises the next [`STEP`] queued files no worker has come
    /// to (the opens outside the lock).
    pub fn advance(&self) {
        let mut next = Vec::with_capacity(STEP);
        {
            let mut queue = self.lock();
            while next.len() < STEP {
                match queue.pop_front() {
                    Some((path, slot)) if slot.waiting() => next.push((path, slot)),
                    Some(_) => {}
                    None => break,
                }
            }
        }
        for (path, slot) in next {
            if !self.hold_open {
                advise(&path);
            } else if let Some(opened) = open_ahead(&path) {
                slot.fill(opened);
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A folder holding `form.txt` with `text` (the folder goes with the
    /// first value).
    fn form_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("form.txt");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn a_file_is_opened_advised_and_read_and_a_missing_one_is_passed_over() {
        let (dir, file) = form_file("项目名称\t示例\n");
        let opened = open_ahead(&file).unwrap();
        assert!(opened.advised);
        assert_eq!(opened.len, 20);
        assert_eq!(opened.read().unwrap(), "项目名称\t示例\n".as_bytes());
        assert!(open_ahead(&dir.path().join("missing.txt")).is_none());
        assert!(advise(&file));
        assert!(!advise(&dir.path().join("missing.txt")));
    }

    #[test]
    fn a_file_larger_than_the_largest_is_left_to_the_kernel_but_read() {
        let (_dir, file) = form_file("0123456789");
        assert!(open_within(&file, 10).unwrap().advised);
        let opened = open_within(&file, 9).unwrap();
        assert!(!opened.advised);
        assert_eq!(opened.read().unwrap(), b"0123456789");
    }

    #[test]
    fn a_fifo_or_a_folder_is_opened_without_waiting_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("form.txt");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // (Nothing writes to it: an open that waited would never return, so
        // it is opened on a thread and a wait fails the test.)
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send((open_ahead(&fifo).unwrap(), open(&fifo).unwrap()));
        });
        let (ahead, plain) = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        assert!(!ahead.regular && !ahead.advised);
        let err = ahead.read().unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(plain.read().is_err());
        let folder = open(dir.path()).unwrap().read().unwrap_err();
        assert_eq!(folder.to_string(), "a folder, not a file");
    }

    #[test]
    fn a_slot_gives_the_file_opened_ahead_once_and_none_after_its_worker_came() {
        let (_dir, file) = form_file("0123");
        let slot = Slot::default();
        slot.fill(open_ahead(&file).unwrap());
        assert_eq!(slot.take().unwrap().read().unwrap(), b"0123");
        assert!(slot.take().is_none());
        // The worker came first: what is opened for it later is not kept.
        let late = Slot::default();
        assert!(late.take().is_none());
        assert!(!late.waiting());
        late.fill(open_ahead(&file).unwrap());
        assert!(late.take().is_none());
    }

    #[test]
    fn workers_open_the_files_queued_in_order_a_step_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = (0..5)
            .map(|k| dir.path().join(format!("{k}.txt")))
            .collect();
        for (k, f) in files.iter().enumerate() {
            std::fs::write(f, k.to_string()).unwrap();
        }
        let ahead = Ahead::new(true);
        let slots: Vec<Arc<Slot>> = files.iter().map(|f| ahead.send(f)).collect();
        // The worker of file 1 came first: the step passes over it.
        assert!(slots[1].take().is_none());
        ahead.advance();
        assert!(slots[0].take().unwrap().advised);
        let third = slots[2].take().unwrap();
        assert_eq!(third.read().unwrap(), b"2");
        assert!(slots[3].take().is_none(), "one step opens two files");
        ahead.advance();
        assert!(slots[4].take().is_some());
        // Files only advised are not kept open.
        let ahead = Ahead::new(false);
        let slot = ahead.send(&files[0]);
        ahead.advance();
        assert!(slot.take().is_none());
    }

    #[test]
    fn a_window_holds_its_files_open_up_to_the_most() {
        assert!(holds_open(1));
        assert!(holds_open(MOST_HELD_OPEN));
        assert!(!holds_open(MOST_HELD_OPEN + 1));
    }

    #[test]
    fn a_file_that_changed_since_it_was_opened_is_read_as_it_is_now() {
        let (_dir, file) = form_file("0123456789");
        let grew = open_ahead(&file).unwrap();
        std::fs::write(&file, "0123456789abcdef").unwrap();
        assert_eq!(grew.read().unwrap(), b"0123456789abcdef");
        let shrank = open_ahead(&file).unwrap();
        assert_eq!(shrank.len, 16);
        std::fs::write(&file, "0123").unwrap();
        assert_eq!(shrank.read().unwrap(), b"0123");
        std::fs::write(&file, "").unwrap();
        assert_eq!(open_ahead(&file).unwrap().read().unwrap(), b"");
    }
}
