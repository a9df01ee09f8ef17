//! The checks: tables (presence, emptiness, shapes, codes) and the rules that depend on the
//! outcome, the encoding and the file name.

use crate::document::{line_endings, Document, Element, LineEndings};
use crate::report::{CheckOptions, FileReport, Problem, Violation};
use crate::tables::{self, Content, Field, Need, Shape};

struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    fn push(&mut self, path: &str, problem: Problem) {
        self.violations.push(Violation {
            path: path.to_owned(),
            problem,
        });
    }

    /// Checks `element`'s children against `fields`.
    fn table(&mut self, path: &str, element: &Element, fields: &[Field]) {
        if !element.text.trim().is_empty() {
            self.push(path, Problem::MixedContent);
        }
        for child in &element.children {
            if !fields.iter().any(|f| f.name == child.name) {
                self.push(&format!("{path}/{}", child.name), Problem::Unexpected);
            }
        }
        for field in fields {
            let present: Vec<&Element> = element.all(field.name).collect();
            let child_path = format!("{path}/{}", field.name);
            // ResultList may repeat (one record per list); everything else appears once.
            let repeatable = field.name == "ResultList";
            if present.len() > 1 && !repeatable {
                self.push(&child_path, Problem::Duplicate(present.len()));
            }
            if present.is_empty() && field.need == Need::Required {
                self.push(&child_path, Problem::Missing);
            }
            for (i, child) in present.iter().enumerate() {
                let p = if repeatable && present.len() > 1 {
                    format!("{child_path}[{}]", i + 1)
                } else {
                    child_path.clone()
                };
                self.content(&p, child, field.content);
            }
        }
    }

    fn content(&mut self, path: &str, element: &Element, content: Content) {
        if element.is_empty() {
            self.push(path, Problem::Empty);
            return;
        }
        match content {
            Content::Value(shape) => {
                if !element.children.is_empty() {
                    self.push(path, Problem::MixedContent);
                    return;
                }
                if let Err(expected) = shape_ok(shape, &element.text) {
                    self.push(
                        path,
                        Problem::BadValue {
                            value: element.text.clone(),
                            expected,
                        },
                    );
                }
            }
            Content::Group(fields) => self.table(path, element, fields),
            Content::List { item, fields } => {
                if !element.text.trim().is_empty() {
                    self.push(path, Problem::MixedContent);
                }
                let items: Vec<&Element> = element.children.iter().collect();
                for (i, child) in items.iter().enumerate() {
                    let p = format!("{path}/{}[{}]", child.name, i + 1);
                    if child.name != item {
                        self.push(&p, Problem::Unexpected);
                    } else if child.is_empty() {
                        self.push(&p, Problem::Empty);
                    } else {
                        self.table(&p, child, fields);
                    }
                }
            }
        }
    }
}

/// `Ok` when `value` has `shape`; otherwise what it should be.
fn shape_ok(shape: Shape, value: &str) -> Result<(), String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match shape {
        Shape::Text => !value.trim().is_empty(),
        Shape::Date => is_date(value),
        Shape::DateTime => is_date_time(value),
        Shape::Digits(n) => digits(value, n),
        Shape::InsurerNumber => {
            digits(value, 8) || value.strip_prefix("  ").is_some_and(|rest| digits(rest, 6))
        }
        Shape::PostNumber => {
            let b = value.as_bytes();
            b.len() == 8
                && b.iter().enumerate().all(|(i, c)| match i {
                    3 => *c == b'-',
                    _ => c.is_ascii_digit(),
                })
        }
        Shape::HalfWidthKana => {
            !value.trim().is_empty()
                && value
                    .chars()
                    .all(|c| c == ' ' || ('\u{FF61}'..='\u{FF9F}').contains(&c))
        }
        Shape::Code(codes) => codes.contains(&value),
    };
    if ok {
        return Ok(());
    }
    Err(match shape {
        Shape::Text => "non-empty text".to_owned(),
        Shape::Date => "a date yyyyMMdd".to_owned(),
        Shape::DateTime => "a date and time yyyyMMddHHmmss".to_owned(),
        Shape::Digits(n) => format!("{n} digits"),
        Shape::InsurerNumber => {
            "8 characters: 8 digits, or two spaces and a 6-digit 国保 number".to_owned()
        }
        Shape::PostNumber => "a post number 123-4567".to_owned(),
        Shape::HalfWidthKana => "half-width katakana (半角カナ) and spaces".to_owned(),
        Shape::Code(codes) => format!("one of {}", codes.join(", ")),
    })
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A calendar date `yyyyMMdd` (Gregorian).
pub(crate) fn is_date(s: &str) -> bool {
    if s.len() != 8 {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (
        s.get(0..4).and_then(number),
        s.get(4..6).and_then(number),
        s.get(6..8).and_then(number),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// A date and time `yyyyMMddHHmmss`.
pub(crate) fn is_date_time(s: &str) -> bool {
    if s.len() != 14 {
        return false;
    }
    let time =
        |r: std::ops::Range<usize>, max: u32| s.get(r).and_then(number).is_some_and(|v| v <= max);
    s.get(0..8).is_some_and(is_date) && time(8..10, 23) && time(10..12, 59) && time(12..14, 59)
}

/// The single child `name` of `parent` (reported when missing or repeated).
fn only_one<'a>(
    c: &mut Checker,
    parent: &'a Element,
    path: &str,
    name: &str,
) -> Option<&'a Element> {
    let found: Vec<&'a Element> = parent.children.iter().filter(|e| e.name == name).collect();
    match found.len() {
        0 => c.push(&format!("{path}/{name}"), Problem::Missing),
        1 => {}
        n => c.push(&format!("{path}/{name}"), Problem::Duplicate(n)),
    }
    found.first().copied()
}

fn text_of<'a>(element: Option<&'a Element>, name: &str) -> Option<&'a str> {
    element.and_then(|e| e.first(name)).map(|e| e.text.as_str())
}

/// Runs every check; returns what the file says and every violation.
pub(crate) fn check(
    document: &Document,
    file_name: Option<&str>,
    options: &CheckOptions,
) -> (FileReport, Vec<Violation>) {
    let mut c = Checker {
        violations: Vec::new(),
    };
    let root = &document.root;
    if root.name != "XmlMsg" {
        c.push(&format!("/{}", root.name), Problem::Unexpected);
    }
    let base = "/XmlMsg";
    for child in &root.children {
        if child.name != "MessageHeader" && child.name != "MessageBody" {
            c.push(&format!("{base}/{}", child.name), Problem::Unexpected);
        }
    }
    if !root.text.trim().is_empty() {
        c.push(base, Problem::MixedContent);
    }
    let header = only_one(&mut c, root, base, "MessageHeader");
    let body = only_one(&mut c, root, base, "MessageBody");
    let header_path = format!("{base}/MessageHeader");
    let body_path = format!("{base}/MessageBody");
    if let Some(h) = header {
        c.content(&header_path, h, Content::Group(tables::HEADER));
    }
    if let Some(b) = body {
        c.content(&body_path, b, Content::Group(tables::BODY));
    }

    let reference = text_of(header, "ReferenceClassification").unwrap_or_default();
    let segment = text_of(header, "SegmentOfResult").unwrap_or_default();
    let status = text_of(body, "ProcessingResultStatus").unwrap_or_default();
    let validity = text_of(body, "QualificationValidity");
    let lists: Vec<&Element> = body
        .map(|b| b.all("ResultList").collect())
        .unwrap_or_default();
    // Each record with its path, named as the table check names it.
    let mut records: Vec<(String, &Element)> = Vec::new();
    for (l, list) in lists.iter().enumerate() {
        let list_path = if lists.len() > 1 {
            format!("{body_path}/ResultList[{}]", l + 1)
        } else {
            format!("{body_path}/ResultList")
        };
        for (i, record) in list.children.iter().enumerate() {
            if record.name == "ResultOfQualificationConfirmation" {
                records.push((format!("{list_path}/{}[{}]", record.name, i + 1), record));
            }
        }
    }

    outcome_rules(
        &mut c,
        header,
        body,
        &header_path,
        &body_path,
        records.len(),
    );
    for (path, record) in &records {
        consent_rules(&mut c, path, record);
    }
    encoding_rules(&mut c, document, header, options);
    if let Some(name) = file_name {
        file_name_rules(&mut c, name, reference);
    }

    let report = FileReport {
        encoding: document.encoding,
        reference: reference.to_owned(),
        segment: segment.to_owned(),
        status: status.to_owned(),
        validity: validity.map(str::to_owned),
        records: records.len(),
    };
    (report, c.violations)
}

fn outcome_rules(
    c: &mut Checker,
    header: Option<&Element>,
    body: Option<&Element>,
    header_path: &str,
    body_path: &str,
    count: usize,
) {
    let (Some(header), Some(body)) = (header, body) else {
        return;
    };
    let segment = text_of(Some(header), "SegmentOfResult").unwrap_or_default();
    let reference = text_of(Some(header), "ReferenceClassification").unwrap_or_default();
    let status = text_of(Some(body), "ProcessingResultStatus").unwrap_or_default();
    let has = |e: &Element, name: &str| e.first(name).is_some();
    let at = |p: &str, name: &str| format!("{p}/{name}");

    // Header: ErrorCode / ErrorMessage only when SegmentOfResult is not 1 (SPEC 「処理結果区分が
    // 正常終了以外を示す場合、エラー内容に準ずるコードを設定する」), required for 9 異常終了.
    for name in ["ErrorCode", "ErrorMessage"] {
        match segment {
            "1" if has(header, name) => c.push(
                &at(header_path, name),
                Problem::NotAllowed("SegmentOfResult is 1 (正常終了)"),
            ),
            "9" if !has(header, name) => c.push(&at(header_path, name), Problem::Missing),
            _ => {}
        }
    }
    if segment == "9" && status != "2" {
        c.push(
            &at(body_path, "ProcessingResultStatus"),
            Problem::Inconsistent(
                "SegmentOfResult 9 (異常終了) with ProcessingResultStatus other than 2 (エラー)"
                    .into(),
            ),
        );
    }

    // Body: an error carries its code and message and no qualification; a normal result
    // carries QualificationValidity (SPEC 処理結果コード「処理結果状況がエラーの場合及び正常終了で
    // 付帯情報がある場合」).
    match status {
        "2" => {
            for name in ["ProcessingResultCode", "ProcessingResultMessage"] {
                if !has(body, name) {
                    c.push(&at(body_path, name), Problem::Missing);
                }
            }
            for name in ["QualificationValidity", "ResultList"] {
                if has(body, name) {
                    c.push(
                        &at(body_path, name),
                        Problem::NotAllowed("ProcessingResultStatus is 2 (エラー)"),
                    );
                }
            }
        }
        "1" if !has(body, "QualificationValidity") => {
            c.push(&at(body_path, "QualificationValidity"), Problem::Missing);
        }
        _ => {}
    }

    // Records per validity: a found qualification is one record; 複数該当 several; 該当資格なし none.
    let validity = text_of(Some(body), "QualificationValidity");
    let list_path = at(body_path, "ResultList");
    match validity {
        Some("1" | "2" | "3" | "6") if count != 1 => c.push(
            &list_path,
            Problem::RecordCount {
                found: count,
                expected: "exactly 1",
            },
        ),
        Some("5") if count < 2 => c.push(
            &list_path,
            Problem::RecordCount {
                found: count,
                expected: "2 or more (複数該当)",
            },
        ),
        Some("4") if has(body, "ResultList") => c.push(
            &list_path,
            Problem::NotAllowed("QualificationValidity is 4 (該当資格なし): there is no record"),
        ),
        _ => {}
    }

    // The request's echo: in answers to requests (ReferenceClassification 2), never in card checks.
    let echo = at(body_path, "QualificationConfirmSearchInfo");
    match reference {
        "2" if segment == "1" && !has(body, "QualificationConfirmSearchInfo") => {
            c.push(&echo, Problem::Missing)
        }
        "1" if has(body, "QualificationConfirmSearchInfo") => c.push(
            &echo,
            Problem::NotAllowed(
                "ReferenceClassification is 1 (マイナンバーカード): nothing to echo",
            ),
        ),
        _ => {}
    }
}

/// A consent's time needs its flag; a given consent needs its time; the viewing deadline comes
/// after the consent (MYCLINIC face file: flag 1 with ConsTime and AvailableTime 24 h later,
/// flag 0 without times).
fn consent_rules(c: &mut Checker, path: &str, record: &Element) {
    let value = |name: &str| record.first(name).map(|e| e.text.as_str());
    let mut items: Vec<(String, String, Option<String>)> = tables::CONSENT_ITEMS
        .iter()
        .map(|(prefix, _)| {
            (
                format!("{prefix}ConsFlg"),
                format!("{prefix}ConsTime"),
                Some(format!("{prefix}AvailableTime")),
            )
        })
        .collect();
    items.push((
        "LimitApplicationCertificateRelatedConsFlg".into(),
        "LimitApplicationCertificateRelatedConsTime".into(),
        None,
    ));
    items.push((
        "SpecificDiseasesCertificateRelatedConsFlg".into(),
        "SpecificDiseasesCertificateRelatedConsTime".into(),
        None,
    ));
    for (flag, time, available) in items {
        let flag_value = value(&flag);
        let time_value = value(&time);
        let available_value = available.as_deref().and_then(value);
        if flag_value.is_none() {
            if time_value.is_some() {
                c.push(
                    &format!("{path}/{time}"),
                    Problem::NotAllowed("its ConsFlg is absent"),
                );
            }
            if let (Some(name), Some(_)) = (&available, available_value) {
                c.push(
                    &format!("{path}/{name}"),
                    Problem::NotAllowed("its ConsFlg is absent"),
                );
            }
            continue;
        }
        if flag_value == Some("1") && time_value.is_none() {
            c.push(&format!("{path}/{time}"), Problem::Missing);
        }
        if let (Some(name), Some("1"), None) = (&available, flag_value, available_value) {
            c.push(&format!("{path}/{name}"), Problem::Missing);
        }
        if let (Some(name), Some(t), Some(a)) = (&available, time_value, available_value) {
            if is_date_time(t) && is_date_time(a) && a <= t {
                c.push(
                    &format!("{path}/{name}"),
                    Problem::Inconsistent(format!("viewing deadline {a} is not after consent {t}")),
                );
            }
        }
    }
}

fn encoding_rules(
    c: &mut Checker,
    document: &Document,
    header: Option<&Element>,
    options: &CheckOptions,
) {
    match &document.declaration {
        None => c.push("(file)", Problem::Declaration("missing".into())),
        Some(d) => {
            if d.version.as_deref() != Some("1.0") {
                c.push("(file)", Problem::Declaration("version is not 1.0".into()));
            }
            if d.encoding.is_none() {
                c.push("(file)", Problem::Declaration("no encoding".into()));
            }
        }
    }
    if let Some(identifier) = text_of(header, "CharacterCodeIdentifier") {
        let expected = match identifier {
            "0" => Some("UTF-8"),
            "1" => Some("Shift_JIS"),
            _ => None,
        };
        if expected.is_some_and(|e| e != document.encoding) {
            c.push(
                "/XmlMsg/MessageHeader/CharacterCodeIdentifier",
                Problem::EncodingMismatch {
                    declared: document.encoding.to_owned(),
                    identifier: identifier.to_owned(),
                },
            );
        }
    }
    let found = line_endings(&document.text);
    let name = |e: LineEndings| match e {
        LineEndings::None => "none",
        LineEndings::Crlf => "CRLF",
        LineEndings::Lf => "LF",
        LineEndings::Mixed => "mixed",
    };
    if found == LineEndings::Mixed {
        c.push(
            "(file)",
            Problem::LineEndings {
                found: "mixed",
                expected: "one kind",
            },
        );
    } else if options.shift_jis_crlf && document.encoding == "Shift_JIS" && found == LineEndings::Lf
    {
        c.push(
            "(file)",
            Problem::LineEndings {
                found: name(found),
                expected: "CRLF in a Shift_JIS file",
            },
        );
    }
}

/// `OQSsiquc01res_face_<id>_<yyyyMMddHHmmss>.xml` (card check, ReferenceClassification 1) or
/// `OQSsiquc01res_<id>.xml` (answer to `OQSsiquc01req_<id>.xml`). The face pattern is the one
/// consumers match (`\AOQSsiquc01res_face_.+_(\d{14})\.xml\z` in RECEPTION
/// `FaceCaptureMonitor`).
fn file_name_rules(c: &mut Checker, name: &str, reference: &str) {
    let id_ok = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let Some(stem) = name.strip_suffix(".xml") else {
        c.push(
            "(name)",
            Problem::FileName(format!("{name:?} does not end in .xml")),
        );
        return;
    };
    if let Some(rest) = stem.strip_prefix("OQSsiquc01res_face_") {
        let ok = rest
            .rsplit_once('_')
            .is_some_and(|(id, at)| id_ok(id) && is_date_time(at));
        if !ok {
            c.push(
                "(name)",
                Problem::FileName(format!(
                    "{name:?} is not OQSsiquc01res_face_<id>_<yyyyMMddHHmmss>.xml"
                )),
            );
        }
        if reference != "1" {
            c.push(
                "(name)",
                Problem::FileName("a face/ file is a card check: ReferenceClassification 1".into()),
            );
        }
    } else if let Some(id) = stem.strip_prefix("OQSsiquc01res_") {
        if !id_ok(id) {
            c.push(
                "(name)",
                Problem::FileName(format!("{name:?} has a bad id")),
            );
        }
        if reference != "2" {
            c.push(
                "(name)",
                Problem::FileName(
                    "an answer to a request is by insurance card: ReferenceClassification 2".into(),
                ),
            );
        }
    } else {
        c.push(
            "(name)",
            Problem::FileName(format!("{name:?} does not start with OQSsiquc01res_")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_calendar_dates() {
        assert!(is_date("20240229"));
        assert!(!is_date("20230229"));
        assert!(!is_date("20261301"));
        assert!(!is_date("2026-11-"));
        assert!(!is_date(""));
        assert!(is_date_time("20261125235959"));
        assert!(!is_date_time("20261125240000"));
        assert!(!is_date_time("2026112510000"));
    }

    #[test]
    fn insurer_numbers_are_eight_characters() {
        assert!(shape_ok(Shape::InsurerNumber, "01130012").is_ok());
        assert!(shape_ok(Shape::InsurerNumber, "  270017").is_ok());
        assert!(shape_ok(Shape::InsurerNumber, "270017").is_err());
        assert!(shape_ok(Shape::InsurerNumber, "00270017x").is_err());
    }

    #[test]
    fn kana_is_half_width() {
        assert!(shape_ok(Shape::HalfWidthKana, "ﾔﾏﾀﾞ ﾀﾛｳ").is_ok());
        assert!(shape_ok(Shape::HalfWidthKana, "ヤマダ　タロウ").is_err());
    }
}
