//! What a result file for the receipt system says (DESIGN.md §6), as values; rendered to bytes by
//! [`crate::result_render::render_result_xml`].
//!
//! # What each outcome writes (sources)
//! | outcome | SegmentOfResult | ProcessingResultStatus | QualificationValidity | ResultList |
//! |---|---|---|---|---|
//! | 有効 / 無効 / 無効（新しい資格あり） | 1 | 1 | 1 / 2 / 3 | one record |
//! | 複数該当 (request by card numbers) | 1 | 1 | 5 | every record ([`MultipleRecords`]) |
//! | 該当資格なし | 1 | 1 | 4 | absent (card checks: [`CardCheckWithoutRecord`]) |
//! | card check refused (certificate, proof) | 1 | 2 + code + message | absent | absent |
//! | request unreadable | 9 + ErrorCode + ErrorMessage | 2 + code + message | absent | absent |
//!
//! - Codes: 別紙5-1 業務コード仕様 OQSCD003 処理結果区分 (1 正常終了, 2 処理中, 9 異常終了),
//!   OQSCD004 処理結果状況 (1 正常終了, 2 エラー), OQSCD006 資格有効性, as transcribed in a public
//!   receipt-system watcher (`OqsFunc`, code search) and hangilc/myclinic-ts
//!   `packages/onshi-result/codes.ts`.
//! - SegmentOfResult is the file's result and ErrorCode/ErrorMessage are set only when it is not
//!   1 (「処理結果区分が正常終了以外を示す場合、エラー内容に準ずるコードを設定する」); the per-person
//!   result is ProcessingResultStatus (「個人単位でオンライン資格確認システムの処理結果を表す区分」) with
//!   ProcessingResultCode/Message 「処理結果状況がエラーの場合及び正常終了で付帯情報がある場合」 —
//!   hangilc/myclinic-ts `MessageHeader.ts`, `MessageBody.ts` and the same watcher's transcription
//!   of 別紙3-1. A refused card is a per-person error, an unreadable request a file error.
//! - Every body carries ProcessingResultStatus: the published consumers read it unconditionally
//!   (hangilc/myclinic-ts `MessageBody.cast`, the C# reception agent `FaceXmlParser`).
//! - No record, no ResultList: a ResultList is a list of records (Sotatek-ChinhVu/smart-test
//!   `ResultList.cs` holds an array; hangilc/myclinic-ts `castResultList` takes an absent list as
//!   empty), and an empty `<ResultOfQualificationConfirmation>` is rejected outright by
//!   hangilc/myclinic-ts `onshi-face.ts` (issue 13).
//! - The identity method (face, PIN, staff) is deliberately not written: no public file has it.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::insurance::{CardSearch, InsuranceRecord, QualificationValidity};
use crate::protocol::Consents;
use crate::service::{CheckOutcome, CheckResult};

/// 文字コード識別 (CharacterCodeIdentifier): the file's encoding and its line endings.
///
/// 0 UTF-8 / 1 Shift_JIS: OQSCD005 as transcribed in the public watcher's layout notes and in
/// hangilc/myclinic-ts `codes.ts`, and as real files show it (the face file in hangilc/myclinic-ts
/// `onshi-face.test.ts` declares UTF-8 with 0; a public 2024 face-file generator writes Shift_JIS
/// with 1). One transcription's code-table function says 1/2; the files contradict it, so this
/// is not a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CharacterCode {
    /// 0: UTF-8, lines ending in LF (as the UTF-8 face file in hangilc/myclinic-ts
    /// `onshi-face.test.ts`).
    #[default]
    Utf8,
    /// 1: Shift_JIS (CP932), lines ending in CR LF (as Windows receipt systems write them:
    /// YUKI-ENT/OQSDrug2 `QualificationFaceExporter.cs`, `Encoding.GetEncoding(932)`,
    /// `NewLineChars = "\r\n"`).
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

    /// The name in the XML declaration (`Shift_JIS` as the public generator and the real
    /// consumers spell it).
    pub fn xml_encoding_name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::ShiftJis => "Shift_JIS",
        }
    }

    /// The line ending of files in this encoding.
    pub fn line_ending(self) -> &'static str {
        match self {
            Self::Utf8 => "\n",
            Self::ShiftJis => "\r\n",
        }
    }

    /// The encoder (encoding_rs's `Shift_JIS` is CP932, i.e. Windows-31J).
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Self::Utf8 => encoding_rs::UTF_8,
            Self::ShiftJis => encoding_rs::SHIFT_JIS,
        }
    }
}

/// 照会区分 (ReferenceClassification, OQSCD002).
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

/// What a card check that found no qualification record (該当資格なし, or refused) writes into
/// `face/`. Sources disagree:
/// - [`NoFile`](Self::NoFile) (default): nothing — the outcome shows on the terminal only. Both
///   public face-folder consumers read a record out of every face file (hangilc/myclinic-ts
///   `onshi-face.ts` `parseFaceXml`; the C# reception agent's `FaceXmlParser` needs exactly one
///   record), and every public face-file generator writes records only.
/// - [`WithoutResultList`](Self::WithoutResultList): a file whose body carries
///   QualificationValidity 4 or the error codes and no ResultList, as answers to requests do —
///   read by consumers that take ResultList as optional (hangilc/myclinic-ts `MessageBody.cast`,
///   Sotatek-ChinhVu/smart-test, the public watcher that skips bodies without ResultList).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CardCheckWithoutRecord {
    /// No file.
    #[default]
    NoFile,
    /// A file without ResultList.
    WithoutResultList,
}

/// How several records (複数該当) are laid out. Sources disagree:
/// - [`OneResultList`](Self::OneResultList) (default): one ResultList holding every
///   ResultOfQualificationConfirmation (Sotatek-ChinhVu/smart-test `ResultList.cs`: an array).
/// - [`ResultListPerRecord`](Self::ResultListPerRecord): one ResultList per record (hangilc/
///   myclinic-ts reads `ResultList` as a list of `{ResultOfQualificationConfirmation}`, one each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MultipleRecords {
    /// One ResultList, several records.
    #[default]
    OneResultList,
    /// Several ResultLists, one record each.
    ResultListPerRecord,
}

/// How the terminal writes result files (facility settings, per run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFileOptions {
    /// 医療機関コード (MedicalInstitutionCode): 10 digits.
    pub medical_institution_code: String,
    /// The encoding (and line endings) of card-check results; answers to requests use the
    /// request's own.
    pub character_code: CharacterCode,
    /// ArbitraryFileIdentifier for card-check results (None: element left out).
    pub arbitrary_file_identifier: Option<String>,
    /// What a card check without a record writes.
    #[serde(default)]
    pub card_check_without_record: CardCheckWithoutRecord,
    /// How several records are laid out.
    #[serde(default)]
    pub multiple_records: MultipleRecords,
}

impl Default for ResultFileOptions {
    fn default() -> Self {
        Self {
            medical_institution_code: "1312345678".into(),
            character_code: CharacterCode::Utf8,
            arbitrary_file_identifier: None,
            card_check_without_record: CardCheckWithoutRecord::default(),
            multiple_records: MultipleRecords::default(),
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

/// QualificationConfirmSearchInfo: the request's search, echoed in its answer (element list of
/// 別紙3-1 as transcribed by the public watcher; hangilc/myclinic-ts
/// `QualificationConfirmSearchInfo.ts` requires LimitApplicationCertificateRelatedConsFlg in it;
/// Sotatek-ChinhVu/smart-test `QualificationConfirmSearchInfo.cs` adds ArbitraryIdentifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchEcho {
    /// The card numbers and birth date searched for.
    pub search: CardSearch,
    /// 限度額適用認定証提供同意フラグ as requested (OQSCD001: 0 未同意, 1 同意).
    pub limit_application_consent: bool,
    /// ArbitraryIdentifier, when the request had one.
    pub arbitrary_identifier: Option<String>,
}

/// The body's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResultBody {
    /// SegmentOfResult 1, ProcessingResultStatus 1: the qualification found (no records for
    /// 該当資格なし).
    Qualification {
        /// QualificationValidity.
        validity: QualificationValidity,
        /// The records (one, several for 複数該当, none for 該当資格なし).
        entries: Vec<ResultEntry>,
    },
    /// SegmentOfResult 1, ProcessingResultStatus 2: this person's check failed.
    PersonError(ErrorInfo),
    /// SegmentOfResult 9 with ErrorCode/ErrorMessage, ProcessingResultStatus 2: the request
    /// itself could not be processed.
    FileError(ErrorInfo),
}

/// A whole result file (XmlMsg).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultMessage {
    /// ProcessExecutionTime.
    pub process_execution_time: NaiveDateTime,
    /// QualificationConfirmationDate (資格確認日): the date the qualification was checked on.
    pub qualification_confirmation_date: NaiveDate,
    /// MedicalInstitutionCode.
    pub medical_institution_code: String,
    /// ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
    /// ReferenceClassification.
    pub reference_classification: ReferenceClassification,
    /// CharacterCodeIdentifier, and the encoding and line endings of the bytes.
    pub character_code: CharacterCode,
    /// QualificationConfirmSearchInfo (answers to requests only).
    pub search_info: Option<SearchEcho>,
    /// The result.
    pub body: ResultBody,
    /// Layout of several records.
    pub multiple_records: MultipleRecords,
}

impl ResultMessage {
    /// The result file of a card check (ReferenceClassification 1), or `None` when the options
    /// say such an outcome writes no file ([`CardCheckWithoutRecord::NoFile`]).
    pub fn for_card_check(outcome: &CheckOutcome, options: &ResultFileOptions) -> Option<Self> {
        let body = match &outcome.result {
            CheckResult::Eligibility(q) => ResultBody::Qualification {
                validity: q.validity,
                entries: q
                    .records
                    .iter()
                    .map(|record| ResultEntry {
                        record: record.clone(),
                        consents: Some(outcome.consents),
                    })
                    .collect(),
            },
            CheckResult::Rejected(e) => ResultBody::PersonError(ErrorInfo {
                code: e.code().into(),
                message: e.message().into(),
            }),
        };
        let has_record =
            matches!(&body, ResultBody::Qualification { entries, .. } if !entries.is_empty());
        if !has_record && options.card_check_without_record == CardCheckWithoutRecord::NoFile {
            return None;
        }
        Some(Self {
            process_execution_time: outcome.checked_at,
            qualification_confirmation_date: outcome.qualification_confirmation_date,
            medical_institution_code: options.medical_institution_code.clone(),
            arbitrary_file_identifier: options.arbitrary_file_identifier.clone(),
            reference_classification: ReferenceClassification::MyNumberCard,
            character_code: options.character_code,
            search_info: None,
            body,
            multiple_records: options.multiple_records,
        })
    }

    /// QualificationValidity, unless the body is an error.
    pub fn validity(&self) -> Option<QualificationValidity> {
        match &self.body {
            ResultBody::Qualification { validity, .. } => Some(*validity),
            ResultBody::PersonError(_) | ResultBody::FileError(_) => None,
        }
    }
}
