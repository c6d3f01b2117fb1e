//! The journal's data files: each file's output bytes kept as the buffer
//! they were rendered in, and handed to the kernel in one vectored write
//! per commit.
//!
//! A buffered writer copied every byte of every record once more on the
//! writer thread, from buffers a worker had just filled on another core:
//! on two threads that copy was about half the writer thread's time, and
//! the writer thread is the part of a run that does not scale.

use std::fs::File;
use std::io::{IoSlice, Write};

/// An output file and the buffers waiting to be written to it, in order.
pub(crate) struct Spool {
    file: File,
    chunks: Vec<Vec<u8>>,
    /// Memory the held buffers take (their capacity, not just their bytes:
    /// a buffer reserved for a large input can hold little).
    held: usize,
}

impl Spool {
    /// Memory held before the buffers are written whatever the commit
    /// says, so a run of very large files holds a bounded amount.
    pub(crate) const HOLD: usize = 8 << 20;

    pub(crate) fn new(file: File) -> Spool {
        Spool {
            file,
            chunks: Vec::new(),
            held: 0,
        }
    }

    /// The file (for the writeback thread's handle).
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Takes a buffer to be written after those before it.
    pub(crate) fn push(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.held += bytes.capacity();
        self.chunks.push(bytes);
        if self.held >= Self::HOLD {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes every buffer held, in order, with as few system calls as the
    /// kernel allows.
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = self.chunks.iter().map(|c| IoSlice::new(c)).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match self.file.write_vectored(rest) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.chunks.clear();
        self.held = 0;
        Ok(())
    }

    /// Writes what is held and returns the file.
    pub(crate) fn into_file(mut self) -> std::io::Result<File> {
        self.flush()?;
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_reach_the_file_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut s = Spool::new(File::create(&path).unwrap());
        // More buffers than one vectored write takes (IOV_MAX is 1024 on
        // Linux), of many lengths, some empty.
        let mut want = Vec::new();
        for k in 0..3000usize {
            let chunk = vec![(k % 251) as u8; k % 7];
            want.extend_from_slice(&chunk);
            s.push(chunk).unwrap();
        }
        s.flush().unwrap();
        s.push(b"tail".to_vec()).unwrap();
        want.extend_from_slice(b"tail");
        // Held bytes are not in the file until a flush.
        assert_eq!(std::fs::read(&path).unwrap().len(), want.len() - 4);
        drop(s.into_file().unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), want);
    }

    #[test]
    fn a_buffer_counts_for_the_memory_it_takes_not_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut s = Spool::new(File::create(&path).unwrap());
        let mut roomy = Vec::with_capacity(Spool::HOLD);
        roomy.extend_from_slice(b"few bytes");
        s.push(roomy).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"few bytes");
    }

    #[test]
    fn a_large_hold_is_written_without_waiting_for_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut s = Spool::new(File::create(&path).unwrap());
        s.push(vec![b'x'; Spool::HOLD - 1]).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        s.push(vec![b'y'; 1]).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), Spool::HOLD as u64);
    }
}
