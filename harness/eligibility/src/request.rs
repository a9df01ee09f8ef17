//! Requests the receipt system drops into `req/` (照会要求 `OQSsiquc01req_<id>.xml`), answered in
//! `res/` (`OQSsiquc01res_<id>.xml`). Pure core: request bytes in, response bytes out.
//!
//! The request as receipt systems write it (<http://sanox.org/sano-shikaku/road12.html>, a clinic's
//! working request template; element names of 別紙3-1):
//! ```xml
//! <?xml version="1.0" encoding="UTF-8" standalone="no"?>
//! <XmlMsg>
//!   <MessageHeader>
//!     <QualificationConfirmationDate>20261125</QualificationConfirmationDate> (optional: 資格確認日,
//!                                                                   default today; not after today)
//!     <MedicalInstitutionCode>1312345678</MedicalInstitutionCode>   (optional)
//!     <ArbitraryFileIdentifier>abc</ArbitraryFileIdentifier>         (optional, echoed)
//!     <ReferenceClassification>2</ReferenceClassification>          (optional; if given, 2)
//!     <CharacterCodeIdentifier>0</CharacterCodeIdentifier>          (optional: the answer's
//!                                                                    encoding; default: the
//!                                                                    request's own encoding)
//!   </MessageHeader>
//!   <MessageBody>
//!     <QualificationConfirmSearchInfo>
//!       <InsurerNumber>01130012</InsurerNumber>          (8 digits, 6, or 6 after two spaces)
//!       <InsuredCardSymbol>12345678</InsuredCardSymbol>  (optional)
//!       <InsuredIdentificationNumber>1001</InsuredIdentificationNumber>
//!       <InsuredBranchNumber>01</InsuredBranchNumber>    (optional: 2 digits; absent or empty
//!                                                          matches every branch → 複数該当)
//!       <Birthdate>19800401</Birthdate>
//!       <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>
//!                                                        (0 / 1; the answer's echo needs it)
//!       <ArbitraryIdentifier>x</ArbitraryIdentifier>     (optional, echoed)
//!     </QualificationConfirmSearchInfo>
//!   </MessageBody>
//! </XmlMsg>
//! ```
//! The answer is a result file with ReferenceClassification 2, the search echoed in
//! QualificationConfirmSearchInfo, and the qualification on the 資格確認日. A request that cannot
//! be read is answered with SegmentOfResult 9 and code 2001–2003.

use chrono::{NaiveDate, NaiveDateTime};

use crate::insurance::{CardSearch, InsuranceBook};
use crate::result_render::{render_result_xml, request_xml};
use crate::result_xml::{
    CharacterCode, ErrorInfo, ReferenceClassification, ResultBody, ResultEntry, ResultFileOptions,
    ResultMessage, SearchEcho,
};
use crate::xml_tree::{parse_document, XmlElement};

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationRequest {
    /// MedicalInstitutionCode, if given.
    pub medical_institution_code: Option<String>,
    /// ArbitraryFileIdentifier, if given (echoed in the answer's header).
    pub arbitrary_file_identifier: Option<String>,
    /// QualificationConfirmationDate (資格確認日), if given; the answer uses today otherwise.
    pub qualification_confirmation_date: Option<NaiveDate>,
    /// The encoding wanted for the answer.
    pub character_code: CharacterCode,
    /// The search keys (an empty branch number: not given).
    pub search: CardSearch,
    /// LimitApplicationCertificateRelatedConsFlg (限度額適用認定証提供同意フラグ, 1 同意).
    pub limit_application_consent: bool,
    /// ArbitraryIdentifier of the search, if given (echoed).
    pub arbitrary_identifier: Option<String>,
}

/// Why a request cannot be answered with a lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// 2001: not readable XML, or a required element is missing.
    #[error("request unreadable: {0}")]
    Unreadable(String),
    /// 2002: ReferenceClassification is not 2.
    #[error("unsupported ReferenceClassification {0:?}")]
    UnsupportedReference(String),
    /// 2003: an item has a bad format.
    #[error("bad search item {field}: {value:?}")]
    BadItem {
        /// Element name.
        field: &'static str,
        /// Its value.
        value: String,
    },
}

impl RequestError {
    /// ErrorCode of the answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "2001",
            Self::UnsupportedReference(_) => "2002",
            Self::BadItem { .. } => "2003",
        }
    }

    /// ErrorMessage of the answer.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "照会要求ファイルを読み取れません。",
            Self::UnsupportedReference(_) => "照会区分が被保険者証情報ではありません。",
            Self::BadItem { .. } => "照会条件の形式が正しくありません。",
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A value a file may carry: no control characters (which XML 1.0 cannot hold, and which no
/// card item has).
fn plain(field: &'static str, value: String) -> Result<String, RequestError> {
    if value
        .chars()
        .any(|c| c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
    {
        Err(RequestError::BadItem { field, value })
    } else {
        Ok(value)
    }
}

/// The text of `name` under `parent`: `None` when absent or empty (an empty element is no value).
fn optional(
    parent: Option<&XmlElement>,
    name: &'static str,
) -> Result<Option<String>, RequestError> {
    match parent.and_then(|p| p.child(name)) {
        Some(e) if !e.text.is_empty() => plain(name, e.text.clone()).map(Some),
        _ => Ok(None),
    }
}

/// A date `yyyyMMdd` of the Common Era (year 1 or later).
fn date_item(field: &'static str, text: String) -> Result<NaiveDate, RequestError> {
    NaiveDate::parse_from_str(&text, "%Y%m%d")
        .ok()
        .filter(|d| digits(&text, 8) && chrono::Datelike::year(d) >= 1)
        .ok_or(RequestError::BadItem { field, value: text })
}

/// Parses request bytes (UTF-8 or Shift_JIS, as declared).
pub fn parse_request(bytes: &[u8]) -> Result<QualificationRequest, RequestError> {
    let doc = parse_document(bytes).map_err(|e| RequestError::Unreadable(e.to_string()))?;
    let root = &doc.root;
    if root.name != "XmlMsg" {
        return Err(RequestError::Unreadable(format!(
            "root element is {}",
            root.name
        )));
    }
    let header = root.child("MessageHeader");
    if let Some(reference) = optional(header, "ReferenceClassification")? {
        if reference != "2" {
            return Err(RequestError::UnsupportedReference(reference));
        }
    }
    let declared = match doc.declared_encoding.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("shift_jis") => CharacterCode::ShiftJis,
        _ => CharacterCode::Utf8,
    };
    let character_code = match optional(header, "CharacterCodeIdentifier")? {
        None => declared,
        Some(code) => CharacterCode::from_code(&code).ok_or(RequestError::BadItem {
            field: "CharacterCodeIdentifier",
            value: code,
        })?,
    };
    let qualification_confirmation_date = optional(header, "QualificationConfirmationDate")?
        .map(|text| date_item("QualificationConfirmationDate", text))
        .transpose()?;
    let info = root.path(&["MessageBody", "QualificationConfirmSearchInfo"]);
    if info.is_none() {
        return Err(RequestError::Unreadable(
            "no QualificationConfirmSearchInfo".into(),
        ));
    }
    let required = |name: &'static str| {
        optional(info, name)?.ok_or_else(|| RequestError::Unreadable(format!("no {name}")))
    };
    // 保険者番号: 8 digits, or a 6-digit 国保 number (the file form pads it to 8 with leading
    // spaces, which the reader trims).
    let insurer_number = required("InsurerNumber")?;
    if !(digits(&insurer_number, 8) || digits(&insurer_number, 6)) {
        return Err(RequestError::BadItem {
            field: "InsurerNumber",
            value: insurer_number,
        });
    }
    let insured_branch_number = optional(info, "InsuredBranchNumber")?.unwrap_or_default();
    if !(insured_branch_number.is_empty() || digits(&insured_branch_number, 2)) {
        return Err(RequestError::BadItem {
            field: "InsuredBranchNumber",
            value: insured_branch_number,
        });
    }
    let insured_identification_number = required("InsuredIdentificationNumber")?;
    let birth = date_item("Birthdate", required("Birthdate")?)?;
    let limit_application_consent =
        match required("LimitApplicationCertificateRelatedConsFlg")?.as_str() {
            "0" => false,
            "1" => true,
            other => {
                return Err(RequestError::BadItem {
                    field: "LimitApplicationCertificateRelatedConsFlg",
                    value: other.to_owned(),
                })
            }
        };
    Ok(QualificationRequest {
        medical_institution_code: optional(header, "MedicalInstitutionCode")?,
        arbitrary_file_identifier: optional(header, "ArbitraryFileIdentifier")?,
        qualification_confirmation_date,
        character_code,
        search: CardSearch {
            insurer_number,
            insured_card_symbol: optional(info, "InsuredCardSymbol")?.unwrap_or_default(),
            insured_identification_number,
            insured_branch_number,
            birth,
        },
        limit_application_consent,
        arbitrary_identifier: optional(info, "ArbitraryIdentifier")?,
    })
}

impl QualificationRequest {
    /// The search as the answer echoes it.
    pub fn echo(&self) -> SearchEcho {
        SearchEcho {
            search: self.search.clone(),
            limit_application_consent: self.limit_application_consent,
            arbitrary_identifier: self.arbitrary_identifier.clone(),
        }
    }
}

/// Renders a request file (what a receipt system would drop into `req/`).
pub fn render_request_xml(request: &QualificationRequest) -> Vec<u8> {
    let mut header: Vec<(&'static str, String)> = Vec::new();
    if let Some(date) = request.qualification_confirmation_date {
        header.push((
            "QualificationConfirmationDate",
            date.format("%Y%m%d").to_string(),
        ));
    }
    if let Some(code) = &request.medical_institution_code {
        header.push(("MedicalInstitutionCode", code.clone()));
    }
    if let Some(id) = &request.arbitrary_file_identifier {
        header.push(("ArbitraryFileIdentifier", id.clone()));
    }
    header.push(("ReferenceClassification", "2".into()));
    header.push((
        "CharacterCodeIdentifier",
        request.character_code.code().into(),
    ));
    request_xml(&header, &request.echo(), request.character_code)
}

/// Answers requests: the pure core of the `req/` → `res/` exchange.
#[derive(Debug, Clone)]
pub struct RequestResponder {
    insurance: InsuranceBook,
    options: ResultFileOptions,
}

impl RequestResponder {
    /// A responder over these records and facility settings.
    pub fn new(insurance: InsuranceBook, options: ResultFileOptions) -> Self {
        Self { insurance, options }
    }

    /// The answer message to a request at `now`.
    pub fn answer_message(&self, request_bytes: &[u8], now: NaiveDateTime) -> ResultMessage {
        let base = ResultMessage {
            process_execution_time: now,
            qualification_confirmation_date: now.date(),
            medical_institution_code: self.options.medical_institution_code.clone(),
            arbitrary_file_identifier: None,
            reference_classification: ReferenceClassification::InsuranceCard,
            character_code: self.options.character_code,
            search_info: None,
            body: ResultBody::Qualification {
                validity: crate::insurance::QualificationValidity::NotFound,
                entries: Vec::new(),
            },
            multiple_records: self.options.multiple_records,
        };
        let request = parse_request(request_bytes).and_then(|request| {
            match request.qualification_confirmation_date {
                Some(date) if date > now.date() => Err(RequestError::BadItem {
                    field: "QualificationConfirmationDate",
                    value: date.format("%Y%m%d").to_string(),
                }),
                _ => Ok(request),
            }
        });
        match request {
            Err(e) => ResultMessage {
                body: ResultBody::FileError(ErrorInfo {
                    code: e.code().into(),
                    message: e.message().into(),
                }),
                ..base
            },
            Ok(request) => {
                let date = request
                    .qualification_confirmation_date
                    .unwrap_or(now.date());
                let found = self.insurance.by_card(&request.search, date);
                ResultMessage {
                    qualification_confirmation_date: date,
                    arbitrary_file_identifier: request.arbitrary_file_identifier.clone(),
                    character_code: request.character_code,
                    search_info: Some(request.echo()),
                    body: ResultBody::Qualification {
                        validity: found.validity,
                        entries: found
                            .records
                            .into_iter()
                            .map(|record| ResultEntry {
                                record,
                                consents: None,
                            })
                            .collect(),
                    },
                    ..base
                }
            }
        }
    }

    /// The answer bytes to a request at `now`.
    pub fn answer(&self, request_bytes: &[u8], now: NaiveDateTime) -> Vec<u8> {
        render_result_xml(&self.answer_message(request_bytes, now))
    }
}
