//! The checker itself: a circle it must find, a tree it must accept.

use std::fs;

use architecture::{circles, crate_graph};

fn write(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

#[test]
fn finds_a_circle_through_three_files_and_a_use_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "mod a;\nmod b;\npub mod c;\n"),
            ("a.rs", "use crate::{b::B, c};\npub struct A;\n"),
            ("b.rs", "pub struct B(pub super::c::inner::C);\n"),
            (
                "c/mod.rs",
                "pub mod inner;\n// use crate::a::A; (a comment)\nconst S: &str = \"crate::a::A\";\n",
            ),
            ("c/inner.rs", "pub struct C; fn f() -> crate::a::A { crate::a::A }\n"),
        ],
    );
    let graph = crate_graph(&dir.path().join("lib.rs")).expect("graph");
    let found = circles(&graph);
    assert_eq!(found.len(), 1, "{graph:#?}");
    let names: Vec<_> = found[0]
        .iter()
        .map(|&i| {
            graph.files[i]
                .path
                .strip_prefix(dir.path())
                .expect("inside")
                .to_owned()
        })
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        !names.iter().any(|n| n.ends_with("mod.rs")),
        "c/mod.rs only declares: {names:?}"
    );
}

#[test]
fn a_tree_with_tests_and_path_attributes_has_no_circle() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "pub mod model;\npub mod engine;\n"),
            (
                "model.rs",
                "pub struct M;\n#[cfg(test)]\n#[path = \"model_tests.rs\"]\nmod tests;\n",
            ),
            ("model_tests.rs", "use super::*;\n"),
            (
                "engine/mod.rs",
                "mod step;\npub use step::run;\nmod inline { use super::step; }\n",
            ),
            (
                "engine/step.rs",
                "use crate::model::M;\npub fn run() -> M { M }\n",
            ),
        ],
    );
    let graph = crate_graph(&dir.path().join("lib.rs")).expect("graph");
    assert_eq!(graph.files.len(), 5, "{graph:#?}");
    assert!(circles(&graph).is_empty(), "{graph:#?}");
    // The child-module path `step::run` was seen as an import of engine/step.rs.
    assert!(
        graph.imports.iter().any(|i| i.written == "step::run"),
        "{graph:#?}"
    );
}

#[test]
fn a_missing_module_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("lib.rs", "mod gone;\n")]);
    assert!(crate_graph(&dir.path().join("lib.rs")).is_err());
}
