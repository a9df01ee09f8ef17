//! Rendering a [`ResultMessage`] to the bytes of a result file. Pure: values in, bytes out.
//!
//! - Declaration `<?xml version="1.0" encoding="UTF-8|Shift_JIS" standalone="no"?>`, as the real
//!   face file in hangilc/myclinic-ts `onshi-face.test.ts`, a public 2024 face-file generator
//!   (`standalone: 'no'`) and the request template of <http://sanox.org/sano-shikaku/road12.html>.
//! - Four-space indentation, lines ending as [`CharacterCode::line_ending`] says.
//! - An element with no value is left out, never written empty (`<X></X>`, `<X/>`): an empty
//!   date is read as a junk date by hangilc/myclinic-ts `util.ts` (issue 13), and public writers
//!   leave empty values out (YUKI-ENT/OQSDrug2 `WriteOptionalElement`).
//! - Elements in the order of 別紙3-1 (consumers read by name; the real file is unordered).
//! - Characters the encoding cannot hold become numeric character references.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::insurance::InsuranceRecord;
use crate::kana::half_width_kana;
use crate::protocol::{Consent, Consents};
use crate::result_xml::{
    CharacterCode, ErrorInfo, MultipleRecords, ResultBody, ResultEntry, ResultMessage, SearchEcho,
};

/// How long a consent lets the facility view the information: AvailableTime = ConsTime + 24 h
/// (the face file in hangilc/myclinic-ts `onshi-face.test.ts`: 20230221174835 → 20230222174835;
/// the 2024-11-27 sample in the public face-file generator: 20241127122900 → 20241128122900).
pub const CONSENT_AVAILABLE_FOR: Duration = Duration::hours(24);

const DATE: &str = "%Y%m%d";
const DATE_TIME: &str = "%Y%m%d%H%M%S";
const INDENT: &str = "    ";

fn date(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

fn date_time(t: NaiveDateTime) -> String {
    t.format(DATE_TIME).to_string()
}

/// One element to write.
enum Node {
    Leaf(&'static str, String),
    Group(&'static str, Vec<Node>),
}

/// Children of one element; values that are empty are not added.
#[derive(Default)]
struct Nodes(Vec<Node>);

impl Nodes {
    fn leaf(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if !value.is_empty() {
            self.0.push(Node::Leaf(name, value));
        }
        self
    }

    fn opt(&mut self, name: &'static str, value: Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.leaf(name, value);
        }
        self
    }

    fn group(&mut self, name: &'static str, children: Nodes) -> &mut Self {
        if !children.0.is_empty() {
            self.0.push(Node::Group(name, children.0));
        }
        self
    }
}

/// 保険者番号 as the file carries it: 8 characters, a 6-digit 国民健康保険 number right-aligned
/// with two half-width spaces (the face file in hangilc/myclinic-ts `onshi-face.test.ts`:
/// `<InsurerNumber>  123456</InsurerNumber>`; <http://sanox.org/sano-shikaku/road26.html>:
/// 「保険者番号は 数字の8ケタにする,あるいは先頭に空白を入れて8ケタにする」; a public request writer:
/// `InsurerNumber.PadLeft(8, ' ')`). Leading zeros of 8-digit numbers are kept.
pub fn insurer_number_field(number: &str) -> String {
    format!("{number:>8}")
}

/// 未就学区分 (PreschoolClassification, OQSCD015 1 未就学該当): before the first school year after
/// the child turns six (学校教育法 第17条 「満六歳に達した日の翌日以後における最初の学年の初め」; one
/// turns six the day before the sixth birthday, so the school year starting on or after the sixth
/// birthday: a child born on 1 April starts the April of that birthday, one born on 2 April a year
/// later).
pub fn is_preschool(birth: NaiveDate, on: NaiveDate) -> bool {
    let year = birth.year() + 6;
    // Born on 29 February: turns six on 28 February, "birthday" 1 March.
    let Some(birthday) = birth
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
    else {
        return false;
    };
    let Some(april) = NaiveDate::from_ymd_opt(year, 4, 1) else {
        return false;
    };
    let entry = if birthday <= april {
        Some(april)
    } else {
        NaiveDate::from_ymd_opt(year + 1, 4, 1)
    };
    entry.is_some_and(|entry| on < entry)
}

/// Renders a result file: the declaration naming `message.character_code`, the bytes in that
/// encoding, lines ending in its line ending.
pub fn render_result_xml(message: &ResultMessage) -> Vec<u8> {
    let mut root = Nodes::default();
    root.group("MessageHeader", header(message));
    root.group("MessageBody", body(message));
    let nl = message.character_code.line_ending();
    let mut text = format!(
        "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"no\"?>{nl}",
        message.character_code.xml_encoding_name()
    );
    write_node(&mut text, &Node::Group("XmlMsg", root.0), 0, nl);
    encode(&text, message.character_code)
}

/// Encodes `text`; characters outside the encoding become `&#NNNN;` (valid XML character
/// references).
pub(crate) fn encode(text: &str, code: CharacterCode) -> Vec<u8> {
    code.encoding().encode(text).0.into_owned()
}

fn write_node(out: &mut String, node: &Node, depth: usize, nl: &str) {
    let pad = INDENT.repeat(depth);
    match node {
        Node::Leaf(name, value) => {
            out.push_str(&format!("{pad}<{name}>{}</{name}>{nl}", escape(value)));
        }
        Node::Group(name, children) => {
            out.push_str(&format!("{pad}<{name}>{nl}"));
            for child in children {
                write_node(out, child, depth + 1, nl);
            }
            out.push_str(&format!("{pad}</{name}>{nl}"));
        }
    }
}

/// Escapes character data; line breaks and tabs inside a value become character references so
/// that the file's own line endings stay uniform; characters XML 1.0 cannot carry become U+FFFD.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn header(m: &ResultMessage) -> Nodes {
    let mut h = Nodes::default();
    h.leaf("ProcessExecutionTime", date_time(m.process_execution_time))
        .leaf(
            "QualificationConfirmationDate",
            date(m.qualification_confirmation_date),
        )
        .leaf("MedicalInstitutionCode", m.medical_institution_code.clone())
        .opt(
            "ArbitraryFileIdentifier",
            m.arbitrary_file_identifier.clone(),
        )
        .leaf("ReferenceClassification", m.reference_classification.code());
    match &m.body {
        ResultBody::FileError(e) => {
            h.leaf("SegmentOfResult", "9")
                .leaf("ErrorCode", e.code.clone())
                .leaf("ErrorMessage", e.message.clone());
        }
        ResultBody::Qualification { .. } | ResultBody::PersonError(_) => {
            h.leaf("SegmentOfResult", "1");
        }
    }
    h.leaf("CharacterCodeIdentifier", m.character_code.code());
    h
}

fn error_body(b: &mut Nodes, e: &ErrorInfo) {
    b.leaf("ProcessingResultStatus", "2")
        .leaf("ProcessingResultCode", e.code.clone())
        .leaf("ProcessingResultMessage", e.message.clone());
}

fn body(m: &ResultMessage) -> Nodes {
    let mut b = Nodes::default();
    match &m.body {
        ResultBody::FileError(e) | ResultBody::PersonError(e) => error_body(&mut b, e),
        ResultBody::Qualification { validity, .. } => {
            b.leaf("ProcessingResultStatus", "1")
                .leaf("QualificationValidity", validity.code());
        }
    }
    if let Some(echo) = &m.search_info {
        b.group("QualificationConfirmSearchInfo", search_info(echo));
    }
    if let ResultBody::Qualification { entries, .. } = &m.body {
        let records: Vec<Nodes> = entries
            .iter()
            .map(|entry| record(entry, m.qualification_confirmation_date))
            .collect();
        match m.multiple_records {
            MultipleRecords::OneResultList => {
                let mut list = Nodes::default();
                for r in records {
                    list.group("ResultOfQualificationConfirmation", r);
                }
                b.group("ResultList", list);
            }
            MultipleRecords::ResultListPerRecord => {
                for r in records {
                    let mut list = Nodes::default();
                    list.group("ResultOfQualificationConfirmation", r);
                    b.group("ResultList", list);
                }
            }
        }
    }
    b
}

/// QualificationConfirmSearchInfo's children (also the body of a request).
fn search_info(echo: &SearchEcho) -> Nodes {
    let s = &echo.search;
    let mut n = Nodes::default();
    n.leaf("InsurerNumber", insurer_number_field(&s.insurer_number))
        .leaf("InsuredCardSymbol", s.insured_card_symbol.clone())
        .leaf(
            "InsuredIdentificationNumber",
            s.insured_identification_number.clone(),
        )
        .leaf("InsuredBranchNumber", s.insured_branch_number.clone())
        .leaf("Birthdate", date(s.birth))
        .leaf(
            "LimitApplicationCertificateRelatedConsFlg",
            if echo.limit_application_consent {
                "1"
            } else {
                "0"
            },
        )
        .opt("ArbitraryIdentifier", echo.arbitrary_identifier.clone());
    n
}

fn record(entry: &ResultEntry, confirmation_date: NaiveDate) -> Nodes {
    let r: &InsuranceRecord = &entry.record;
    let mut n = Nodes::default();
    n.leaf(
        "InsuredCardClassification",
        r.insured_card_classification.clone(),
    )
    .leaf("InsurerNumber", insurer_number_field(&r.insurer_number))
    .leaf("InsuredCardSymbol", r.insured_card_symbol.clone())
    .leaf(
        "InsuredIdentificationNumber",
        r.insured_identification_number.clone(),
    )
    .leaf("InsuredBranchNumber", r.insured_branch_number.clone())
    .leaf(
        "PersonalFamilyClassification",
        r.personal_family_classification.code(),
    )
    .leaf("InsuredName", r.insured_name.clone())
    .leaf("Name", r.name.clone())
    .leaf("NameKana", half_width_kana(&r.name_kana))
    .leaf("Sex1", r.sex.code())
    .leaf("Birthdate", date(r.birth))
    .leaf("Address", r.address.clone())
    .leaf("PostNumber", r.post_code.clone())
    .leaf("QualificationDate", date(r.qualification_date))
    // 資格喪失年月日 (DisqualificationDate, 別紙3-1 「加入者資格の喪失日」): only a lost
    // qualification has one.
    .opt("DisqualificationDate", r.qualification_end.map(date))
    .leaf(
        "InsuredCertificateIssuanceDate",
        date(r.certificate_issuance_date),
    )
    .leaf("InsuredCardValidDate", date(r.card_valid_date))
    .opt(
        "InsuredCardExpirationDate",
        r.card_expiration_date.map(date),
    )
    .leaf(
        "InsuredPartialContributionRatio",
        r.contribution_ratio.clone(),
    )
    .opt(
        "PreschoolClassification",
        is_preschool(r.birth, confirmation_date).then(|| "1".to_owned()),
    )
    .leaf("InsurerName", r.insurer_name.clone());
    if let Some(c) = &entry.consents {
        consents(&mut n, c);
    }
    n
}

/// The consent elements of a card check.
///
/// An item the screens in force did not ask (`None`) is left out with its flag and times (the
/// 2023 face file in hangilc/myclinic-ts `onshi-face.test.ts` has no OperationInfo element at
/// all). A refusal is flag 0 without times (same file: `DiagnosisInfoConsFlg` 0 alone,
/// `LimitApplicationCertificateRelatedConsFlg` 0 alone). A consent is flag 1, ConsTime, and
/// AvailableTime = ConsTime + 24 h; 限度額 has no AvailableTime. 特定疾病療養受療証 is not asked by
/// the screens this harness models and is written as 0, as both public samples (2023, 2024) do.
fn consents(n: &mut Nodes, c: &Consents) {
    if let Some(limit) = c.limit_application {
        n.leaf("LimitApplicationCertificateRelatedConsFlg", flag(limit));
        if limit.given {
            n.leaf(
                "LimitApplicationCertificateRelatedConsTime",
                date_time(limit.at),
            );
        }
    }
    n.leaf("SpecificDiseasesCertificateRelatedConsFlg", "0");
    let items: [(&'static str, &'static str, &'static str, Option<Consent>); 4] = [
        (
            "SpecificHealthCheckupsInfoConsFlg",
            "SpecificHealthCheckupsInfoConsTime",
            "SpecificHealthCheckupsInfoAvailableTime",
            c.health_checkups,
        ),
        (
            "PharmacistsInfoConsFlg",
            "PharmacistsInfoConsTime",
            "PharmacistsInfoAvailableTime",
            c.medication,
        ),
        (
            "DiagnosisInfoConsFlg",
            "DiagnosisInfoConsTime",
            "DiagnosisInfoAvailableTime",
            c.diagnosis,
        ),
        (
            "OperationInfoConsFlg",
            "OperationInfoConsTime",
            "OperationInfoAvailableTime",
            c.operation,
        ),
    ];
    for (flag_name, time_name, available_name, consent) in items {
        let Some(consent) = consent else { continue };
        n.leaf(flag_name, flag(consent));
        if consent.given {
            n.leaf(time_name, date_time(consent.at)).opt(
                available_name,
                consent
                    .at
                    .checked_add_signed(CONSENT_AVAILABLE_FOR)
                    .map(date_time),
            );
        }
    }
}

/// OQSCD016 / OQSCD001: 1 同意あり, 0 同意なし (2 期限切れ and 3 取得困難 are never produced).
fn flag(consent: Consent) -> &'static str {
    if consent.given {
        "1"
    } else {
        "0"
    }
}

/// Renders a request file (`req/`): the given header elements and the search as
/// QualificationConfirmSearchInfo.
pub(crate) fn request_xml(
    header: &[(&'static str, String)],
    echo: &SearchEcho,
    code: CharacterCode,
) -> Vec<u8> {
    let mut h = Nodes::default();
    for (name, value) in header {
        h.leaf(name, value.clone());
    }
    let mut b = Nodes::default();
    b.group("QualificationConfirmSearchInfo", search_info(echo));
    let mut root = Nodes::default();
    root.group("MessageHeader", h).group("MessageBody", b);
    let nl = code.line_ending();
    let mut text = format!(
        "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"no\"?>{nl}",
        code.xml_encoding_name()
    );
    write_node(&mut text, &Node::Group("XmlMsg", root.0), 0, nl);
    encode(&text, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn insurer_numbers_are_eight_characters() {
        assert_eq!(insurer_number_field("270017"), "  270017");
        assert_eq!(insurer_number_field("01130012"), "01130012");
    }

    #[test]
    fn preschool_ends_at_the_first_school_year_after_the_sixth_birthday() {
        // Born 2019-05-05: six on 2025-05-05, school from 2026-04-01.
        assert!(is_preschool(d(2019, 5, 5), d(2026, 3, 31)));
        assert!(!is_preschool(d(2019, 5, 5), d(2026, 4, 1)));
        // Born 2019-04-01: turns six on 2025-03-31, school from 2025-04-01.
        assert!(is_preschool(d(2019, 4, 1), d(2025, 3, 31)));
        assert!(!is_preschool(d(2019, 4, 1), d(2025, 4, 1)));
        // Born 2019-04-02: turns six on 2025-04-01, school from 2026-04-01.
        assert!(is_preschool(d(2019, 4, 2), d(2026, 3, 31)));
        assert!(!is_preschool(d(2019, 4, 2), d(2026, 4, 1)));
        // Born 2020-02-29: turns six on 2026-02-28, school from 2026-04-01.
        assert!(!is_preschool(d(2020, 2, 29), d(2026, 4, 1)));
        assert!(is_preschool(d(2026, 3, 1), d(2026, 11, 25)));
    }

    #[test]
    fn values_never_break_lines() {
        assert_eq!(
            escape("a\r\nb<&>\u{1}"),
            "a&#13;&#10;b&lt;&amp;&gt;\u{FFFD}"
        );
    }
}
