//! Writes card-check result files into `<root>/face/` in a loop, from several threads, until it is
//! killed (or `--count` files per thread are written). After each file is durably in place it
//! prints `written <file name>` on stdout: the test that SIGKILLs this process checks that every
//! acknowledged file is there and that no partial file is visible under a `.xml` name.
//!
//! Usage: `result-writer-load <root> [--threads N] [--count N] [--shift-jis] [--slow-device BYTES:MICROS]`
//!
//! `--slow-device 256:200` writes 256 bytes at a time with a 200 µs pause after each (a slow
//! disk), so that a kill lands in the middle of writes.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

use chrono::{Duration, NaiveDate};
use harness_eligibility::files::SlowDevice;
use harness_eligibility::protocol::{Consent, Consents, IdentityMethod};
use harness_eligibility::{
    CardCheckWithoutRecord, CharacterCode, CheckOutcome, CheckResult, FixtureDir, InsuranceBook,
    ResultFileOptions, ResultFolders,
};

struct Args {
    root: std::path::PathBuf,
    threads: u64,
    count: Option<u64>,
    shift_jis: bool,
    slow_device: Option<SlowDevice>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut threads = 4;
    let mut count = None;
    let mut shift_jis = false;
    let mut slow_device = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--threads needs a positive number")?;
            }
            "--count" => {
                count = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or("--count needs a number")?,
                );
            }
            "--shift-jis" => shift_jis = true,
            "--slow-device" => {
                let spec = args.next().unwrap_or_default();
                let (bytes, micros) = spec
                    .split_once(':')
                    .and_then(|(b, m)| Some((b.parse().ok()?, m.parse().ok()?)))
                    .ok_or("--slow-device needs BYTES:MICROS")?;
                slow_device = Some(SlowDevice {
                    chunk_bytes: bytes,
                    pause: std::time::Duration::from_micros(micros),
                });
            }
            _ if root.is_none() => root = Some(arg.into()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Args {
        root: root
            .ok_or("usage: result-writer-load <root> [--threads N] [--count N] [--shift-jis]")?,
        threads,
        count,
        shift_jis,
        slow_device,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let records = match std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .map_err(|e| e.to_string())
    .and_then(|t| InsuranceBook::from_toml(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => b,
        Err(e) => {
            eprintln!("insurance records: {e}");
            return ExitCode::from(1);
        }
    };
    let mut folders = ResultFolders::new(&args.root);
    if let Some(slow) = args.slow_device {
        folders = folders.with_slow_device(slow);
    }
    if let Err(e) = folders.create_all() {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    let options = ResultFileOptions {
        character_code: if args.shift_jis {
            CharacterCode::ShiftJis
        } else {
            CharacterCode::Utf8
        },
        // Every outcome writes a file here (該当資格なし included): the tool loads the writer.
        card_check_without_record: CardCheckWithoutRecord::WithoutResultList,
        ..ResultFileOptions::default()
    };
    let Some(base) = NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(9, 0, 0))
    else {
        return ExitCode::from(1);
    };
    let people = [
        "yamada-taro",
        "sato-hanako",
        "takahashi-kenji",
        "nakamura-aoi",
    ];
    let stdout = Mutex::new(std::io::stdout());
    let failed = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..args.threads)
            .map(|thread| {
                let (folders, options, records, stdout) = (&folders, &options, &records, &stdout);
                scope.spawn(move || -> Result<(), String> {
                    let mut i: u64 = 0;
                    while args.count.is_none_or(|n| i < n) {
                        i += 1;
                        let seconds = i64::try_from(i).unwrap_or(i64::MAX);
                        let now = base + Duration::seconds(seconds);
                        let person = people
                            .get((i % 4) as usize)
                            .copied()
                            .unwrap_or("yamada-taro");
                        let consent = |given| Some(Consent { given, at: now });
                        let outcome = CheckOutcome {
                            check_id: thread * 10_000_000 + i,
                            method: IdentityMethod::Face,
                            evidence: None,
                            person_id: Some(person.to_owned()),
                            auth_certificate_sha256: String::new(),
                            result: CheckResult::Eligibility(
                                records.for_person(person, now.date()),
                            ),
                            consents: Consents {
                                medication: consent(true),
                                health_checkups: consent(false),
                                diagnosis: consent(true),
                                operation: consent(i.is_multiple_of(2)),
                                limit_application: None,
                            },
                            reader_name: format!("Virtual Reader {thread}"),
                            requested_at: now,
                            checked_at: now,
                            qualification_confirmation_date: now.date(),
                        };
                        let Some(path) = folders
                            .write_outcome(&outcome, options)
                            .map_err(|e| e.to_string())?
                        else {
                            return Err(format!("no file written for {person}"));
                        };
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let mut out = stdout
                            .lock()
                            .map_err(|_| "stdout lock poisoned".to_owned())?;
                        writeln!(out, "written {name}")
                            .and_then(|()| out.flush())
                            .map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("writer thread panicked".into()))
            })
            .filter_map(Result::err)
            .inspect(|e| eprintln!("{e}"))
            .count()
    });
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
