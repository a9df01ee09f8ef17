//! The workspace's shape, checked by `cargo test -p architecture`: no two source files import
//! each other, directly or around a loop (issue #9), and no file grows past 600 lines unless a
//! comment in it says why.
//!
//! Text-level, not a compiler: a small lexer finds `mod` declarations, `use` trees and paths that
//! start with `crate::`, `super::`, `self::` or a child module's name, then resolves them to the
//! file that holds the module they name.

pub mod cycles;
pub mod graph;
pub mod lex;

pub use cycles::circles;
pub use graph::{crate_graph, CrateGraph, GraphError, Import};

/// The phrase a file over the line limit must carry in a comment, followed by the reason.
pub const LONG_FILE_REASON: &str = "Longer than 600 lines because";

/// The line limit of a source file.
pub const MAX_LINES: usize = 600;

/// Circles of one crate in words: each file of the group and the imports that close it.
pub fn describe_circle(graph: &CrateGraph, group: &[usize]) -> String {
    let mut out = String::new();
    for import in &graph.imports {
        if group.contains(&import.from) && group.contains(&import.to) {
            out.push_str(&format!(
                "  {} → {} ({})\n",
                graph.files[import.from].path.display(),
                graph.files[import.to].path.display(),
                import.written
            ));
        }
    }
    out
}
