//! The code tables (別紙5-1 業務コード仕様 OQSCD…) a value may take; sources in [`crate::tables`].

/// OQSCD002 照会区分.
pub const REFERENCE_CLASSIFICATION: &[&str] = &["1", "2"];
/// OQSCD003 処理結果区分: 1 正常終了, 2 処理中, 9 異常終了 (SPEC OQSCD003 and MYCLINIC
/// codes.ts; one transcription's comment says 3 for 異常終了, the code table itself says 9).
pub const SEGMENT_OF_RESULT: &[&str] = &["1", "2", "9"];
/// OQSCD004 処理結果状況: 1 正常終了, 2 エラー.
pub const PROCESSING_RESULT_STATUS: &[&str] = &["1", "2"];
/// OQSCD005 文字コード識別: 0 UTF-8, 1 Shift_JIS (SPEC layout comment, MYCLINIC codes.ts, and
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
