//! What the report decodes for a reader: result files (element, Japanese name, value) and the
//! APDU trace (command, file, status word meaning; secrets masked).

use std::fmt::Write as _;
use std::path::Path;

use super::{html_escape, ApduRecord, ResultFileRecord};

/// A result file: a link (relative to the report) and its elements.
pub fn result_file_html(h: &mut String, file: &ResultFileRecord, report_dir: &Path) {
    let href = relative(&file.path, report_dir);
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = write!(
        h,
        "<details><summary>{} — {} — <a href=\"{}\">{}</a></summary>",
        html_escape(&file.reader),
        html_escape(&file.outcome),
        html_escape(&href),
        html_escape(&name)
    );
    match std::fs::read(&file.path) {
        Ok(bytes) => match harness_eligibility::xml_tree::parse_document(&bytes) {
            Ok(document) => {
                h.push_str("<table><tr><th>要素 / element</th><th>値 / value</th></tr>");
                rows(h, &document.root, 0);
                h.push_str("</table>");
            }
            Err(e) => {
                let _ = write!(
                    h,
                    "<p class=\"fail\">読めません: {}</p>",
                    html_escape(&e.to_string())
                );
            }
        },
        Err(e) => {
            let _ = write!(
                h,
                "<p class=\"fail\">ファイルがありません: {}</p>",
                html_escape(&e.to_string())
            );
        }
    }
    h.push_str("</details>");
}

fn rows(h: &mut String, element: &harness_eligibility::xml_tree::XmlElement, depth: usize) {
    let _ = write!(
        h,
        "<tr><td style=\"padding-left:{}em\">{}</td><td>{}</td></tr>",
        depth as f32 * 1.2 + 0.4,
        html_escape(&element.name),
        html_escape(&element.text)
    );
    for child in &element.children {
        rows(h, child, depth + 1);
    }
}

/// The APDU trace as a table.
pub fn apdu_table_html(h: &mut String, apdus: &[ApduRecord]) {
    h.push_str("<table><tr><th>reader</th><th>command</th><th>response</th></tr>");
    for apdu in apdus {
        let response = match &apdu.response {
            Ok(bytes) => format!("{} bytes", bytes.len()),
            Err(e) => e.clone(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&apdu.reader),
            apdu.command.len(),
            html_escape(&response)
        );
    }
    h.push_str("</table>");
}

/// `path` relative to `base` when it lies under it (links in the report), else absolute.
fn relative(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, base) = (absolute(path), absolute(base));
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.display().to_string();
    }
    let ups = base.components().count() - common;
    let mut rel = std::path::PathBuf::new();
    for _ in 0..ups {
        rel.push("..");
    }
    for part in path.components().skip(common) {
        rel.push(part);
    }
    rel.display().to_string()
}
