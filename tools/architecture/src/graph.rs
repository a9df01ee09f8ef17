//! A crate's module tree (followed from its root through `mod` declarations, as rustc does: the
//! Rust Reference, "Modules" — `mod x;` is `x.rs` or `x/mod.rs` beside a `mod.rs`/root, else in a
//! folder named after the file; `#[path]` relative to the declaring file's folder) and the imports
//! between its files.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::lex::{lex, Token};

/// Why a crate's tree could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{declared_in}: `mod {name};` has no file (looked for {looked:?})")]
    MissingModule {
        declared_in: PathBuf,
        name: String,
        looked: Vec<PathBuf>,
    },
}

/// One file of a crate and the module it holds.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub module: Vec<String>,
    /// Where `mod x;` declared in this file looks for `x.rs`.
    child_dir: PathBuf,
}

/// A use of one file's items by another: `from` names a module that lives in `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Import {
    pub from: usize,
    pub to: usize,
    /// The path as written, `::`-joined.
    pub written: String,
}

/// A crate: its files and every import between two of them.
#[derive(Debug)]
pub struct CrateGraph {
    pub files: Vec<SourceFile>,
    pub imports: Vec<Import>,
}

/// A module path inside one file: the file's module plus inline `mod x { … }` blocks.
type ModulePath = Vec<String>;

/// Reads the crate whose root file is `root` (lib.rs, main.rs, a test or bench file).
pub fn crate_graph(root: &Path) -> Result<CrateGraph, GraphError> {
    let mut files = Vec::new();
    // Every module (file or inline) → the file holding it.
    let mut modules: BTreeMap<ModulePath, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([SourceFile {
        path: root.to_path_buf(),
        module: Vec::new(),
        child_dir: root.parent().unwrap_or(Path::new(".")).to_path_buf(),
    }]);
    let mut tokens_of = Vec::new();
    while let Some(file) = queue.pop_front() {
        let text = std::fs::read_to_string(&file.path).map_err(|source| GraphError::Read {
            path: file.path.clone(),
            source,
        })?;
        let tokens = lex(&text);
        let index = files.len();
        modules.insert(file.module.clone(), index);
        for decl in module_declarations(&tokens) {
            let mut module = file.module.clone();
            module.extend(decl.inline.iter().cloned());
            module.push(decl.name.clone());
            match decl.kind {
                DeclKind::Inline => {
                    modules.insert(module, index);
                }
                DeclKind::File { path_attr } => {
                    let path = resolve_file(&file, &decl.inline, &decl.name, path_attr)?;
                    // A file loaded through `#[path]` owns its folder like a mod.rs.
                    let child_dir = if is_dir_owner(&path) || path_attr.is_some() {
                        path.parent().unwrap_or(Path::new(".")).to_path_buf()
                    } else {
                        path.with_extension("")
                    };
                    queue.push_back(SourceFile {
                        path,
                        module,
                        child_dir,
                    });
                }
            }
        }
        files.push(file);
        tokens_of.push(tokens);
    }
    let mut imports = BTreeSet::new();
    for (from, tokens) in tokens_of.iter().enumerate() {
        for (context, written) in paths_used(tokens) {
            let mut here = files[from].module.clone();
            here.extend(context);
            let Some(absolute) = absolute_path(&here, &written, &modules) else {
                continue;
            };
            let target = (0..=absolute.len())
                .rev()
                .find_map(|n| modules.get(&absolute[..n]).copied());
            if let Some(to) = target.filter(|&to| to != from) {
                imports.insert(Import {
                    from,
                    to,
                    written: written.join("::"),
                });
            }
        }
    }
    Ok(CrateGraph {
        files,
        imports: imports.into_iter().collect(),
    })
}

/// `mod.rs`, `lib.rs` and `main.rs` own their folder; other files own a folder named after them.
fn is_dir_owner(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("mod.rs" | "lib.rs" | "main.rs")
    )
}

fn resolve_file(
    parent: &SourceFile,
    inline: &[String],
    name: &str,
    path_attr: Option<&str>,
) -> Result<PathBuf, GraphError> {
    let mut looked = Vec::new();
    if let Some(attr) = path_attr {
        let base = parent.path.parent().unwrap_or(Path::new("."));
        let dir = inline.iter().fold(base.to_path_buf(), |d, m| d.join(m));
        let candidate = dir.join(attr);
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(candidate);
    } else {
        let dir = inline
            .iter()
            .fold(parent.child_dir.clone(), |d, m| d.join(m));
        for candidate in [
            dir.join(format!("{name}.rs")),
            dir.join(name).join("mod.rs"),
        ] {
            if candidate.is_file() {
                return Ok(candidate);
            }
            looked.push(candidate);
        }
    }
    Err(GraphError::MissingModule {
        declared_in: parent.path.clone(),
        name: name.to_string(),
        looked,
    })
}

enum DeclKind<'a> {
    Inline,
    File { path_attr: Option<&'a str> },
}

struct ModuleDecl<'a> {
    /// Inline modules around the declaration.
    inline: Vec<String>,
    name: String,
    kind: DeclKind<'a>,
}

/// Every `mod x;` and `mod x { … }` of a file, with the inline modules around it.
fn module_declarations(tokens: &[Token]) -> Vec<ModuleDecl<'_>> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut path_attr: Option<&str> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('#') => {
                if let [Token::Punct('['), Token::Ident(p), Token::Punct('='), Token::Str(s), Token::Punct(']')] =
                    tokens.get(i + 1..i + 6).unwrap_or(&[])
                {
                    if p == "path" {
                        path_attr = Some(s.as_str());
                    }
                }
            }
            Token::Ident(kw) if kw == "mod" => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                    let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                    match tokens.get(i + 2) {
                        Some(Token::Punct(';')) => out.push(ModuleDecl {
                            inline: names,
                            name: name.clone(),
                            kind: DeclKind::File {
                                path_attr: path_attr.take(),
                            },
                        }),
                        Some(Token::Punct('{')) => {
                            out.push(ModuleDecl {
                                inline: names,
                                name: name.clone(),
                                kind: DeclKind::Inline,
                            });
                            inline.push((name.clone(), depth));
                            depth += 1;
                            path_attr = None;
                            i += 3;
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Punct(';') => path_attr = None,
            _ => {}
        }
        i += 1;
    }
    out
}

/// Every path a file writes that may name one of the crate's modules: `use` trees (expanded) and
/// other paths with at least one `::`, each with the inline modules around it.
fn paths_used(tokens: &[Token]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let context = || inline.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        match &tokens[i] {
            Token::Ident(kw) if kw == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Punct('{'))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(kw) if kw == "use" => {
                let mut trees = Vec::new();
                i = use_tree(tokens, i + 1, Vec::new(), &mut trees);
                let ctx = context();
                out.extend(trees.into_iter().map(|t| (ctx.clone(), t)));
                continue;
            }
            Token::Ident(first)
                if tokens.get(i + 1) == Some(&Token::PathSep)
                    && (i == 0 || tokens[i - 1] != Token::PathSep) =>
            {
                let mut segments = vec![first.clone()];
                let mut k = i + 1;
                while let (Some(Token::PathSep), Some(Token::Ident(s))) =
                    (tokens.get(k), tokens.get(k + 1))
                {
                    segments.push(s.clone());
                    k += 2;
                }
                out.push((context(), segments));
                i = k;
                continue;
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Parses one use tree at `i` (after `use` or inside braces); pushes each leaf's full path.
/// Returns the index after the tree.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    if tokens.get(i) == Some(&Token::PathSep) {
        // `use ::extern_crate::…`: never this crate.
        prefix.push("::".into());
        i += 1;
    }
    loop {
        match tokens.get(i) {
            Some(Token::Ident(s)) => {
                prefix.push(s.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::PathSep) {
                    i += 1;
                    continue;
                }
                if tokens.get(i) == Some(&Token::Ident("as".into())) {
                    i += 2;
                }
                out.push(prefix);
                return i;
            }
            Some(Token::Punct('*')) => {
                out.push(prefix);
                return i + 1;
            }
            Some(Token::Punct('{')) => {
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some(Token::Punct('}')) => return i + 1,
                        Some(Token::Punct(',')) => i += 1,
                        None => return i,
                        Some(_) => {
                            let before = i;
                            i = use_tree(tokens, i, prefix.clone(), out);
                            if i == before {
                                i += 1;
                            }
                        }
                    }
                }
            }
            _ => return i,
        }
    }
}

/// Resolves a written path against the module it is written in, if it names this crate's items:
/// `crate::`, `super::`, `self::`, or a child module of the current one (2018 edition paths).
fn absolute_path(
    here: &[String],
    written: &[String],
    modules: &BTreeMap<ModulePath, usize>,
) -> Option<ModulePath> {
    let first = written.first()?;
    match first.as_str() {
        "crate" => Some(written[1..].to_vec()),
        "self" => Some(here.iter().chain(&written[1..]).cloned().collect()),
        "super" => {
            let ups = written.iter().take_while(|s| *s == "super").count();
            let base = here.get(..here.len().checked_sub(ups)?)?;
            Some(base.iter().chain(&written[ups..]).cloned().collect())
        }
        _ => {
            let mut child = here.to_vec();
            child.push(first.clone());
            modules
                .contains_key(&child)
                .then(|| here.iter().chain(written).cloned().collect())
        }
    }
}
