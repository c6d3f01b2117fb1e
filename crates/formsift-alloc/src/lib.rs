//! The process's allocator: mimalloc, entered through its plain functions
//! whenever the layout allows.
//!
//! This crate owns the binary's `#[global_allocator]` and is the workspace's
//! only unsafe code. The stages make many small strings and vectors per
//! cell; mimalloc serves that pattern well (version 2: see the workspace
//! Cargo.toml for why not 3). The `mimalloc` crate's
//! allocator sends every request through `mi_malloc_aligned`, which checks
//! the alignment on each call and, in mimalloc v3, may round a block up to
//! a power of two. Rust asks for an alignment of 1 (strings), 8 (most
//! vectors) or 16, and mimalloc's plain `mi_malloc` already aligns every
//! block to 8 bytes, and every block of 16 bytes or more to 16
//! (`MI_MAX_ALIGN_SIZE`; its size classes are multiples of 8, of 16 above
//! 16, and a page's first block is 16-aligned). So a layout whose alignment
//! is at most 16 and divides its size takes `mi_malloc` (`mi_zalloc`,
//! `mi_realloc`); any other takes the aligned functions. On the 300-file
//! benchmark slice this took 2% off the instructions of a run. The tests
//! check the alignment of every size and alignment a program asks for.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The largest alignment `mi_malloc` gives every block at least as large
/// (`MI_MAX_ALIGN_SIZE` on 64-bit targets).
const PLAIN_ALIGN: usize = 16;

/// mimalloc as the global allocator (see the crate documentation).
pub struct Mimalloc;

/// Whether `mi_malloc` of `size` bytes is aligned to `align`.
#[inline]
fn plain(size: usize, align: usize) -> bool {
    align <= PLAIN_ALIGN && size != 0 && size.is_multiple_of(align)
}

// SAFETY: each method returns what mimalloc returns: a block of at least
// the asked size with the asked alignment (checked by `plain`, or asked of
// the aligned functions), or null; `dealloc` and `realloc` are only called
// with blocks this allocator returned, which `mi_free` and `mi_realloc*`
// accept whichever function made them.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let (size, align) = (layout.size(), layout.align());
        if plain(size, align) {
            // SAFETY: any size may be asked of mi_malloc.
            unsafe { mi::mi_malloc(size).cast() }
        } else {
            // SAFETY: the alignment is a power of two (Layout's invariant).
            unsafe { mi::mi_malloc_aligned(size, align).cast() }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let (size, align) = (layout.size(), layout.align());
        if plain(size, align) {
            // SAFETY: any size may be asked of mi_zalloc.
            unsafe { mi::mi_zalloc(size).cast() }
        } else {
            // SAFETY: the alignment is a power of two (Layout's invariant).
            unsafe { mi::mi_zalloc_aligned(size, align).cast() }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: the caller passes a block this allocator returned.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        if plain(new_size, align) {
            // SAFETY: the caller passes a block this allocator returned; the
            // new block keeps the contents up to the smaller size.
            unsafe { mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            // SAFETY: as above, and the alignment is a power of two.
            unsafe { mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, align).cast() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the first, middle and last of `size` bytes at `p` are `k`.
    ///
    /// # Safety
    /// `p` points to at least `size` readable bytes.
    unsafe fn kept(p: *const u8, size: usize, k: u8) -> bool {
        // SAFETY: the three offsets are below `size`.
        unsafe { [0, size / 2, size - 1].iter().all(|&i| *p.add(i) == k) }
    }

    /// Every size up to 1 KiB and a few larger ones, at every alignment
    /// from 1 to 4 KiB, 24 blocks at a time (so that blocks at other
    /// places in a page are checked too): each block is aligned, writable
    /// over its whole size, and keeps its contents when grown and shrunk.
    #[test]
    fn every_block_is_aligned_and_keeps_its_contents() {
        let a = Mimalloc;
        let sizes = (1..=1024).chain([4000, 4096, 65_536, 1 << 20]);
        for size in sizes {
            for shift in 0..=12 {
                let align = 1usize << shift;
                let layout = Layout::from_size_align(size, align).unwrap();
                let big = Layout::from_size_align(size * 2 + 8, align).unwrap();
                let mut live = Vec::new();
                // SAFETY: non-zero sizes; each block is written within its
                // size, grown, shrunk and freed once, each time with the
                // layout it has.
                unsafe {
                    for k in 0..24u8 {
                        let p = a.alloc(layout);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        p.write_bytes(k, size);
                        live.push((p, k));
                    }
                    for (p, k) in live {
                        let grown = a.realloc(p, layout, big.size());
                        assert_eq!(grown as usize % align, 0, "grown {size} align {align}");
                        assert!(kept(grown, size, k), "grown {size} align {align}");
                        let shrunk = a.realloc(grown, big, size);
                        assert_eq!(shrunk as usize % align, 0, "shrunk {size} align {align}");
                        assert!(kept(shrunk, size, k), "shrunk {size} align {align}");
                        a.dealloc(shrunk, layout);
                    }
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed {size} align {align}");
                    assert!(kept(z, size, 0), "zeroed {size} align {align}");
                    a.dealloc(z, layout);
                }
            }
        }
    }

    #[test]
    fn the_plain_functions_serve_what_rust_mostly_asks_for() {
        assert!(plain(24, 8));
        assert!(plain(48, 16));
        assert!(plain(3, 1));
        assert!(!plain(24, 16), "a size not a multiple of the alignment");
        assert!(!plain(64, 32), "an alignment above 16");
        assert!(!plain(0, 1), "no size");
    }
}
