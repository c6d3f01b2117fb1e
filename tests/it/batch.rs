//! Archive-scale behaviour of the binary: a killed, interrupted or
//! terminated run resumes to the same outputs as an uninterrupted one; shards merge into
//! the unsharded output; `extract --files-from` streams records.

use crate::support::{formsift, root, samples, tempdir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// An archive of `copies` copies of the samples in year folders.
fn archive(dir: &Path, copies: usize) -> PathBuf {
    let a = dir.join("archive");
    for k in 0..copies {
        let sub = a.join(format!("{}/batch{k:04}", 2019 + k % 5));
        std::fs::create_dir_all(&sub).unwrap();
        for s in samples() {
            std::fs::copy(&s, sub.join(s.file_name().unwrap())).unwrap();
        }
    }
    a
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn lines_in(p: &Path) -> usize {
    std::fs::read_to_string(p).map_or(0, |t| t.lines().count())
}

/// Starts `formsift run` on one thread and stops it with `signal` once the
/// journal lists at least `after` files; returns the exit status.
fn run_and_stop(a: &Path, out: &Path, after: usize, signal: &str) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["run", "--quiet", "--threads", "1", "--out"])
        .arg(out)
        .arg(a)
        .current_dir(root())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("manifest.jsonl.partial");
    let start = Instant::now();
    while lines_in(&journal) < after + 1 {
        if start.elapsed() > Duration::from_secs(60) || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // The shell's built-in kill: no procps needed on a bare CI machine.
    let status = Command::new("sh")
        .args(["-c", &format!("kill {signal} {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap().code()
}

#[test]
fn a_killed_run_resumes_to_the_same_records() {
    let dir = tempdir("killed");
    let a = archive(&dir, 60);
    let whole = dir.join("whole");
    let r = formsift(&[
        "run",
        "--quiet",
        a.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(0));

    let out = dir.join("out");
    // SIGKILL: no chance to clean up; the journal is all there is.
    let code = run_and_stop(&a, &out, 40, "-KILL");
    assert_eq!(code, None, "killed by a signal");
    assert!(!out.join("records.jsonl").exists());
    // SIGINT (Ctrl-C): the files in flight finish, exit status 130.
    let code = run_and_stop(&a, &out, 120, "-INT");
    assert!(matches!(code, Some(130) | None), "{code:?}");
    // SIGTERM (Slurm at the time limit, Kubernetes at a pod's end): the
    // same as Ctrl-C, and the report of what was done is written.
    let code = run_and_stop(&a, &out, 200, "-TERM");
    assert_eq!(code, Some(130), "SIGTERM finishes the files in flight");
    assert!(out.join("report.json.partial").exists());

    let r = formsift(&["run", a.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let said = String::from_utf8_lossy(&r.stderr);
    assert!(
        !said.contains("(0 reused"),
        "the resumed run reused nothing: {said}"
    );
    for f in ["records.jsonl", "review.jsonl"] {
        assert!(
            read(&out.join(f)) == read(&whole.join(f)),
            "{f} differs after resume"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial") || n.contains(".resume"))
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

/// An --out inside the archive, with a table `formsift export` wrote
/// there: the run does not read its own output back as input, and says
/// which folder it passed over (and which files it does not read).
#[test]
fn a_run_does_not_read_its_output_folder_inside_the_archive() {
    let dir = tempdir("out-inside");
    let a = archive(&dir, 1);
    // A kind formsift does not read is counted, not read.
    std::fs::write(a.join("2019/batch0000/scan.doc"), "x").unwrap();
    let out = a.join("results");
    let run = || formsift(&["run", a.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    let records = read(&out.join("records.jsonl"));
    let csv = out.join("table.csv");
    let e = formsift(&[
        "export",
        "--out",
        out.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let again = run();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("passed over 1 folder(s)"), "{stderr}");
    assert_eq!(read(&out.join("records.jsonl")), records);
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_eq!(
        report["passed_over"],
        serde_json::json!([out.display().to_string()])
    );
    assert_eq!(report["not_read"], serde_json::json!({".doc": 1}));
    assert!(
        stderr.contains("passed over 1 file(s) of kinds it does not read (.doc 1)"),
        "{stderr}"
    );
}

/// Output edited after it was written (by hand, by another tool) is not
/// copied on by the next run: the files whose records changed are processed
/// again, with a warning; a merge refuses a shard changed so.
#[test]
fn edited_output_is_not_reused_or_merged() {
    let dir = tempdir("edited-output");
    let a = archive(&dir, 1);
    let out = dir.join("out");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            a.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        args.extend(extra);
        formsift(&args)
    };
    assert_eq!(run(&out, &[]).status.code(), Some(0));
    let records = out.join("records.jsonl");
    let written = read(&records);
    // A value changed in place, its length kept: only that file's bytes
    // differ.
    let edited = written.replacen("\"year\":2024", "\"year\":2025", 1);
    assert_ne!(edited, written);
    std::fs::write(&records, &edited).unwrap();
    let r = run(&out, &[]);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("the output of 1 file(s)") && stderr.contains("processed again"),
        "{stderr}"
    );
    assert_eq!(read(&records), written);

    let shard = |k: &str| {
        let d = dir.join(format!("shard-{}", &k[..1]));
        assert_eq!(run(&d, &["--shard", k]).status.code(), Some(0));
        d
    };
    let (s0, s1) = (shard("0/2"), shard("1/2"));
    let r1 = s1.join("records.jsonl");
    let text = read(&r1);
    std::fs::write(&r1, text.replacen("{\"id\"", "{\"Id\"", 1)).unwrap();
    let merged = dir.join("merged");
    let merge = || {
        formsift(&[
            "merge",
            s0.to_str().unwrap(),
            s1.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ])
    };
    let r = merge();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("run that shard again"), "{stderr}");
    // The shard run again, the merge gives the whole run's records.
    assert_eq!(run(&s1, &["--shard", "1/2"]).status.code(), Some(0));
    assert_eq!(merge().status.code(), Some(0));
    assert_eq!(read(&merged.join("records.jsonl")), written);
}

#[test]
fn shards_merge_to_the_unsharded_records() {
    let dir = tempdir("shards");
    let a = archive(&dir, 6);
    let whole = dir.join("whole");
    let r = formsift(&[
        "run",
        "-q",
        a.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    // Six copies of the five samples, in six folders: the ids of 25 files'
    // records repeat those of the first copy's. Said even with -q.
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        stderr.contains("warning: 25 file(s) have the name of an input in another folder"),
        "{stderr}"
    );
    let report = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&read(&d.join("report.json"))).unwrap()
    };
    let mut names: Vec<String> = samples()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        report(&whole)["ids_shared"],
        serde_json::json!({"files": 25, "names": names})
    );
    let mut args = vec!["merge".to_string()];
    for k in 0..4 {
        let d = dir.join(format!("shard-{k}"));
        let r = formsift(&[
            "run",
            "-q",
            "--shard",
            &format!("{k}/4"),
            a.to_str().unwrap(),
            "--out",
            d.to_str().unwrap(),
        ]);
        assert_eq!(r.status.code(), Some(0));
        args.push(d.display().to_string());
    }
    let merged = dir.join("merged");
    args.extend(["--out".to_string(), merged.display().to_string()]);
    let r = formsift(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(
        read(&merged.join("records.jsonl")),
        read(&whole.join("records.jsonl"))
    );
    // Names shared across shards are found in the merge.
    assert_eq!(report(&merged)["ids_shared"], report(&whole)["ids_shared"]);
    // Three of the four: the merge names the missing one and exits with 1.
    let some: Vec<&str> = args[..4].iter().map(String::as_str).collect();
    let part = dir.join("part");
    let r = formsift(&[&some[..], &["--out", part.to_str().unwrap()]].concat());
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("shard(s) 3/4 not given"), "{stderr}");
    let bad = formsift(&["run", "samples", "--shard", "4/4", "--out", "x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("K/N"));
}

#[test]
fn extract_reads_paths_from_stdin() {
    let list: String = samples()
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", "--files-from", "-"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 29);
}
