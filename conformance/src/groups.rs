//! Nested groups of a ResultOfQualificationConfirmation (SPEC 別紙3-1; see [`crate::tables`]).

use crate::codes::*;
use crate::schema::Content::Value;
use crate::schema::Need::Optional;
use crate::schema::Shape::*;
use crate::schema::{f, Field};

/// 高齢受給者証情報.
pub(crate) const ELDERLY: &[Field] = &[
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

/// 限度額適用認定証関連情報.
pub(crate) const LIMIT_INFO: &[Field] = &[
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

/// 特定疾病療養受療証情報.
pub(crate) const SPECIFIC_DISEASE: &[Field] = &[
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

/// 医療券・調剤券情報 (医療扶助).
pub(crate) const MEDICAL_TICKET: &[Field] = &[
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
