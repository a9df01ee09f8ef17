//! Tests of the element tables: the code meanings cover exactly the code lists they explain and
//! read as the code tables say.

use super::*;

/// Every element of the tables with its code list, if it holds a code.
fn coded_fields(fields: &'static [Field], out: &mut Vec<(&'static str, &'static [&'static str])>) {
    for field in fields {
        match field.content {
            Content::Value(Shape::Code(codes)) => out.push((field.name, codes)),
            Content::Value(_) => {}
            Content::Group(inner) | Content::List { fields: inner, .. } => coded_fields(inner, out),
        }
    }
}

#[test]
fn meanings_cover_exactly_the_code_lists_they_explain() {
    let mut coded = Vec::new();
    coded_fields(HEADER, &mut coded);
    coded_fields(BODY, &mut coded);
    let mut explained = 0;
    for (element, codes) in coded {
        let known: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|code| meaning_of(element, code).is_some())
            .collect();
        if known.is_empty() {
            // Code lists without published meanings (資格喪失事由, 未就学区分, …).
            continue;
        }
        explained += 1;
        for code in codes {
            let unnamed = (element, *code) == ("InsuredCardClassification", "A1");
            assert_eq!(
                meaning_of(element, code).is_some(),
                !unnamed,
                "{element} {code}"
            );
        }
        // No meaning for a code the list does not allow.
        for stray in ["", "00", "8", "99", "X"] {
            if !codes.contains(&stray) {
                assert_eq!(meaning_of(element, stray), None, "{element} {stray:?}");
            }
        }
    }
    // ReferenceClassification, SegmentOfResult, ProcessingResultStatus,
    // CharacterCodeIdentifier, QualificationValidity, InsuredCardClassification,
    // PersonalFamilyClassification, Sex1, Sex2, LimitApplicationCertificateRelatedConsFlg,
    // its Classification(Flag), SpecificDiseasesCertificateRelatedConsFlg, four viewing
    // consents, PrescriptionIssueSelect twice, and the search info's consent flag.
    assert!(explained >= 18, "{explained} coded elements explained");
}

#[test]
fn meanings_read_as_the_code_tables_say() {
    assert_eq!(
        meaning_of("QualificationValidity", "4"),
        Some("該当資格なし")
    );
    assert_eq!(
        meaning_of("PharmacistsInfoConsFlg", "2"),
        Some("同意有効期限切れ")
    );
    assert_eq!(
        meaning_of("LimitApplicationCertificateRelatedConsFlg", "0"),
        Some("未同意")
    );
    assert_eq!(meaning_of("Sex1", "2"), Some("女"));
    assert_eq!(
        meaning_of("CharacterCodeIdentifier", "1"),
        Some("Shift_JIS")
    );
    assert_eq!(meaning_of("Name", "1"), None);
    assert_eq!(label_of("QualificationValidity"), Some("資格有効性"));
    assert_eq!(
        label_of("PharmacistsInfoConsFlg"),
        Some("薬剤情報閲覧同意フラグ")
    );
}
