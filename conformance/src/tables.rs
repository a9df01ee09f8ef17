//! The element tables a result file is checked against.
//!
//! # Sources (public; no copy of the specification itself was found online)
//! - **[SPEC]** オンライン資格確認等システム 外部インターフェイス仕様書, 別紙3-1 XMLレイアウト仕様
//!   Ver8.07 and 別紙5-1 業務コード仕様 (code tables OQSCD001–OQSCD044), as transcribed element
//!   by element in a public receipt-system result watcher (`ResWatcher` / `OqsFunc`, Node.js;
//!   found by code search, repository not identified).
//! - **[MYCLINIC]** hangilc/myclinic-ts `packages/onshi-result/*.ts` (a published consumer:
//!   `castStringProp` = required, `castOptStringProp` = optional; empty dates become "-00-00" in
//!   `util.ts`), `packages/frontend/src/lib/onshi-face.ts` (`parseFaceXml`: reads a record out of
//!   every face file) and `packages/frontend/src/lib/onshi-face.test.ts` (a face file of
//!   2023-02-21: UTF-8 with `standalone="no"`, InsurerNumber `"  123456"`, half-width NameKana,
//!   refused consents written as flag 0 without times, unasked items absent).
//! - **[SMARTKARTE]** Sotatek-ChinhVu/smart-test
//!   `Domain/Models/Online/QualificationConfirmation/*.cs` (ResultList holds an array of records;
//!   QualificationConfirmSearchInfo echo with ArbitraryIdentifier).
//! - **[RECEPTION]** a public C# reception agent (`ReceptionAgent.Face.FaceXmlParser`; code search,
//!   repository not identified): the declared encoding must match, exactly one record, NameKana
//!   and Birthdate required, MedicalInstitutionCode 10 digits.
//! - **[OQSDRUG]** YUKI-ENT/OQSDrug2 `OQSDrug/QualificationFaceExporter.cs` (writes face files for
//!   other receipt systems: CP932 with CRLF, empty values left out).

/// A value's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Any non-empty text.
    Text,
    /// A calendar date `yyyyMMdd`.
    Date,
    /// A date and time `yyyyMMddHHmmss`.
    DateTime,
    /// Exactly this many ASCII digits.
    Digits(usize),
    /// 保険者番号: 8 characters — 8 digits, or a 6-digit 国民健康保険 number right-aligned with two
    /// half-width spaces ([MYCLINIC] face file `"  123456"`; sanox.org road26: 「数字の8ケタにする,
    /// あるいは先頭に空白を入れて8ケタにする」).
    InsurerNumber,
    /// 郵便番号 `123-4567` ([MYCLINIC] face file).
    PostNumber,
    /// Half-width katakana and half-width spaces ([SPEC] NameKana "half size"; [MYCLINIC]
    /// 「（半角カナ）」 and face file `ｼﾝﾘｮｳ ﾀﾛｳ`).
    HalfWidthKana,
    /// One of these codes.
    Code(&'static [&'static str]),
}

/// One element of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Element name.
    pub name: &'static str,
    /// Japanese name in the specification (for messages and reports).
    pub label: &'static str,
    /// Always present in this container ([`Need::Required`]) or present only with a value.
    pub need: Need,
    /// What it holds.
    pub content: Content,
}

/// Whether an element must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always present.
    Required,
    /// Present only when there is a value; never empty.
    Optional,
    /// Required or forbidden depending on the outcome (checked by the rules, not the table).
    ByOutcome,
}

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A value of this shape.
    Value(Shape),
    /// Child elements from this table (each at most once).
    Group(&'static [Field]),
    /// Repeated child elements named `item`, each holding the `fields` table.
    List {
        /// The repeated element.
        item: &'static str,
        /// Its table.
        fields: &'static [Field],
    },
}

const fn f(name: &'static str, label: &'static str, need: Need, content: Content) -> Field {
    Field {
        name,
        label,
        need,
        content,
    }
}

use Content::{Group, List, Value};
use Need::{ByOutcome, Optional, Required};
use Shape::*;

/// OQSCD002 照会区分.
pub const REFERENCE_CLASSIFICATION: &[&str] = &["1", "2"];
/// OQSCD003 処理結果区分: 1 正常終了, 2 処理中, 9 異常終了 ([SPEC] OQSCD003 and [MYCLINIC]
/// codes.ts; one transcription's comment says 3 for 異常終了, the code table itself says 9).
pub const SEGMENT_OF_RESULT: &[&str] = &["1", "2", "9"];
/// OQSCD004 処理結果状況: 1 正常終了, 2 エラー.
pub const PROCESSING_RESULT_STATUS: &[&str] = &["1", "2"];
/// OQSCD005 文字コード識別: 0 UTF-8, 1 Shift_JIS ([SPEC] layout comment, [MYCLINIC] codes.ts, and
/// real files: the 2023 face file declares UTF-8 with 0; a 2024 generator writes Shift_JIS
/// with 1. One transcription's code-table function says 1/2; the files contradict it).
pub const CHARACTER_CODE_IDENTIFIER: &[&str] = &["0", "1"];
/// OQSCD006 資格有効性: 1 有効, 2 無効, 3 無効（新しい資格あり）, 4 該当資格なし, 5 複数該当,
/// 6 有効（未登録） (医療扶助 only).
pub const QUALIFICATION_VALIDITY: &[&str] = &["1", "2", "3", "4", "5", "6"];
/// OQSCD007 性別: 1 男, 2 女, 3 未設定.
pub const SEX: &[&str] = &["1", "2", "3"];
/// OQSCD008 資格喪失事由.
pub const REASON_OF_LOSS: &[&str] = &["01", "02", "03", "99"];
/// OQSCD009 本人・家族の別.
pub const PERSONAL_FAMILY_CLASSIFICATION: &[&str] = &["1", "2"];
/// OQSCD010 被保険者証区分.
pub const INSURED_CARD_CLASSIFICATION: &[&str] = &["01", "02", "03", "04", "05", "06", "07", "A1"];
/// OQSCD001 限度額適用認定証提供同意フラグ: 0 未同意, 1 同意.
pub const LIMIT_CONSENT_FLAG: &[&str] = &["0", "1"];
/// OQSCD016 同意区分: 0 同意なし, 1 同意あり, 2 同意有効期限切れ, 3 同意取得困難.
pub const CONSENT_FLAG: &[&str] = &["0", "1", "2", "3"];
/// OQSCD015 未就学区分.
pub const PRESCHOOL_CLASSIFICATION: &[&str] = &["1"];
/// OQSCD011 限度額適用認定証区分.
pub const LIMIT_CERTIFICATE_CLASSIFICATION: &[&str] = &["01", "02", "03"];
/// OQSCD012 限度額適用認定証適用区分.
pub const LIMIT_CERTIFICATE_FLAG: &[&str] = &[
    "A01", "A02", "A03", "A04", "A05", "A06", "B01", "B02", "B03", "B04", "B05", "B06", "B07",
    "B08", "B09", "B10",
];
/// OQSCD013 特定疾病療養受療証認定疾病区分.
pub const SPECIFIC_DISEASE_CATEGORY: &[&str] = &["1", "2", "3"];
/// OQSCD017 処方箋発行形態.
pub const PRESCRIPTION_ISSUE_SELECT: &[&str] = &["1", "2"];

/// MessageHeader ([SPEC]; required per [MYCLINIC] MessageHeader.ts).
pub const HEADER: &[Field] = &[
    f(
        "ProcessExecutionTime",
        "処理実行日時",
        Required,
        Value(DateTime),
    ),
    f(
        "QualificationConfirmationDate",
        "資格確認日",
        Required,
        Value(Date),
    ),
    f(
        "MedicalInstitutionCode",
        "医療機関コード",
        Required,
        Value(Digits(10)),
    ),
    f(
        "ArbitraryFileIdentifier",
        "任意のファイル識別子",
        Optional,
        Value(Text),
    ),
    f(
        "ReferenceClassification",
        "照会区分",
        Required,
        Value(Code(REFERENCE_CLASSIFICATION)),
    ),
    f(
        "SegmentOfResult",
        "処理結果区分",
        Required,
        Value(Code(SEGMENT_OF_RESULT)),
    ),
    f("ErrorCode", "エラーコード", ByOutcome, Value(Text)),
    f("ErrorMessage", "エラーメッセージ", ByOutcome, Value(Text)),
    f(
        "CharacterCodeIdentifier",
        "文字コード識別",
        Required,
        Value(Code(CHARACTER_CODE_IDENTIFIER)),
    ),
];

/// QualificationConfirmSearchInfo, the echo of a request ([SPEC]; [MYCLINIC]
/// QualificationConfirmSearchInfo.ts requires LimitApplicationCertificateRelatedConsFlg).
pub const SEARCH_INFO: &[Field] = &[
    f(
        "InsurerNumber",
        "保険者番号",
        Required,
        Value(InsurerNumber),
    ),
    f("InsuredCardSymbol", "被保険者証記号", Optional, Value(Text)),
    f(
        "InsuredIdentificationNumber",
        "被保険者証番号",
        Required,
        Value(Text),
    ),
    f(
        "InsuredBranchNumber",
        "被保険者証枝番",
        Optional,
        Value(Digits(2)),
    ),
    f("Birthdate", "生年月日", Required, Value(Date)),
    f(
        "LimitApplicationCertificateRelatedConsFlg",
        "限度額適用認定証提供同意フラグ",
        Required,
        Value(Code(LIMIT_CONSENT_FLAG)),
    ),
    f("ArbitraryIdentifier", "任意の識別子", Optional, Value(Text)),
];

const ELDERLY: &[Field] = &[
    f(
        "ElderlyRecipientCertificateDate",
        "高齢受給者証交付年月日",
        Optional,
        Value(Date),
    ),
    f(
        "ElderlyRecipientValidStartDate",
        "高齢受給者証有効開始年月日",
        Optional,
        Value(Date),
    ),
    f(
        "ElderlyRecipientValidEndDate",
        "高齢受給者証有効終了年月日",
        Optional,
        Value(Date),
    ),
    f(
        "ElderlyRecipientContributionRatio",
        "高齢受給者証一部負担金割合",
        Optional,
        Value(Digits(3)),
    ),
];

const LIMIT_INFO: &[Field] = &[
    f(
        "LimitApplicationCertificateClassification",
        "限度額適用認定証区分",
        Optional,
        Value(Code(LIMIT_CERTIFICATE_CLASSIFICATION)),
    ),
    f(
        "LimitApplicationCertificateClassificationFlag",
        "限度額適用認定証適用区分",
        Optional,
        Value(Code(LIMIT_CERTIFICATE_FLAG)),
    ),
    f(
        "LimitApplicationCertificateDate",
        "限度額適用認定証交付年月日",
        Optional,
        Value(Date),
    ),
    f(
        "LimitApplicationCertificateValidStartDate",
        "限度額適用認定証有効開始年月日",
        Optional,
        Value(Date),
    ),
    f(
        "LimitApplicationCertificateValidEndDate",
        "限度額適用認定証有効終了年月日",
        Optional,
        Value(Date),
    ),
    f(
        "LimitApplicationCertificateLongTermDate",
        "限度額適用認定証長期入院該当年月日",
        Optional,
        Value(Date),
    ),
];

const SPECIFIC_DISEASE: &[Field] = &[
    f(
        "SpecificDiseasesDiseaseCategory",
        "特定疾病療養受療証認定疾病区分",
        Optional,
        Value(Code(SPECIFIC_DISEASE_CATEGORY)),
    ),
    f(
        "SpecificDiseasesCertificateDate",
        "特定疾病療養受療証交付年月日",
        Optional,
        Value(Date),
    ),
    f(
        "SpecificDiseasesValidStartDate",
        "特定疾病療養受療証有効開始年月日",
        Optional,
        Value(Date),
    ),
    f(
        "SpecificDiseasesValidEndDate",
        "特定疾病療養受療証有効終了年月日",
        Optional,
        Value(Date),
    ),
    f(
        "SpecificDiseasesSelfPay",
        "特定疾病療養受療証自己負担限度額",
        Optional,
        Value(Text),
    ),
];

const MEDICAL_TICKET: &[Field] = &[
    f(
        "TicketType",
        "医療券・調剤券別",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f(
        "MedicalTicketValidDate",
        "医療券・調剤券有効開始年月日",
        Optional,
        Value(Date),
    ),
    f(
        "MedicalTicketExpirationDate",
        "医療券・調剤券有効終了年月日",
        Optional,
        Value(Date),
    ),
    f("IssueNumber", "交付番号", Optional, Value(Text)),
    f("MedicalTreatmentMonth", "診療年月", Optional, Value(Text)),
    f(
        "DesignatedMedicalInstitutionCode",
        "指定医療機関コード",
        Optional,
        Value(Text),
    ),
    f(
        "DesignatedMedicalInstitutionFlag",
        "指定医療機関確認フラグ",
        Optional,
        Value(Code(&["0", "1"])),
    ),
    f(
        "DesignatedMedicalInstitutionName",
        "指定医療機関名",
        Optional,
        Value(Text),
    ),
    f(
        "PrescriptionIssuerMedicalInstitutionCode",
        "処方箋発行元医療機関コード",
        Optional,
        Value(Text),
    ),
    f(
        "PrescriptionIssuerMedicalInstitutionName",
        "処方箋発行元医療機関名",
        Optional,
        Value(Text),
    ),
    f("InjuryName1", "傷病名1", Optional, Value(Text)),
    f("InjuryName2", "傷病名2", Optional, Value(Text)),
    f("InjuryName3", "傷病名3", Optional, Value(Text)),
    f(
        "MedicalTreatmentType",
        "診療別",
        Optional,
        Value(Code(&["01", "02", "03", "04", "05"])),
    ),
    f("SelfPayAmount", "本人支払額", Optional, Value(Text)),
    f("DistrictContactName", "地区担当員名", Optional, Value(Text)),
    f("HandlingContactName", "取扱担当者名", Optional, Value(Text)),
    f(
        "SingleOrCombinedUse",
        "単独・併用別",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f(
        "StatusOfSocialInsurance",
        "社会保険状況",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f(
        "ConsistencyFlag",
        "社会保険状況の整合性フラグ",
        Optional,
        Value(Code(&["1"])),
    ),
    f(
        "StatusOfInfecton",
        "感染症法第37条の2の該当状況",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f(
        "StatusOfElderlyMedicalCare",
        "後期高齢者医療の該当状況",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f(
        "StatusOfPrefecturalExpenses",
        "都道府県費の該当状況",
        Optional,
        Value(Code(&["01", "02"])),
    ),
    f("Remarks1", "備考1", Optional, Value(Text)),
    f("Remarks2", "備考2", Optional, Value(Text)),
    f("Remarks3", "備考3", Optional, Value(Text)),
];

/// The four viewing-consent items: element prefix and Japanese name. Each has `<prefix>ConsFlg`
/// (OQSCD016), `<prefix>ConsTime` and `<prefix>AvailableTime` ([SPEC]; [SMARTKARTE]).
pub const CONSENT_ITEMS: &[(&str, &str)] = &[
    ("SpecificHealthCheckupsInfo", "特定健診情報"),
    ("PharmacistsInfo", "薬剤情報"),
    ("DiagnosisInfo", "診療情報"),
    ("OperationInfo", "手術情報"),
];

/// ResultOfQualificationConfirmation ([SPEC] order). Required: what the strictest published
/// consumers read unconditionally — [MYCLINIC] `castStringProp` (InsuredCardClassification, Name,
/// Sex1, Birthdate, InsurerName), [RECEPTION] (NameKana, Birthdate) — and the card numbers every
/// sample carries.
pub const RECORD: &[Field] = &[
    f(
        "InsuredCardClassification",
        "被保険者証区分",
        Required,
        Value(Code(INSURED_CARD_CLASSIFICATION)),
    ),
    f(
        "InsurerNumber",
        "保険者番号",
        Required,
        Value(InsurerNumber),
    ),
    f("InsuredCardSymbol", "被保険者証記号", Optional, Value(Text)),
    f(
        "InsuredIdentificationNumber",
        "被保険者証番号",
        Required,
        Value(Text),
    ),
    f(
        "InsuredBranchNumber",
        "被保険者証枝番",
        Optional,
        Value(Digits(2)),
    ),
    f(
        "PersonalFamilyClassification",
        "本人・家族の別",
        Optional,
        Value(Code(PERSONAL_FAMILY_CLASSIFICATION)),
    ),
    f("InsuredName", "被保険者氏名", Optional, Value(Text)),
    f("Name", "氏名", Required, Value(Text)),
    f("NameOfOther", "氏名（その他）", Optional, Value(Text)),
    f("NameKana", "氏名カナ", Required, Value(HalfWidthKana)),
    f(
        "NameOfOtherKana",
        "氏名カナ（その他）",
        Optional,
        Value(HalfWidthKana),
    ),
    f("Sex1", "性別1", Required, Value(Code(SEX))),
    f("Sex2", "性別2", Optional, Value(Code(SEX))),
    f("Birthdate", "生年月日", Required, Value(Date)),
    f("Address", "住所", Optional, Value(Text)),
    f("PostNumber", "郵便番号", Optional, Value(PostNumber)),
    f("QualificationDate", "資格取得年月日", Optional, Value(Date)),
    f(
        "DisqualificationDate",
        "資格喪失年月日",
        Optional,
        Value(Date),
    ),
    f(
        "InsuredCertificateIssuanceDate",
        "被保険者証交付年月日",
        Optional,
        Value(Date),
    ),
    f(
        "InsuredCardValidDate",
        "被保険者証有効開始年月日",
        Optional,
        Value(Date),
    ),
    f(
        "InsuredCardExpirationDate",
        "被保険者証有効終了年月日",
        Optional,
        Value(Date),
    ),
    f(
        "InsuredPartialContributionRatio",
        "被保険者証一部負担金割合",
        Optional,
        Value(Digits(3)),
    ),
    f(
        "PreschoolClassification",
        "未就学区分",
        Optional,
        Value(Code(PRESCHOOL_CLASSIFICATION)),
    ),
    f(
        "ReasonOfLoss",
        "資格喪失事由",
        Optional,
        Value(Code(REASON_OF_LOSS)),
    ),
    f("InsurerName", "保険者名称", Required, Value(Text)),
    f(
        "ElderlyRecipientCertificateInfo",
        "高齢受給者証情報",
        Optional,
        Group(ELDERLY),
    ),
    f(
        "LimitApplicationCertificateRelatedConsFlg",
        "限度額適用認定証提供同意フラグ",
        Optional,
        Value(Code(LIMIT_CONSENT_FLAG)),
    ),
    f(
        "LimitApplicationCertificateRelatedConsTime",
        "限度額適用認定証提供同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "LimitApplicationCertificateRelatedInfo",
        "限度額適用認定証関連情報",
        Optional,
        Group(LIMIT_INFO),
    ),
    f(
        "SpecificDiseasesCertificateRelatedConsFlg",
        "特定疾病療養受療証提供同意フラグ",
        Optional,
        Value(Code(CONSENT_FLAG)),
    ),
    f(
        "SpecificDiseasesCertificateRelatedConsTime",
        "特定疾病療養受療証提供同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "SpecificDiseasesCertificateList",
        "特定疾病療養受療証情報リスト",
        Optional,
        List {
            item: "SpecificDiseasesCertificateInfo",
            fields: SPECIFIC_DISEASE,
        },
    ),
    f(
        "PublicExpenseResultList",
        "医療扶助資格確認結果リスト",
        Optional,
        List {
            item: "MedicalTicketInfo",
            fields: MEDICAL_TICKET,
        },
    ),
    f(
        "SpecificHealthCheckupsInfoConsFlg",
        "特定健診情報閲覧同意フラグ",
        Optional,
        Value(Code(CONSENT_FLAG)),
    ),
    f(
        "SpecificHealthCheckupsInfoConsTime",
        "特定健診情報閲覧同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "SpecificHealthCheckupsInfoAvailableTime",
        "特定健診情報閲覧有効期限",
        Optional,
        Value(DateTime),
    ),
    f(
        "PharmacistsInfoConsFlg",
        "薬剤情報閲覧同意フラグ",
        Optional,
        Value(Code(CONSENT_FLAG)),
    ),
    f(
        "PharmacistsInfoConsTime",
        "薬剤情報閲覧同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "PharmacistsInfoAvailableTime",
        "薬剤情報閲覧有効期限",
        Optional,
        Value(DateTime),
    ),
    f(
        "DiagnosisInfoConsFlg",
        "診療情報閲覧同意フラグ",
        Optional,
        Value(Code(CONSENT_FLAG)),
    ),
    f(
        "DiagnosisInfoConsTime",
        "診療情報閲覧同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "DiagnosisInfoAvailableTime",
        "診療情報閲覧有効期限",
        Optional,
        Value(DateTime),
    ),
    f(
        "OperationInfoConsFlg",
        "手術情報閲覧同意フラグ",
        Optional,
        Value(Code(CONSENT_FLAG)),
    ),
    f(
        "OperationInfoConsTime",
        "手術情報閲覧同意日時",
        Optional,
        Value(DateTime),
    ),
    f(
        "OperationInfoAvailableTime",
        "手術情報閲覧有効期限",
        Optional,
        Value(DateTime),
    ),
    f("ArbitraryIdentifier", "任意の識別子", Optional, Value(Text)),
    f("ReferenceNumber", "照会番号", Optional, Value(Text)),
    f(
        "PrescriptionIssueSelect",
        "処方箋発行形態",
        Optional,
        Value(Code(PRESCRIPTION_ISSUE_SELECT)),
    ),
];

/// MessageBody ([SPEC]; [MYCLINIC] MessageBody.ts). ProcessingResultStatus is read by every
/// consumer ([MYCLINIC], [RECEPTION]).
pub const BODY: &[Field] = &[
    f(
        "ProcessingResultStatus",
        "処理結果状況",
        Required,
        Value(Code(PROCESSING_RESULT_STATUS)),
    ),
    f(
        "ProcessingResultCode",
        "処理結果コード",
        ByOutcome,
        Value(Text),
    ),
    f(
        "ProcessingResultMessage",
        "処理結果メッセージ",
        ByOutcome,
        Value(Text),
    ),
    f(
        "QualificationValidity",
        "資格有効性",
        ByOutcome,
        Value(Code(QUALIFICATION_VALIDITY)),
    ),
    f(
        "PrescriptionIssueSelect",
        "処方箋発行形態",
        Optional,
        Value(Code(PRESCRIPTION_ISSUE_SELECT)),
    ),
    f(
        "QualificationConfirmSearchInfo",
        "資格確認照会用情報",
        ByOutcome,
        Group(SEARCH_INFO),
    ),
    // ResultList may repeat (one record per list, as [MYCLINIC] reads it) or hold several records
    // (as [SMARTKARTE] reads it): checked by the rules.
    f(
        "ResultList",
        "資格確認結果リスト",
        ByOutcome,
        List {
            item: "ResultOfQualificationConfirmation",
            fields: RECORD,
        },
    ),
];

/// The Japanese name of an element anywhere in the tables.
pub fn label_of(name: &str) -> Option<&'static str> {
    fn find(fields: &'static [Field], name: &str) -> Option<&'static str> {
        fields.iter().find_map(|field| {
            if field.name == name {
                return Some(field.label);
            }
            match field.content {
                Content::Value(_) => None,
                Content::Group(inner) => find(inner, name),
                Content::List { item, .. } if item == name => Some(field.label),
                Content::List { fields, .. } => find(fields, name),
            }
        })
    }
    match name {
        "XmlMsg" => Some("XMLメッセージ"),
        "MessageHeader" => Some("ヘッダー"),
        "MessageBody" => Some("ボディ"),
        "ResultOfQualificationConfirmation" => Some("資格確認結果"),
        _ => find(HEADER, name).or_else(|| find(BODY, name)),
    }
}
