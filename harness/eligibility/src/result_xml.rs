//! The result files the terminal writes for the receipt system (DESIGN.md §6). Pure rendering:
//! values in, bytes out.
//!
//! ```text
//! XmlMsg
//!   MessageHeader: ProcessExecutionTime, QualificationConfirmationDate, MedicalInstitutionCode,
//!     ArbitraryFileIdentifier (only when set), ReferenceClassification, SegmentOfResult,
//!     ErrorCode + ErrorMessage (only when SegmentOfResult is not 1), CharacterCodeIdentifier
//!   MessageBody: ProcessingResultStatus, ProcessingResultCode + ProcessingResultMessage (only
//!     when the status is 2), QualificationValidity (absent on errors),
//!     QualificationConfirmSearchInfo (only for answers to requests), ResultList (always) with one
//!     ResultOfQualificationConfirmation (empty for 該当資格なし and errors)
//! ```
//! The identity method (face, PIN, staff) is deliberately not written: no public file records it.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use serde::{Deserialize, Serialize};

use crate::insurance::{CardSearch, InsuranceRecord, QualificationValidity};
use crate::protocol::{Consent, Consents};
use crate::service::{CheckOutcome, CheckResult};

/// How long a consent lets the facility view the information (AvailableTime = consent + 24 h).
pub const CONSENT_AVAILABLE_FOR: Duration = Duration::hours(24);

const DATE: &str = "%Y%m%d";
const DATE_TIME: &str = "%Y%m%d%H%M%S";

/// 文字コード識別 (CharacterCodeIdentifier): the file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CharacterCode {
    /// 0: UTF-8
    #[default]
    Utf8,
    /// 1: Shift_JIS
    ShiftJis,
}

impl CharacterCode {
    /// The code of the file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Utf8 => "0",
            Self::ShiftJis => "1",
        }
    }

    /// From the code of a file ("0" / "1").
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "0" => Some(Self::Utf8),
            "1" => Some(Self::ShiftJis),
            _ => None,
        }
    }

    /// The name in the XML declaration.
    pub fn xml_encoding_name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::ShiftJis => "Shift_JIS",
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Self::Utf8 => encoding_rs::UTF_8,
            Self::ShiftJis => encoding_rs::SHIFT_JIS,
        }
    }
}

/// 照会区分 (ReferenceClassification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferenceClassification {
    /// 1: マイナンバーカード
    MyNumberCard,
    /// 2: 被保険者証情報
    InsuranceCard,
}

impl ReferenceClassification {
    /// The code of the file.
    pub fn code(self) -> &'static str {
        match self {
            Self::MyNumberCard => "1",
            Self::InsuranceCard => "2",
        }
    }
}

/// An error code and message (ErrorCode/ErrorMessage, ProcessingResultCode/Message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// The code.
    pub code: String,
    /// The message (Japanese).
    pub message: String,
}

/// How the terminal writes result files (facility settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFileOptions {
    /// 医療機関コード (MedicalInstitutionCode): 10 digits.
    pub medical_institution_code: String,
    /// The encoding of result files written without a request.
    pub character_code: CharacterCode,
    /// ArbitraryFileIdentifier for card-check results (None: element left out).
    pub arbitrary_file_identifier: Option<String>,
}

impl Default for ResultFileOptions {
    fn default() -> Self {
        Self {
            medical_institution_code: "1312345678".into(),
            character_code: CharacterCode::Utf8,
            arbitrary_file_identifier: None,
        }
    }
}

/// One consent item's flag (…ConsFlg), time and AvailableTime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEntry {
    /// 0 同意なし / 1 同意あり (2 期限切れ, 3 取得困難 are never produced by this mock).
    pub flag: &'static str,
    /// When the patient answered.
    pub time: NaiveDateTime,
    /// Until when the information may be viewed (only with consent).
    pub available_until: Option<NaiveDateTime>,
}

impl ConsentEntry {
    /// From the patient's answer.
    pub fn from_consent(consent: Consent) -> Self {
        Self {
            flag: if consent.given { "1" } else { "0" },
            time: consent.at,
            available_until: consent
                .given
                .then(|| consent.at.checked_add_signed(CONSENT_AVAILABLE_FOR))
                .flatten(),
        }
    }
}

/// One ResultOfQualificationConfirmation: the record and, for card checks, the consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultEntry {
    /// The insurance record.
    pub record: InsuranceRecord,
    /// Consents (card checks only; answers to requests carry none).
    pub consents: Option<Consents>,
}

/// A whole result file (XmlMsg).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultMessage {
    /// ProcessExecutionTime.
    pub process_execution_time: NaiveDateTime,
    /// QualificationConfirmationDate (資格確認日).
    pub qualification_confirmation_date: NaiveDate,
    /// MedicalInstitutionCode.
    pub medical_institution_code: String,
    /// ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
    /// ReferenceClassification.
    pub reference_classification: ReferenceClassification,
    /// None: SegmentOfResult 1 正常終了; Some: 9 異常終了 with ErrorCode/ErrorMessage.
    pub error: Option<ErrorInfo>,
    /// CharacterCodeIdentifier, and the encoding of the bytes.
    pub character_code: CharacterCode,
    /// QualificationValidity (None on errors).
    pub validity: Option<QualificationValidity>,
    /// QualificationConfirmSearchInfo (answers to requests only).
    pub search_info: Option<CardSearch>,
    /// The result (None: the ResultOfQualificationConfirmation element is empty).
    pub result: Option<ResultEntry>,
}

impl ResultMessage {
    /// The result file of a card check (ReferenceClassification 1).
    pub fn for_card_check(outcome: &CheckOutcome, options: &ResultFileOptions) -> Self {
        let (validity, error, result) = match &outcome.result {
            CheckResult::Eligibility(q) => (
                Some(q.validity),
                None,
                q.record.clone().map(|record| ResultEntry {
                    record,
                    consents: Some(outcome.consents),
                }),
            ),
            CheckResult::Rejected(e) => (
                None,
                Some(ErrorInfo {
                    code: e.code().into(),
                    message: e.message().into(),
                }),
                None,
            ),
        };
        Self {
            process_execution_time: outcome.checked_at,
            qualification_confirmation_date: outcome.qualification_confirmation_date,
            medical_institution_code: options.medical_institution_code.clone(),
            arbitrary_file_identifier: options.arbitrary_file_identifier.clone(),
            reference_classification: ReferenceClassification::MyNumberCard,
            error,
            character_code: options.character_code,
            validity,
            search_info: None,
            result,
        }
    }
}

/// Renders a result file: XML declaration naming the encoding of `message.character_code`,
/// bytes in that encoding (characters Shift_JIS cannot hold become numeric character references).
pub fn render_result_xml(message: &ResultMessage) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; errors are ignored through `ok()` below.
    let _ = write_message(&mut w, message);
    let mut utf8 = w.into_inner();
    utf8.push(b'\n');
    let text = String::from_utf8_lossy(&utf8);
    let (bytes, _, _) = message.character_code.encoding().encode(&text);
    bytes.into_owned()
}

type XmlWriter = Writer<Vec<u8>>;

fn leaf(w: &mut XmlWriter, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))
        .map(|_| ())
}

fn write_message(w: &mut XmlWriter, m: &ResultMessage) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some(m.character_code.xml_encoding_name()),
        Some("yes"),
    )))?;
    w.create_element("XmlMsg").write_inner_content(|w| {
        w.create_element("MessageHeader")
            .write_inner_content(|w| write_header(w, m))?;
        w.create_element("MessageBody")
            .write_inner_content(|w| write_body(w, m))?;
        Ok(())
    })?;
    Ok(())
}

fn write_header(w: &mut XmlWriter, m: &ResultMessage) -> std::io::Result<()> {
    leaf(
        w,
        "ProcessExecutionTime",
        &m.process_execution_time.format(DATE_TIME).to_string(),
    )?;
    leaf(
        w,
        "QualificationConfirmationDate",
        &m.qualification_confirmation_date.format(DATE).to_string(),
    )?;
    leaf(w, "MedicalInstitutionCode", &m.medical_institution_code)?;
    if let Some(id) = &m.arbitrary_file_identifier {
        leaf(w, "ArbitraryFileIdentifier", id)?;
    }
    leaf(
        w,
        "ReferenceClassification",
        m.reference_classification.code(),
    )?;
    match &m.error {
        None => leaf(w, "SegmentOfResult", "1")?,
        Some(e) => {
            leaf(w, "SegmentOfResult", "9")?;
            leaf(w, "ErrorCode", &e.code)?;
            leaf(w, "ErrorMessage", &e.message)?;
        }
    }
    leaf(w, "CharacterCodeIdentifier", m.character_code.code())
}

fn write_body(w: &mut XmlWriter, m: &ResultMessage) -> std::io::Result<()> {
    match &m.error {
        None => leaf(w, "ProcessingResultStatus", "1")?,
        Some(e) => {
            leaf(w, "ProcessingResultStatus", "2")?;
            leaf(w, "ProcessingResultCode", &e.code)?;
            leaf(w, "ProcessingResultMessage", &e.message)?;
        }
    }
    if let Some(v) = m.validity {
        leaf(w, "QualificationValidity", v.code())?;
    }
    if let Some(search) = &m.search_info {
        w.create_element("QualificationConfirmSearchInfo")
            .write_inner_content(|w| write_search_info(w, search))?;
    }
    w.create_element("ResultList").write_inner_content(|w| {
        let element = w.create_element("ResultOfQualificationConfirmation");
        match &m.result {
            None => element.write_text_content(BytesText::new(""))?,
            Some(entry) => element.write_inner_content(|w| write_entry(w, entry))?,
        };
        Ok(())
    })?;
    Ok(())
}

/// Writes QualificationConfirmSearchInfo's children (also used for requests).
pub(crate) fn write_search_info(w: &mut XmlWriter, s: &CardSearch) -> std::io::Result<()> {
    leaf(w, "InsurerNumber", &s.insurer_number)?;
    leaf(w, "InsuredCardSymbol", &s.insured_card_symbol)?;
    leaf(
        w,
        "InsuredIdentificationNumber",
        &s.insured_identification_number,
    )?;
    leaf(w, "InsuredBranchNumber", &s.insured_branch_number)?;
    leaf(w, "Birthdate", &s.birth.format(DATE).to_string())
}

fn date(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

fn write_entry(w: &mut XmlWriter, entry: &ResultEntry) -> std::io::Result<()> {
    let r = &entry.record;
    leaf(
        w,
        "InsuredCardClassification",
        &r.insured_card_classification,
    )?;
    leaf(w, "InsurerNumber", &r.insurer_number)?;
    leaf(w, "InsuredCardSymbol", &r.insured_card_symbol)?;
    leaf(
        w,
        "InsuredIdentificationNumber",
        &r.insured_identification_number,
    )?;
    leaf(w, "InsuredBranchNumber", &r.insured_branch_number)?;
    leaf(
        w,
        "PersonalFamilyClassification",
        r.personal_family_classification.code(),
    )?;
    leaf(w, "InsuredName", &r.insured_name)?;
    leaf(w, "Name", &r.name)?;
    leaf(w, "NameKana", &r.name_kana)?;
    leaf(w, "Sex1", r.sex.code())?;
    leaf(w, "Birthdate", &date(r.birth))?;
    leaf(w, "Address", &r.address)?;
    leaf(w, "PostNumber", &r.post_code)?;
    leaf(w, "QualificationDate", &date(r.qualification_date))?;
    leaf(
        w,
        "InsuredCertificateIssuanceDate",
        &date(r.certificate_issuance_date),
    )?;
    leaf(w, "InsuredCardValidDate", &date(r.card_valid_date))?;
    leaf(
        w,
        "InsuredCardExpirationDate",
        &r.card_expiration_date.map(date).unwrap_or_default(),
    )?;
    leaf(w, "InsuredPartialContributionRatio", &r.contribution_ratio)?;
    leaf(w, "InsurerName", &r.insurer_name)?;
    if let Some(c) = &entry.consents {
        write_consents(w, c)?;
    }
    Ok(())
}

fn write_consents(w: &mut XmlWriter, c: &Consents) -> std::io::Result<()> {
    // 限度額適用認定証 and 特定疾病療養受療証 are not asked on our consent screen: 0 同意なし, no time.
    leaf(w, "LimitApplicationCertificateRelatedConsFlg", "0")?;
    leaf(w, "LimitApplicationCertificateRelatedConsTime", "")?;
    leaf(w, "SpecificDiseasesCertificateRelatedConsFlg", "0")?;
    for (prefix, consent) in [
        ("SpecificHealthCheckupsInfo", c.health_checkups),
        ("PharmacistsInfo", c.medication),
        ("DiagnosisInfo", c.diagnosis),
        ("OperationInfo", c.operation),
    ] {
        // Bridge for the Option consents (the result-file writer's owner decides what an item
        // the screens did not ask writes); until then it writes nothing for it.
        let Some(consent) = consent else {
            continue;
        };
        let entry = ConsentEntry::from_consent(consent);
        leaf(w, &format!("{prefix}ConsFlg"), entry.flag)?;
        leaf(
            w,
            &format!("{prefix}ConsTime"),
            &entry.time.format(DATE_TIME).to_string(),
        )?;
        leaf(
            w,
            &format!("{prefix}AvailableTime"),
            &entry
                .available_until
                .map(|t| t.format(DATE_TIME).to_string())
                .unwrap_or_default(),
        )?;
    }
    Ok(())
}
