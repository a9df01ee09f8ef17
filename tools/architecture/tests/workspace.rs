//! Issue #9's shape rules over the whole workspace: every crate root (libraries, binaries, tests,
//! benches, fuzz targets) has no import circle between its files, and no Rust file is longer
//! than 600 lines unless a comment in it says why.

use std::path::{Path, PathBuf};

use architecture::{circles, crate_graph, describe_circle, LONG_FILE_REASON, MAX_LINES};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tools/architecture sits two folders below the workspace root")
        .to_path_buf()
}

/// Folders never searched: build output and version control.
fn skipped(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("target" | ".git" | "corpus" | "artifacts" | "node_modules")
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if !skipped(&path) {
                walk(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&workspace_root(), &mut files);
    files
}

/// Every crate root Cargo finds by convention (the Cargo Book, "Target auto-discovery"), plus
/// cargo-fuzz's fuzz_targets/.
fn crate_roots(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for manifest in files.iter().filter(|p| p.ends_with("Cargo.toml")) {
        let dir = manifest.parent().expect("a file has a folder");
        for fixed in ["src/lib.rs", "src/main.rs"] {
            let root = dir.join(fixed);
            if root.is_file() {
                roots.push(root);
            }
        }
        for folder in ["src/bin", "tests", "benches", "examples", "fuzz_targets"] {
            let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
                continue;
            };
            let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            for path in entries {
                if path.extension().is_some_and(|e| e == "rs") {
                    roots.push(path);
                } else if path.join("main.rs").is_file() {
                    roots.push(path.join("main.rs"));
                }
            }
        }
    }
    roots
}

#[test]
fn no_two_files_import_each_other() {
    let files = all_files();
    let roots = crate_roots(&files);
    assert!(roots.len() > 20, "found only {roots:?}");
    let mut report = String::new();
    for root in &roots {
        let graph = crate_graph(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        for group in circles(&graph) {
            report.push_str(&format!("circle in the crate of {}:\n", root.display()));
            report.push_str(&describe_circle(&graph, &group));
        }
    }
    assert!(report.is_empty(), "import circles:\n{report}");
}

#[test]
fn no_file_passes_600_lines_without_saying_why() {
    let mut long = Vec::new();
    for path in all_files() {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines = text.lines().count();
        if lines > MAX_LINES && !text.contains(LONG_FILE_REASON) {
            long.push(format!("{} ({lines} lines)", path.display()));
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines with no comment \"{LONG_FILE_REASON} …\":\n{}",
        long.join("\n")
    );
}
