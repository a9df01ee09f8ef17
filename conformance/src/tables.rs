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

/// Meanings of the codes of the code tables (別紙5-1 業務コード仕様), by code. Sources:
/// OQSCD001–OQSCD012 as transcribed in hangilc/myclinic-ts `packages/onshi-lib/onshi-codes.js`
/// and `packages/onshi-result/codes.ts` (MYCLINIC; 処方箋発行形態 there too); QualificationValidity
/// 6 and the consent flags (OQSCD016) as in [`crate::codes`] and the project's DESIGN.md §6
/// (consent flag: 0 同意なし / 1 同意あり / 2 期限切れ / 3 取得困難).
mod meanings {
    /// OQSCD001 限度額適用認定証提供同意フラグ.
    pub(super) const LIMIT_CONSENT_FLAG: &[(&str, &str)] = &[("0", "未同意"), ("1", "同意")];
    /// OQSCD002 照会区分.
    pub(super) const REFERENCE_CLASSIFICATION: &[(&str, &str)] =
        &[("1", "マイナンバーカード"), ("2", "被保険者証情報")];
    /// OQSCD003 処理結果区分.
    pub(super) const SEGMENT_OF_RESULT: &[(&str, &str)] =
        &[("1", "正常終了"), ("2", "処理中"), ("9", "異常終了")];
    /// OQSCD004 処理結果状況.
    pub(super) const PROCESSING_RESULT_STATUS: &[(&str, &str)] =
        &[("1", "正常終了"), ("2", "エラー")];
    /// OQSCD005 文字コード識別.
    pub(super) const CHARACTER_CODE_IDENTIFIER: &[(&str, &str)] =
        &[("0", "UTF-8"), ("1", "Shift_JIS")];
    /// OQSCD006 資格有効性 (6: 医療扶助 only, see [`crate::codes::QUALIFICATION_VALIDITY`]).
    pub(super) const QUALIFICATION_VALIDITY: &[(&str, &str)] = &[
        ("1", "有効"),
        ("2", "無効"),
        ("3", "無効（新しい資格あり）"),
        ("4", "該当資格なし"),
        ("5", "複数該当"),
        ("6", "有効（未登録）"),
    ];
    /// OQSCD007 性別.
    pub(super) const SEX: &[(&str, &str)] = &[("1", "男"), ("2", "女"), ("3", "未設定")];
    /// OQSCD009 本人・家族の別.
    pub(super) const PERSONAL_FAMILY_CLASSIFICATION: &[(&str, &str)] =
        &[("1", "本人"), ("2", "家族")];
    /// OQSCD010 被保険者証区分. "A1" is in the code list ([`crate::codes`]) but no public source
    /// at hand names it: it has no meaning here rather than a guessed one.
    pub(super) const INSURED_CARD_CLASSIFICATION: &[(&str, &str)] = &[
        ("01", "被保険者証（一般）"),
        ("02", "被保険者証（退職）"),
        ("03", "短期被保険者証（一般）"),
        ("04", "短期被保険者証（退職）"),
        ("05", "被保険者資格証明書"),
        ("06", "特例退職被保険者証"),
        ("07", "自衛官診療証"),
    ];
    /// OQSCD011 限度額適用認定証区分.
    pub(super) const LIMIT_CERTIFICATE_CLASSIFICATION: &[(&str, &str)] = &[
        ("01", "限度額適用区分認定証"),
        ("02", "限度額適用・標準負担額減額認定証"),
        ("03", "標準負担額減額認定証"),
    ];
    /// OQSCD012 限度額適用認定証適用区分.
    pub(super) const LIMIT_CERTIFICATE_FLAG: &[(&str, &str)] = &[
        ("A01", "ア"),
        ("A02", "イ"),
        ("A03", "ウ"),
        ("A04", "エ"),
        ("A05", "オ"),
        ("A06", "オ（境）"),
        ("B01", "現役並みⅢ"),
        ("B02", "現役並みⅡ"),
        ("B03", "現役並みⅠ"),
        ("B04", "一般"),
        ("B05", "低所得Ⅱ"),
        ("B06", "低所得Ⅰ"),
        ("B07", "低所得Ⅰ（老福）"),
        ("B08", "低所得Ⅰ（境）"),
        ("B09", "一般Ⅱ"),
        ("B10", "一般Ⅰ"),
    ];
    /// OQSCD016 同意区分 (every `…ConsFlg` but 限度額適用認定証's).
    pub(super) const CONSENT_FLAG: &[(&str, &str)] = &[
        ("0", "同意なし"),
        ("1", "同意あり"),
        ("2", "同意有効期限切れ"),
        ("3", "同意取得困難"),
    ];
    /// OQSCD017 処方箋発行形態.
    pub(super) const PRESCRIPTION_ISSUE_SELECT: &[(&str, &str)] =
        &[("1", "電子処方箋"), ("2", "紙の処方箋")];
}

/// What a code value of `element` means (e.g. `meaning_of("QualificationValidity", "4")` is
/// 該当資格なし); `None` for elements that hold no code, codes outside the table, and codes no
/// public source names. The only home of code meanings (sources beside the `meanings` tables).
pub fn meaning_of(element: &str, code: &str) -> Option<&'static str> {
    let table = match element {
        "ReferenceClassification" => meanings::REFERENCE_CLASSIFICATION,
        "SegmentOfResult" => meanings::SEGMENT_OF_RESULT,
        "ProcessingResultStatus" => meanings::PROCESSING_RESULT_STATUS,
        "CharacterCodeIdentifier" => meanings::CHARACTER_CODE_IDENTIFIER,
        "QualificationValidity" => meanings::QUALIFICATION_VALIDITY,
        "Sex1" | "Sex2" => meanings::SEX,
        "PersonalFamilyClassification" => meanings::PERSONAL_FAMILY_CLASSIFICATION,
        "InsuredCardClassification" => meanings::INSURED_CARD_CLASSIFICATION,
        "LimitApplicationCertificateClassification" => meanings::LIMIT_CERTIFICATE_CLASSIFICATION,
        "LimitApplicationCertificateClassificationFlag" => meanings::LIMIT_CERTIFICATE_FLAG,
        "PrescriptionIssueSelect" => meanings::PRESCRIPTION_ISSUE_SELECT,
        "LimitApplicationCertificateRelatedConsFlg" => meanings::LIMIT_CONSENT_FLAG,
        name if name.ends_with("ConsFlg") => meanings::CONSENT_FLAG,
        _ => return None,
    };
    table
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, meaning)| *meaning)
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tests;
