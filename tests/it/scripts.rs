//! The release scripts' own logic that needs no build: which `llvm-profdata`
//! `scripts/build-release` takes. A profdata of another LLVM major version
//! than rustc's cannot read rustc's profiles, so it must never be chosen.

use crate::support::{root, tempdir};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// rustc's LLVM major version, as `rustc -vV` reports it.
fn llvm_major() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("LLVM version: "))
        .expect("rustc -vV names its LLVM version");
    line.split('.').next().unwrap().to_string()
}

/// A stand-in `llvm-profdata` that reports `version` when asked.
fn fake_profdata(dir: &Path, version: &str) -> PathBuf {
    let path = dir.join(format!("llvm-profdata-fake-{}", version.replace('.', "_")));
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho \"Debian LLVM version {version}\"\necho \"  Optimized build.\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn find_profdata(with: &Path) -> Output {
    Command::new("python3")
        .arg(root().join("scripts/build-release"))
        .arg("--find-profdata")
        .env("LLVM_PROFDATA", with)
        .current_dir(root())
        .output()
        .expect("python3 runs")
}

#[test]
fn build_release_takes_a_profdata_of_rustcs_llvm_version() {
    let dir = tempdir("profdata-match");
    let fake = fake_profdata(&dir, &format!("{}.1.8", llvm_major()));
    let out = find_profdata(&fake);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        fake.to_str().unwrap()
    );
}

#[test]
fn build_release_passes_over_a_profdata_of_another_llvm_version() {
    let dir = tempdir("profdata-other");
    let major: u32 = llvm_major().parse().unwrap();
    let fake = fake_profdata(&dir, &format!("{}.0.6", major - 8));
    let out = find_profdata(&fake);
    // Another candidate on the machine may fit (exit 0), or none does (exit
    // 3, with the package to install); the stand-in is never taken.
    let chosen = String::from_utf8_lossy(&out.stdout);
    assert_ne!(chosen.trim(), fake.to_str().unwrap());
    match out.status.code() {
        Some(0) => assert!(!chosen.trim().is_empty()),
        Some(3) => assert!(String::from_utf8_lossy(&out.stderr).contains("apt-get install llvm-")),
        other => panic!(
            "unexpected exit {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
