//! The element tables a result file is checked against.
//!
//! # Sources (public; no copy of the specification itself was found online)
//! - **SPEC** オンライン資格確認等システム 外部インターフェイス仕様書, 別紙3-1 XMLレイアウト仕様
//!   Ver8.07 and 別紙5-1 業務コード仕様 (code tables OQSCD001–OQSCD044), as transcribed element
//!   by element in a public receipt-system result watcher (`ResWatcher` / `OqsFunc`, Node.js;
//!   found by code search, repository not identified).
//! - **MYCLINIC** hangilc/myclinic-ts `packages/onshi-result/*.ts` (a published consumer:
//!   `castStringProp` = required, `castOptStringProp` = optional; empty dates become "-00-00" in
//!   `util.ts`), `packages/frontend/src/lib/onshi-face.ts` (`parseFaceXml`: reads a record out of
//!   every face file) and `packages/frontend/src/lib/onshi-face.test.ts` (a face file of
//!   2023-02-21: UTF-8 with `standalone="no"`, InsurerNumber `"  123456"`, half-width NameKana,
//!   refused consents written as flag 0 without times, unasked items absent).
//! - **SMARTKARTE** Sotatek-ChinhVu/smart-test
//!   `Domain/Models/Online/QualificationConfirmation/*.cs` (ResultList holds an array of records;
//!   QualificationConfirmSearchInfo echo with ArbitraryIdentifier).
//! - **RECEPTION** a public C# reception agent (`ReceptionAgent.Face.FaceXmlParser`; code search,
//!   repository not identified): the declared encoding must match, exactly one record, NameKana
//!   and Birthdate required, MedicalInstitutionCode 10 digits.
//! - **OQSDRUG** YUKI-ENT/OQSDrug2 `OQSDrug/QualificationFaceExporter.cs` (writes face files for
//!   other receipt systems: CP932 with CRLF, empty values left out).

pub use crate::codes::*;
pub use crate::schema::{Content, Field, Need, Shape};

use crate::groups::{ELDERLY, LIMIT_INFO, MEDICAL_TICKET, SPECIFIC_DISEASE};
use crate::schema::f;
use Content::{Group, List, Value};
use Need::{ByOutcome, Optional, Required};
use Shape::*;

/// MessageHeader (SPEC; required per MYCLINIC MessageHeader.ts).
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

/// QualificationConfirmSearchInfo, the echo of a request (SPEC; MYCLINIC
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

/// The four viewing-consent items: element prefix and Japanese name. Each has `<prefix>ConsFlg`
/// (OQSCD016), `<prefix>ConsTime` and `<prefix>AvailableTime` (SPEC; SMARTKARTE).
pub const CONSENT_ITEMS: &[(&str, &str)] = &[
    ("SpecificHealthCheckupsInfo", "特定健診情報"),
    ("PharmacistsInfo", "薬剤情報"),
    ("DiagnosisInfo", "診療情報"),
    ("OperationInfo", "手術情報"),
];

/// ResultOfQualificationConfirmation (SPEC order). Required: what the strictest published
/// consumers read unconditionally — MYCLINIC `castStringProp` (InsuredCardClassification, Name,
/// Sex1, Birthdate, InsurerName), RECEPTION (NameKana, Birthdate) — and the card numbers every
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

/// MessageBody (SPEC; MYCLINIC MessageBody.ts). ProcessingResultStatus is read by every
/// consumer (MYCLINIC, RECEPTION).
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
    // ResultList may repeat (one record per list, as MYCLINIC reads it) or hold several records
    // (as SMARTKARTE reads it): checked by the rules.
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
