//! `oqs-check <files or folders…>`: checks result files (OQSsiquc01res_*.xml) against the element
//! tables of the online eligibility system's interface specification. A folder is searched for
//! `*.xml` files (temporary files starting with `.` are skipped).
//!
//! Exit status: 0 when every file conforms, 1 when one does not, 2 on a usage error or when no
//! file was found.

use std::path::PathBuf;
use std::process::ExitCode;

use oqs_conformance::{check_path, result_files, CheckOptions};

fn main() -> ExitCode {
    let mut options = CheckOptions::default();
    let mut paths: Vec<PathBuf> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--help" | "-h") => {
                println!(
                    "usage: oqs-check [--no-shift-jis-crlf] <files or folders…>\n\
                     Checks OQSsiquc01res_*.xml result files; exit 0 when all conform."
                );
                return ExitCode::SUCCESS;
            }
            Some("--no-shift-jis-crlf") => options.shift_jis_crlf = false,
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        eprintln!("usage: oqs-check [--no-shift-jis-crlf] <files or folders…>");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for path in &paths {
        match result_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    if files.is_empty() {
        eprintln!("no result files found");
        return ExitCode::from(2);
    }
    let mut failed = 0usize;
    for file in &files {
        match check_path(file, &options) {
            Ok(report) => println!("OK {}: {report}", file.display()),
            Err(error) => {
                failed += 1;
                println!("NG {}: {error}", file.display());
            }
        }
    }
    println!(
        "{} file(s), {} conform, {failed} do not",
        files.len(),
        files.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
