//! A result file as the report shows it: a link (relative to the report), its encoding and line
//! endings, whether it passed the conformance reader (oqs-conformance), and its elements with
//! their Japanese names and code meanings (oqs-conformance's tables, the only home of both).

use std::fmt::Write as _;
use std::path::Path;

use oqs_conformance::document::Element;
use oqs_conformance::tables::{label_of, meaning_of};
use oqs_conformance::{CheckOptions, ConformanceError, FileReport, Problem};

use super::escape::{both, html_escape};
use super::records::ResultFileRecord;

/// A result file: a link (relative to the report), its encoding, whether it passed the
/// conformance reader, and its elements with their Japanese names and code meanings.
pub fn result_file_html(h: &mut String, file: &ResultFileRecord, report_dir: &Path) {
    let href = url_path(&relative(&file.path, report_dir));
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let check = oqs_conformance::check_path(&file.path, &CheckOptions::default());
    let verdict = match &check {
        Ok(_) => format!(
            "<span class=\"pass\">{}</span>",
            both("✔ 合格", "✔ conforms")
        ),
        Err(_) => format!(
            "<span class=\"fail\">{}</span>",
            both("✘ 不合格", "✘ violations")
        ),
    };
    let _ = write!(
        h,
        "<details class=\"result-file\"><summary>{} — {} — <a href=\"{}\">{}</a> — {verdict}</summary>",
        html_escape(&file.reader),
        html_escape(&file.outcome),
        html_escape(&href),
        html_escape(&name)
    );
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = write!(
                h,
                "<p class=\"fail\">{} {}</p></details>",
                both("ファイルを読めません:", "cannot read the file:"),
                html_escape(&e.to_string())
            );
            return;
        }
    };
    match oqs_conformance::document::read(&bytes) {
        Ok(document) => {
            let line_ending = if document.text.contains("\r\n") {
                "CRLF"
            } else {
                "LF"
            };
            let _ = write!(
                h,
                "<p>{} <b>{}</b>　{} <b>{line_ending}</b>　{} {}</p>",
                both("文字コード:", "Encoding:"),
                html_escape(document.encoding),
                both("改行:", "Line endings:"),
                both(
                    "適合性検査（oqs-conformance）:",
                    "Conformance check (oqs-conformance):"
                ),
                check_html(&check)
            );
            let _ = write!(
                h,
                "<table class=\"elements\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                both("要素", "Element"),
                both("日本語名", "Japanese name"),
                both("値", "Value"),
                both("コードの意味", "Code meaning"),
            );
            element_rows(h, &document.root, 0);
            h.push_str("</table>");
        }
        Err(e) => {
            let _ = write!(
                h,
                "<p class=\"fail\">{} {}</p>",
                both("XML として読めません:", "not readable as XML:"),
                html_escape(&e.to_string())
            );
        }
    }
    h.push_str("</details>");
}

/// The conformance verdict: 合格 with what the file holds, or every violation.
fn check_html(check: &Result<FileReport, ConformanceError>) -> String {
    match check {
        Ok(report) => {
            let coded = |element: &str, code: &str| {
                let label = label_of(element).unwrap_or(element);
                match meaning_of(element, code) {
                    Some(meaning) => format!("{label} {code}（{meaning}）"),
                    None => format!("{label} {code}"),
                }
            };
            let mut ja = vec![
                coded("ReferenceClassification", &report.reference),
                coded("SegmentOfResult", &report.segment),
                coded("ProcessingResultStatus", &report.status),
            ];
            ja.extend(
                report
                    .validity
                    .as_deref()
                    .map(|v| coded("QualificationValidity", v)),
            );
            ja.push(format!("資格確認結果 {} 件", report.records));
            format!(
                "<span class=\"pass\">{}</span> — {}",
                both("合格", "passed"),
                both(&ja.join("、"), &report.to_string())
            )
        }
        Err(ConformanceError::Violations(violations)) => {
            let mut s = format!(
                "<span class=\"fail\">{}</span><ul class=\"violations\">",
                both(
                    &format!("不合格（違反 {} 件）", violations.len()),
                    &format!("failed ({} violations)", violations.len())
                )
            );
            for v in violations {
                let element = v.path.rsplit('/').next().unwrap_or_default();
                let element = element.split('[').next().unwrap_or_default();
                let place = match label_of(element) {
                    Some(label) => format!("{}（{label}）", v.path),
                    None => v.path.clone(),
                };
                let _ = write!(
                    s,
                    "<li><code>{}</code>: {}</li>",
                    html_escape(&place),
                    both(&problem_ja(&v.problem), &v.problem.to_string())
                );
            }
            s.push_str("</ul>");
            s
        }
        Err(other) => format!(
            "<span class=\"fail\">{}</span> {}",
            both("不合格", "failed"),
            html_escape(&other.to_string())
        ),
    }
}

/// A violation in Japanese (the English is the crate's own Display). Exhaustive on purpose: a
/// new kind of problem gets its Japanese here before it compiles.
fn problem_ja(problem: &Problem) -> String {
    match problem {
        Problem::Missing => "必須の要素がありません".to_owned(),
        Problem::Empty => "要素が空です（値のない項目は要素ごと省きます）".to_owned(),
        Problem::Duplicate(n) => format!("{n} 回現れます（1 回まで）"),
        Problem::Unexpected => "仕様の要素表にない要素です".to_owned(),
        Problem::NotAllowed(why) => format!("この結果では書けない要素です: {why}"),
        Problem::BadValue { value, expected } => {
            format!("値 {value:?} は {expected} ではありません")
        }
        Problem::MixedContent => "文字と子要素が混在しています".to_owned(),
        Problem::RecordCount { found, expected } => {
            format!("資格確認結果が {found} 件です（必要: {expected}）")
        }
        Problem::Declaration(why) => format!("XML 宣言: {why}"),
        Problem::EncodingMismatch {
            declared,
            identifier,
        } => format!(
            "宣言の文字コード {declared} と文字コード識別 {identifier} が合いません（0 = UTF-8、1 = Shift_JIS）"
        ),
        Problem::LineEndings { found, expected } => {
            format!("改行が {found} です（必要: {expected}）")
        }
        Problem::FileName(why) => format!("ファイル名: {why}"),
        Problem::Inconsistent(why) => format!("値が矛盾しています: {why}"),
    }
}

fn element_rows(h: &mut String, element: &Element, depth: usize) {
    let value = if element.children.is_empty() {
        element.text.as_str()
    } else {
        ""
    };
    let meaning = if value.is_empty() {
        None
    } else {
        meaning_of(&element.name, value)
    };
    let _ = write!(
        h,
        "<tr><td style=\"padding-left:{:.1}em\"><code>{}</code></td><td>{}</td><td class=\"value\">{}</td><td>{}</td></tr>",
        depth as f32 * 1.2 + 0.4,
        html_escape(&element.name),
        html_escape(label_of(&element.name).unwrap_or("")),
        // Leading spaces matter (a 6-digit 保険者番号 is padded to 8): keep them visible.
        html_escape(value).replace(' ', "&nbsp;"),
        html_escape(meaning.unwrap_or(""))
    );
    for child in &element.children {
        element_rows(h, child, depth + 1);
    }
}

/// A path as a URL path: every byte but ASCII letters, digits, `-._~` and `/` percent-encoded
/// (RFC 3986), so that `#`, `?`, `%` or spaces in a scenario's folder name do not break the link.
fn url_path(path: &str) -> String {
    let mut url = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
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

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
<XmlMsg><MessageHeader><ProcessExecutionTime>20261125090105</ProcessExecutionTime>\
<QualificationConfirmationDate>20261125</QualificationConfirmationDate>\
<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>\
<ReferenceClassification>1</ReferenceClassification><SegmentOfResult>1</SegmentOfResult>\
<CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader>\
<MessageBody><ProcessingResultStatus>1</ProcessingResultStatus>\
<QualificationValidity>1</QualificationValidity><ResultList><ResultOfQualificationConfirmation>\
<InsuredCardClassification>01</InsuredCardClassification><InsurerNumber>  123456</InsurerNumber>\
<InsuredIdentificationNumber>1234</InsuredIdentificationNumber><Name>試験　花子</Name>\
<NameKana>ｼｹﾝ ﾊﾅｺ</NameKana><Sex1>2</Sex1><Birthdate>19800101</Birthdate>\
<InsurerName>試験&lt;国保&gt;</InsurerName><PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg>\
<PharmacistsInfoConsTime>20261125090100</PharmacistsInfoConsTime>\
<PharmacistsInfoAvailableTime>20261126090100</PharmacistsInfoAvailableTime>\
</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>\n";

    fn write(dir: &Path, name: &str, body: &[u8]) -> ResultFileRecord {
        let path = dir.join("oqs/face").join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, body).expect("write");
        ResultFileRecord {
            reader: "受付1".into(),
            outcome: "有効".into(),
            path,
        }
    }

    #[test]
    fn a_result_file_is_decoded_with_japanese_names_and_code_meanings() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(
            dir.path(),
            "OQSsiquc01res_face_00000001_20261125090105.xml",
            VALID.as_bytes(),
        );
        let mut h = String::new();
        result_file_html(&mut h, &file, dir.path());
        assert!(
            h.contains("href=\"oqs/face/OQSsiquc01res_face_00000001_20261125090105.xml\""),
            "{h}"
        );
        assert!(h.contains("✔ 合格"), "{h}");
        assert!(h.contains("<b>UTF-8</b>"), "{h}");
        for (element, label, value, meaning) in [
            ("QualificationValidity", "資格有効性", "1", "有効"),
            ("Sex1", "性別1", "2", "女"),
            (
                "InsuredCardClassification",
                "被保険者証区分",
                "01",
                "被保険者証（一般）",
            ),
            (
                "PharmacistsInfoConsFlg",
                "薬剤情報閲覧同意フラグ",
                "1",
                "同意あり",
            ),
            ("CharacterCodeIdentifier", "文字コード識別", "0", "UTF-8"),
        ] {
            let row = format!(
                "<code>{element}</code></td><td>{label}</td><td class=\"value\">{value}</td><td>{meaning}</td>"
            );
            assert!(h.contains(&row), "{row} in {h}");
        }
        assert!(h.contains("&nbsp;&nbsp;123456"), "leading spaces kept: {h}");
        assert!(h.contains("試験&lt;国保&gt;"), "values escaped: {h}");
        assert!(h.contains("資格有効性 1（有効）"), "{h}");
    }

    #[test]
    fn a_file_with_violations_lists_them_in_japanese() {
        let dir = tempfile::tempdir().expect("temp dir");
        let broken = VALID.replace(
            "<Sex1>2</Sex1>",
            "<Sex1>2</Sex1><InsuredCardExpirationDate></InsuredCardExpirationDate>",
        );
        let file = write(
            dir.path(),
            "OQSsiquc01res_face_00000001_20261125090105.xml",
            broken.as_bytes(),
        );
        let mut h = String::new();
        result_file_html(&mut h, &file, dir.path());
        assert!(h.contains("✘ 不合格"), "{h}");
        assert!(h.contains("被保険者証有効終了年月日"), "{h}");
        assert!(h.contains("要素が空です"), "{h}");
    }

    /// The few characters of [`VALID`] in Shift_JIS (CP932), ASCII as itself.
    fn shift_jis(text: &str) -> Vec<u8> {
        const TABLE: &[(char, &[u8])] = &[
            ('試', &[0x8E, 0x8E]),
            ('験', &[0x8C, 0xB1]),
            ('\u{3000}', &[0x81, 0x40]),
            ('花', &[0x89, 0xD4]),
            ('子', &[0x8E, 0x71]),
            ('国', &[0x8D, 0x91]),
            ('保', &[0x95, 0xDB]),
            ('ｼ', &[0xBC]),
            ('ｹ', &[0xB9]),
            ('ﾝ', &[0xDD]),
            ('ﾊ', &[0xCA]),
            ('ﾅ', &[0xC5]),
            ('ｺ', &[0xBA]),
        ];
        let mut bytes = Vec::new();
        for c in text.chars() {
            match TABLE.iter().find(|(known, _)| *known == c) {
                Some((_, encoded)) => bytes.extend_from_slice(encoded),
                None if c.is_ascii() => bytes.push(c as u8),
                None => panic!("{c} is not in the test's Shift_JIS table"),
            }
        }
        bytes
    }

    #[test]
    fn shift_jis_files_are_decoded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = VALID
            .replace("UTF-8", "Shift_JIS")
            .replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")
            .replace('\n', "\r\n");
        let bytes = shift_jis(&text);
        let file = write(
            dir.path(),
            "OQSsiquc01res_face_00000001_20261125090105.xml",
            &bytes,
        );
        let mut h = String::new();
        result_file_html(&mut h, &file, dir.path());
        assert!(h.contains("<b>Shift_JIS</b>"), "{h}");
        assert!(h.contains("<b>CRLF</b>"), "{h}");
        assert!(h.contains("試験　花子"), "{h}");
        assert!(h.contains("✔ 合格"), "{h}");
    }

    #[test]
    fn links_survive_any_folder_name() {
        assert_eq!(
            url_path("normal_paths/顔 #1?-L5/oqs/a%b.xml"),
            "normal_paths/%E9%A1%94%20%231%3F-L5/oqs/a%25b.xml"
        );
        assert_eq!(
            relative(
                Path::new("/r/target/harness/f/s/x.xml"),
                Path::new("/r/target/harness")
            ),
            "f/s/x.xml"
        );
        assert_eq!(
            relative(Path::new("/elsewhere/x.xml"), Path::new("/r/target")),
            "../../elsewhere/x.xml"
        );
    }

    #[test]
    fn a_missing_file_is_reported_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = ResultFileRecord {
            reader: "受付1".into(),
            outcome: "有効".into(),
            path: dir.path().join("gone.xml"),
        };
        let mut h = String::new();
        result_file_html(&mut h, &file, dir.path());
        assert!(h.contains("ファイルを読めません"), "{h}");
    }
}
