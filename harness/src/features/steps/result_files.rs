//! The receipt system's side: result files in the `face` folder, read by element name with the
//! eligibility crate's reader (UTF-8 or Shift_JIS, as the declaration says).

use anyhow::{anyhow, ensure, Context as _};
use cucumber::gherkin::Step;
use cucumber::{given, then};
use harness_eligibility::result_xml::CharacterCode;
use harness_eligibility::xml_tree::{parse_document, XmlDocument, XmlElement};

use super::StepResult;
use crate::features::world::FacilityWorld;

/// The newest result file in the face folder: its bytes and its tree.
fn last_result_file(w: &mut FacilityWorld) -> anyhow::Result<(Vec<u8>, XmlDocument)> {
    let files = w.facility()?.face_folder_files()?;
    let path = files
        .last()
        .ok_or_else(|| anyhow!("no result file in the face folder"))?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let document = parse_document(&bytes).with_context(|| format!("parsing {}", path.display()))?;
    Ok((bytes, document))
}

fn texts_named(element: &XmlElement, name: &str, found: &mut Vec<String>) {
    if element.name == name {
        found.push(element.text.clone());
    }
    for child in &element.children {
        texts_named(child, name, found);
    }
}

fn elements(document: &XmlDocument, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    texts_named(&document.root, name, &mut found);
    found
}

#[then(expr = "レセコンの face フォルダに結果ファイルが{int}件届く")]
fn result_files_arrived(w: &mut FacilityWorld, step: &Step, count: usize) -> StepResult {
    let files = w.facility()?.face_folder_files()?;
    ensure!(
        files.len() == count,
        "{} result files: {files:?}",
        files.len()
    );
    w.checkpoint(step)
}

#[then(expr = "レセコンの face フォルダに結果ファイルは届かない")]
fn no_result_file(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let files = w.facility()?.face_folder_files()?;
    ensure!(files.is_empty(), "結果ファイルが届いています: {files:?}");
    w.checkpoint(step)
}

#[given(expr = "端末は結果ファイルを Shift_JIS（CP932、CRLF）で書く")]
fn shift_jis_files(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.set_character_code(CharacterCode::ShiftJis)?;
    w.checkpoint(step)
}

#[then(expr = "結果ファイルは Shift_JIS で CRLF の行末である")]
fn file_is_shift_jis(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let (bytes, document) = last_result_file(w)?;
    let declared = document.declared_encoding.clone().unwrap_or_default();
    ensure!(
        declared.eq_ignore_ascii_case("Shift_JIS"),
        "宣言された文字コードは {declared:?} です"
    );
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    ensure!(
        lf > 0 && lf == crlf,
        "行末が CRLF ではありません（LF {lf}、CRLF {crlf}）"
    );
    w.checkpoint(step)
}

#[then(regex = r"^結果ファイルの「(\w+)」は「(.*)」である$")]
fn result_element(
    w: &mut FacilityWorld,
    step: &Step,
    element: String,
    value: String,
) -> StepResult {
    let (_, document) = last_result_file(w)?;
    let found = elements(&document, &element);
    ensure!(
        found.iter().any(|v| v == &value),
        "{element} is {found:?}, expected {value:?}"
    );
    w.checkpoint(step)
}

#[then(expr = "結果ファイルの「InsuredBranchNumber」は先頭のゼロを保っている")]
fn branch_number_zero(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let (_, document) = last_result_file(w)?;
    let found = elements(&document, "InsuredBranchNumber");
    ensure!(
        found.iter().any(|v| v.len() == 2 && v.starts_with('0')),
        "InsuredBranchNumber is {found:?}"
    );
    w.checkpoint(step)
}

#[then(expr = "結果ファイルに本人確認の方法は書かれていない")]
fn no_method_in_file(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let (bytes, document) = last_result_file(w)?;
    let names = document.root.all_names().join(" ");
    let text = String::from_utf8_lossy(&bytes);
    for word in ["IdentityMethod", "Face", "Pin", "Visual"] {
        ensure!(
            !names.contains(word),
            "the result file has an element {word:?}"
        );
    }
    for word in ["顔認証", "暗証番号", "目視"] {
        let mut texts = Vec::new();
        collect_texts(&document.root, &mut texts);
        ensure!(
            !texts.iter().any(|t| t.contains(word)),
            "the result file mentions {word:?}"
        );
    }
    ensure!(
        !text.contains("IdentityMethod"),
        "the result file mentions IdentityMethod"
    );
    w.checkpoint(step)
}

fn collect_texts(element: &XmlElement, texts: &mut Vec<String>) {
    texts.push(element.text.clone());
    for child in &element.children {
        collect_texts(child, texts);
    }
}

#[then(expr = "結果ファイルは ResultList を持つ")]
fn has_result_list(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let (_, document) = last_result_file(w)?;
    ensure!(
        document.root.find("ResultList").is_some(),
        "no ResultList in the result file"
    );
    w.checkpoint(step)
}
