//! Reading ahead: the kernel is asked to read a file into the page cache
//! while the file still waits in the batch's window, so a worker that
//! reaches it finds it there instead of waiting for the disk.
//!
//! On an archive just copied or read, every file is cached already and the
//! advice costs an `open` and a system call on the walking thread. On a
//! cold archive (the usual case for a yearly archive on disk) the
//! workers otherwise wait for each file in turn, one small read at a time.
//! `formsift run` advises each file as it enters its window; `formsift
//! extract` over a list of files advises the files [`AHEAD`] places ahead
//! of the one it reads.

use std::path::Path;

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

/// Asks the kernel to read the file at `path` ahead (`posix_fadvise`
/// `WILLNEED` over the whole file) when it is at most [`LARGEST`] bytes.
/// Returns whether the advice was given; nothing fails: a file that cannot
/// be opened is reported by the worker that reads it, and elsewhere than
/// Linux nothing is done.
pub fn advise(path: &Path) -> bool {
    advise_within(path, LARGEST)
}

/// [`advise`] with the largest file to read ahead given.
fn advise_within(path: &Path, largest: u64) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{Advice, fadvise};
        let Ok(file) = std::fs::File::open(path) else {
            return false;
        };
        let small = file.metadata().is_ok_and(|m| m.len() <= largest);
        small && fadvise(&file, 0, None, Advice::WillNeed).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (path, largest);
        false
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_advised_and_a_missing_one_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("form.txt");
        std::fs::write(&file, "项目名称\t示例\n").unwrap();
        assert!(advise(&file));
        assert!(!advise(&dir.path().join("missing.txt")));
    }

    #[test]
    fn a_file_larger_than_the_largest_is_left_to_the_kernel() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("form.txt");
        std::fs::write(&file, "0123456789").unwrap();
        assert!(advise_within(&file, 10));
        assert!(!advise_within(&file, 9));
    }
}
