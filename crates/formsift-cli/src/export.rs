//! `formsift export`: a run's records as a flat indicator table.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes the CSV and/or XLSX table of `out`/records.jsonl.
pub fn export(
    out: PathBuf,
    csv: Option<String>,
    xlsx: Option<PathBuf>,
    quiet: bool,
) -> Result<ExitCode> {
    if csv.is_none() && xlsx.is_none() {
        bail!("say what to write: --csv FILE (or - for stdout) and/or --xlsx FILE");
    }
    let records = out.join("records.jsonl");
    if !records.is_file() {
        bail!(
            "{} has no records.jsonl: give the --out folder of a finished `formsift run`",
            out.display()
        );
    }
    if let Some(dest) = csv {
        let n = if dest == "-" {
            formsift_export::write_csv(&records, std::io::stdout().lock())?
        } else {
            let tmp = format!("{dest}.partial");
            let f = std::fs::File::create(&tmp).with_context(|| format!("creating {tmp}"))?;
            let n = formsift_export::write_csv(&records, std::io::BufWriter::new(f))?;
            std::fs::rename(&tmp, &dest).with_context(|| format!("writing {dest}"))?;
            n
        };
        if !quiet && dest != "-" {
            eprintln!("formsift: {n} row(s) → {dest}");
        }
    }
    if let Some(dest) = xlsx {
        let n = formsift_export::write_xlsx(&records, &dest)?;
        if !quiet {
            eprintln!("formsift: {n} row(s) → {}", dest.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
