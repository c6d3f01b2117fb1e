//! The command line: outputs, exit status and errors for bad input.

use crate::support::{formsift, jsonl, root, tempdir};

#[test]
fn run_writes_three_outputs_for_the_samples() {
    let out = tempdir("run");
    let r = formsift(&["run", "samples", "--out", out.to_str().unwrap()]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let records = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap());
    assert_eq!(records.len(), 29);
    let paths: Vec<&str> = records
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "inputs sorted by path");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["inputs"]["ok"], 5);
    assert_eq!(report["records"], 29);
    let preamble = &report["files"][1]["preamble"][0];
    assert_eq!(preamble["text"], "上海市总工会2024年度项目绩效目标汇总表");
    for item in jsonl(&std::fs::read_to_string(out.join("review.jsonl")).unwrap()) {
        for key in ["id", "path", "confidence", "flags", "source_text", "value"] {
            assert!(item.get(key).is_some(), "review item lacks {key}: {item}");
        }
        assert!(item["confidence"].as_f64().unwrap() < 0.8);
    }
}

#[test]
fn bad_inputs_are_named_and_the_batch_goes_on() {
    let dir = tempdir("bad");
    std::fs::write(dir.join("binary.txt"), b"\x00\x01\x02PK").unwrap();
    std::fs::write(
        dir.join("latin.txt"),
        [0x80u8, 0x81, 0xff, 0xfe, 0x41, 0x80],
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let out = dir.join("out");
    let r = formsift(&[
        "run",
        "samples/003_e82864895a36c2f5.txt",
        dir.join("binary.txt").to_str().unwrap(),
        dir.join("latin.txt").to_str().unwrap(),
        dir.join("empty").to_str().unwrap(),
        "no/such/file.txt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    for needle in [
        "binary.txt: binary file",
        "latin.txt: not valid UTF-8",
        "empty: directory holds no readable input",
        "no/such/file.txt: no such file",
    ] {
        assert!(err.contains(needle), "{needle:?} not in stderr:\n{err}");
    }
    let records = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap());
    assert_eq!(records.len(), 5, "the good file's records are kept");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["inputs"]["failed"], 4);
}

#[test]
fn files_without_a_form_are_said() {
    // A file read well that holds no form title gives no record: the run
    // says how many (even with --quiet), extract names each.
    let dir = tempdir("formless");
    std::fs::write(dir.join("notes.txt"), "会议纪要\n项目名称\t甲\n").unwrap();
    let out = dir.join("out");
    let r = formsift(&[
        "run",
        "samples/003_e82864895a36c2f5.txt",
        dir.join("notes.txt").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("warning: 1 file(s) read held no form"),
        "{err}"
    );
    let r = formsift(&["extract", dir.join("notes.txt").to_str().unwrap()]);
    assert!(r.status.success() && r.stdout.is_empty());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("notes.txt: no form found"), "{err}");
    let r = formsift(&["extract", "samples/003_e82864895a36c2f5.txt"]);
    assert!(
        r.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn extract_reads_stdin_and_gb18030_gives_the_same_records() {
    use std::io::Write;
    let text = std::fs::read_to_string(root().join("samples/002_fb1d3b598b348482.txt")).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gbk).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let from_gbk = jsonl(&String::from_utf8(out.stdout).unwrap());
    let from_utf8 = jsonl(
        &String::from_utf8(formsift(&["extract", "samples/002_fb1d3b598b348482.txt"]).stdout)
            .unwrap(),
    );
    assert_eq!(from_gbk.len(), 1);
    assert_eq!(from_gbk[0]["fields"], from_utf8[0]["fields"]);
    assert_eq!(from_gbk[0]["indicators"], from_utf8[0]["indicators"]);
}

#[test]
fn extract_reads_stdin_by_the_name_it_is_given() {
    // A CSV on standard input is read as CSV when named so; without the
    // name it is text, as before.
    use std::io::Write;
    let path = "tests/fixtures/csv/000_549c44c96e78e8d4.csv";
    let from_stdin = |extra: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_formsift"))
            .args(["extract", "-"])
            .args(extra)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let bytes = std::fs::read(root().join(path)).unwrap();
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        jsonl(&String::from_utf8(out.stdout).unwrap())
    };
    let named = from_stdin(&["--stdin-name", "a/form.csv"]);
    let from_file = jsonl(&String::from_utf8(formsift(&["extract", path]).stdout).unwrap());
    assert_eq!(named.len(), from_file.len());
    for (a, b) in named.iter().zip(&from_file) {
        assert_eq!(a["source"]["path"], "a/form.csv");
        assert_eq!(a["id"].as_str().unwrap().split('#').next(), Some("form"));
        assert_eq!(a["source"]["formats"], serde_json::json!(["csv"]));
        assert_eq!(
            (&a["fields"], &a["indicators"]),
            (&b["fields"], &b["indicators"])
        );
    }
    let unnamed = from_stdin(&[]);
    assert!(
        unnamed
            .iter()
            .all(|r| r["source"]["formats"] != serde_json::json!(["csv"]))
    );
}

#[test]
fn extract_piped_to_a_reader_that_stops_early_ends_quietly() {
    // `formsift extract … | head -1`: records of many files (far more than
    // a pipe holds) meet a closed pipe.
    let mut files: Vec<String> = Vec::new();
    for dir in [
        "tests/fixtures/html",
        "tests/fixtures/gfm",
        "tests/fixtures/layout",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            files.push(e.unwrap().path().to_str().unwrap().to_string());
        }
    }
    let mut args = vec!["extract"];
    args.extend(files.iter().map(String::as_str));
    let (first, done) = read_then_close(&args, 7);
    assert_eq!(&first, b"{\"id\":\"");
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn usage_errors_exit_2_and_every_command_has_help() {
    assert_eq!(
        formsift(&["run", "samples"]).status.code(),
        Some(2),
        "--out is required"
    );
    assert_eq!(formsift(&["frobnicate"]).status.code(), Some(2));
    for cmd in ["run", "extract", "eval", "config"] {
        let h = formsift(&[cmd, "--help"]);
        assert!(h.status.success());
        assert!(String::from_utf8_lossy(&h.stdout).contains("Usage"));
    }
}

/// A disk that fills stops a command with exit status 3, not 2 (a usage
/// error: the command as given cannot work): the command was right, and a
/// batch job may simply run it again. The message names the file and the
/// cause, and says what to do. `/dev/full` fails every write for lack of
/// space: standard output sent there, and a run's records file made a link
/// to it.
#[test]
fn a_full_disk_stops_with_exit_3_and_says_what_to_do() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    let sample = "samples/003_e82864895a36c2f5.txt";
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", sample])
        .current_dir(root())
        .stdout(std::fs::File::options().write(true).open(full).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(3), "{err}");
    assert!(
        err.contains("writing standard output: No space left"),
        "{err}"
    );
    assert!(err.contains("run the command again"), "{err}");

    let out = tempdir("full-disk");
    std::fs::create_dir_all(&out).unwrap();
    let records = out.join("records.jsonl.partial");
    std::os::unix::fs::symlink(full, &records).unwrap();
    let run = || formsift(&["run", sample, "--out", out.to_str().unwrap(), "--quiet"]);
    let r = run();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "cannot write {}: No space left",
            records.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    // Room made, the same command finishes with every record.
    std::fs::remove_file(&records).unwrap();
    let r = run();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let written = std::fs::read_to_string(out.join("records.jsonl")).unwrap();
    let extracted = formsift(&["extract", sample]);
    assert_eq!(written.as_bytes(), &extracted.stdout[..]);
    // An --out that cannot be a folder (a path under a file) is the
    // command's fault: status 2, and no advice to run it again.
    let file = out.join("records.jsonl");
    let under = file.join("x");
    for (cmd, args) in [
        ("run", vec![sample]),
        ("merge", vec![out.to_str().unwrap()]),
    ] {
        let r = formsift(&[&[cmd][..], &args, &["--out", under.to_str().unwrap()]].concat());
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains("give --out a folder that can be made and written"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("again"), "{cmd}: {err}");
    }
}

/// Files past `--file-limit` on every worker stop the run with exit
/// status 3 (what was done is kept); the same command goes on from there,
/// the files given up on skipped as failed. (A run of its own: its two
/// workers are not shared with other tests.)
#[test]
fn files_past_the_limit_on_every_worker_stop_the_run_and_a_rerun_goes_on() {
    let dir = tempdir("file-limit");
    let archive = dir.join("archive");
    std::fs::create_dir_all(&archive).unwrap();
    let form = std::fs::read_to_string(root().join("samples/003_e82864895a36c2f5.txt")).unwrap();
    // Three files that take seconds (their content read and hashed in a
    // tenth of one, well within the limit even on a busy machine), for two
    // workers, then a short one.
    for k in 0..3 {
        std::fs::write(archive.join(format!("a{k}.txt")), form.repeat(600)).unwrap();
    }
    std::fs::write(archive.join("b.txt"), &form).unwrap();
    let out = dir.join("out");
    let (a, o) = (archive.to_str().unwrap(), out.to_str().unwrap());
    let r = formsift(&[
        "run",
        a,
        "--out",
        o,
        "--threads",
        "2",
        "--file-limit",
        "0.8",
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(3), "{err}");
    assert!(
        err.contains("files past --file-limit hold every worker"),
        "{err}"
    );
    assert!(err.contains("run the same command again to go on"), "{err}");
    let r = formsift(&["run", a, "--out", o, "--threads", "2", "--quiet"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(
        r.status.code(),
        Some(1),
        "the files given up on fail: {err}"
    );
    let report = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert_eq!(
        report.matches("(--file-limit); given up").count(),
        2,
        "{report}"
    );
    let records = std::fs::read_to_string(out.join("records.jsonl")).unwrap();
    assert!(records.contains("\"b#1\""), "the short file is read");
}

#[test]
fn an_error_names_its_cause_once() {
    let r = formsift(&[
        "eval",
        "--gold",
        "tests/fixtures/expected",
        "no-such-records.jsonl",
    ]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("cannot read no-such-records.jsonl: "), "{err}");
    let cause = err.trim().rsplit(": ").next().unwrap();
    assert_eq!(err.matches(cause).count(), 1, "{err}");
}

#[test]
fn eval_piped_to_a_reader_that_stops_early_ends_quietly() {
    // `formsift eval … | head`: the report (81 KB of mismatches for the OCR
    // fixtures, more than a pipe holds) meets a closed pipe.
    let dir = tempdir("eval-pipe");
    let out = dir.join("o");
    let r = formsift(&[
        "run",
        "tests/fixtures/tesseract",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(r.status.success());
    let records = out.join("records.jsonl");
    let (first, done) = read_then_close(
        &[
            "eval",
            "--gold",
            "tests/fixtures/expected",
            records.to_str().unwrap(),
        ],
        64,
    );
    assert!(first.starts_with("gold records:".as_bytes()));
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Runs formsift with `args`, reads the first `n` bytes of its output and
/// closes the pipe, as `| head` does: those bytes and how the run ended.
fn read_then_close(args: &[&str], n: usize) -> (Vec<u8>, std::process::Output) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = vec![0u8; n];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    (first, child.wait_with_output().unwrap())
}

#[test]
fn a_bad_config_is_refused_with_its_location() {
    let dir = tempdir("cfg");
    let cfg = dir.join("p.toml");
    std::fs::write(&cfg, "[review]\nthreshhold = 0.5\n").unwrap();
    let r = formsift(&[
        "run",
        "samples",
        "--out",
        dir.join("o").to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("p.toml"), "{err}");
}

#[test]
fn a_config_override_changes_the_review_threshold() {
    let dir = tempdir("cfg2");
    let embedded = String::from_utf8(formsift(&["config"]).stdout).unwrap();
    let cfg = dir.join("strict.toml");
    std::fs::write(
        &cfg,
        embedded.replace("threshold = 0.8", "threshold = 0.999"),
    )
    .unwrap();
    let strict = jsonl(
        &String::from_utf8(
            formsift(&[
                "extract",
                "samples/004_d09f04723c65cfeb.txt",
                "--config",
                cfg.to_str().unwrap(),
            ])
            .stdout,
        )
        .unwrap(),
    );
    let default = jsonl(
        &String::from_utf8(formsift(&["extract", "samples/004_d09f04723c65cfeb.txt"]).stdout)
            .unwrap(),
    );
    let count = |rs: &[serde_json::Value]| {
        rs.iter()
            .flat_map(|r| r["indicators"].as_array().unwrap().clone())
            .filter(|i| i["review"] == true)
            .count()
    };
    assert!(count(&strict) > count(&default));
}
