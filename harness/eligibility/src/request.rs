//! Requests the receipt system drops into `req/` (照会要求), answered in `res/`. Pure core:
//! request bytes in, response bytes out.
//!
//! The request format (this mock's minimal design, element names as in the result files):
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <XmlMsg>
//!   <MessageHeader>
//!     <MedicalInstitutionCode>1312345678</MedicalInstitutionCode>   (optional)
//!     <ArbitraryFileIdentifier>abc</ArbitraryFileIdentifier>         (optional, echoed)
//!     <ReferenceClassification>2</ReferenceClassification>          (must be 2)
//!     <CharacterCodeIdentifier>0</CharacterCodeIdentifier>          (optional: the answer's
//!                                                                    encoding; default: the
//!                                                                    request's own encoding)
//!   </MessageHeader>
//!   <MessageBody>
//!     <QualificationConfirmSearchInfo>
//!       <InsurerNumber>01130012</InsurerNumber>
//!       <InsuredCardSymbol>12345678</InsuredCardSymbol>
//!       <InsuredIdentificationNumber>1001</InsuredIdentificationNumber>
//!       <InsuredBranchNumber>01</InsuredBranchNumber>
//!       <Birthdate>19800401</Birthdate>
//!     </QualificationConfirmSearchInfo>
//!   </MessageBody>
//! </XmlMsg>
//! ```
//! The answer is a result file with ReferenceClassification 2 and the search info echoed.
//! A request that cannot be read is answered with SegmentOfResult 9 and code 2001–2003.

use chrono::{NaiveDate, NaiveDateTime};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

use crate::insurance::{CardSearch, InsuranceBook};
use crate::result_xml::{
    render_result_xml, CharacterCode, ErrorInfo, ReferenceClassification, ResultEntry,
    ResultFileOptions, ResultMessage,
};
use crate::xml_tree::parse_document;

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationRequest {
    /// MedicalInstitutionCode, if given.
    pub medical_institution_code: Option<String>,
    /// ArbitraryFileIdentifier, if given (echoed in the answer).
    pub arbitrary_file_identifier: Option<String>,
    /// The encoding wanted for the answer.
    pub character_code: CharacterCode,
    /// The search keys.
    pub search: CardSearch,
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
    /// 2003: a search item has a bad format.
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
    let header_text = |name: &str| header.and_then(|h| h.child(name)).map(|e| e.text.clone());
    let reference = header_text("ReferenceClassification")
        .ok_or_else(|| RequestError::Unreadable("no ReferenceClassification".into()))?;
    if reference != "2" {
        return Err(RequestError::UnsupportedReference(reference));
    }
    let declared = match doc.declared_encoding.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("shift_jis") => CharacterCode::ShiftJis,
        _ => CharacterCode::Utf8,
    };
    let character_code = match header_text("CharacterCodeIdentifier") {
        None => declared,
        Some(code) => CharacterCode::from_code(&code).ok_or(RequestError::BadItem {
            field: "CharacterCodeIdentifier",
            value: code,
        })?,
    };
    let info = root
        .path(&["MessageBody", "QualificationConfirmSearchInfo"])
        .ok_or_else(|| RequestError::Unreadable("no QualificationConfirmSearchInfo".into()))?;
    let item = |name: &'static str| {
        info.child(name)
            .map(|e| e.text.clone())
            .ok_or_else(|| RequestError::Unreadable(format!("no {name}")))
    };
    let digits = |field: &'static str, value: String, lens: &[usize]| {
        if value.bytes().all(|b| b.is_ascii_digit()) && lens.contains(&value.len()) {
            Ok(value)
        } else {
            Err(RequestError::BadItem { field, value })
        }
    };
    let insurer_number = digits("InsurerNumber", item("InsurerNumber")?, &[6, 8])?;
    let insured_branch_number = digits("InsuredBranchNumber", item("InsuredBranchNumber")?, &[2])?;
    let insured_identification_number = item("InsuredIdentificationNumber")?;
    if insured_identification_number.is_empty() {
        return Err(RequestError::BadItem {
            field: "InsuredIdentificationNumber",
            value: insured_identification_number,
        });
    }
    let birth_text = item("Birthdate")?;
    let birth = NaiveDate::parse_from_str(&birth_text, "%Y%m%d")
        .ok()
        .filter(|_| birth_text.len() == 8)
        .ok_or(RequestError::BadItem {
            field: "Birthdate",
            value: birth_text,
        })?;
    Ok(QualificationRequest {
        medical_institution_code: header_text("MedicalInstitutionCode"),
        arbitrary_file_identifier: header_text("ArbitraryFileIdentifier"),
        character_code,
        search: CardSearch {
            insurer_number,
            insured_card_symbol: info
                .child("InsuredCardSymbol")
                .map(|e| e.text.clone())
                .unwrap_or_default(),
            insured_identification_number,
            insured_branch_number,
            birth,
        },
    })
}

/// Renders a request file (what a receipt system would drop into `req/`).
pub fn render_request_xml(request: &QualificationRequest) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new(
            "1.0",
            Some(request.character_code.xml_encoding_name()),
            None,
        )))?;
        w.create_element("XmlMsg").write_inner_content(|w| {
            w.create_element("MessageHeader").write_inner_content(|w| {
                if let Some(code) = &request.medical_institution_code {
                    w.create_element("MedicalInstitutionCode")
                        .write_text_content(quick_xml::events::BytesText::new(code))?;
                }
                if let Some(id) = &request.arbitrary_file_identifier {
                    w.create_element("ArbitraryFileIdentifier")
                        .write_text_content(quick_xml::events::BytesText::new(id))?;
                }
                w.create_element("ReferenceClassification")
                    .write_text_content(quick_xml::events::BytesText::new("2"))?;
                w.create_element("CharacterCodeIdentifier")
                    .write_text_content(quick_xml::events::BytesText::new(
                        request.character_code.code(),
                    ))?;
                Ok(())
            })?;
            w.create_element("MessageBody").write_inner_content(|w| {
                w.create_element("QualificationConfirmSearchInfo")
                    .write_inner_content(|w| {
                        crate::result_xml::write_search_info(w, &request.search)
                    })?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })();
    let mut utf8 = w.into_inner();
    utf8.push(b'\n');
    let text = String::from_utf8_lossy(&utf8);
    let encoding = match request.character_code {
        CharacterCode::Utf8 => encoding_rs::UTF_8,
        CharacterCode::ShiftJis => encoding_rs::SHIFT_JIS,
    };
    encoding.encode(&text).0.into_owned()
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
            error: None,
            character_code: self.options.character_code,
            validity: None,
            search_info: None,
            result: None,
        };
        match parse_request(request_bytes) {
            Err(e) => ResultMessage {
                error: Some(ErrorInfo {
                    code: e.code().into(),
                    message: e.message().into(),
                }),
                ..base
            },
            Ok(request) => {
                let found = self.insurance.by_card(&request.search, now.date());
                ResultMessage {
                    arbitrary_file_identifier: request.arbitrary_file_identifier,
                    character_code: request.character_code,
                    validity: Some(found.validity),
                    search_info: Some(request.search),
                    result: found.record.map(|record| ResultEntry {
                        record,
                        consents: None,
                    }),
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
