//! Insurance records (保険資格) held by the mock service, and the lookups on them.
//!
//! Pure: records come in as TOML text (see `fixtures/insurance/records.toml`), lookups take `today`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 本人・家族の別 (PersonalFamilyClassification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FamilyClassification {
    /// 本人: the insured person (code 1).
    Insured,
    /// 家族: a dependant (code 2).
    Family,
}

impl FamilyClassification {
    /// The code of the result file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Insured => "1",
            Self::Family => "2",
        }
    }
}

/// 性別 (Sex1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// 男 (code 1)
    Male,
    /// 女 (code 2)
    Female,
    /// 未設定 (code 3)
    Unset,
}

impl Sex {
    /// The code of the result file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "1",
            Self::Female => "2",
            Self::Unset => "3",
        }
    }
}

/// One insurance qualification of one person, as the insurer registered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsuranceRecord {
    /// The person's `id` in `fixtures/people.toml`.
    pub person: String,
    /// 被保険者証区分 (InsuredCardClassification), e.g. "01" 一般.
    pub insured_card_classification: String,
    /// 保険者番号 (InsurerNumber): 8 digits, or 6 for 国民健康保険.
    pub insurer_number: String,
    /// 被保険者証記号 (InsuredCardSymbol); may be empty (後期高齢者医療).
    pub insured_card_symbol: String,
    /// 被保険者証番号 (InsuredIdentificationNumber).
    pub insured_identification_number: String,
    /// 枝番 (InsuredBranchNumber): two digits, leading zeros kept.
    pub insured_branch_number: String,
    /// 本人・家族の別.
    pub personal_family_classification: FamilyClassification,
    /// 被保険者氏名 (InsuredName): the insured person's (or household head's) name.
    pub insured_name: String,
    /// 氏名 (Name), family and given name separated by a full-width space.
    pub name: String,
    /// 氏名カナ (NameKana).
    pub name_kana: String,
    /// 性別.
    pub sex: Sex,
    /// 生年月日 (Birthdate).
    pub birth: NaiveDate,
    /// 住所 (Address).
    pub address: String,
    /// 郵便番号 (PostNumber), "123-4567".
    pub post_code: String,
    /// 資格取得年月日 (QualificationDate).
    pub qualification_date: NaiveDate,
    /// 資格喪失日: the first day without this qualification. Not an element of the result file.
    #[serde(default)]
    pub qualification_end: Option<NaiveDate>,
    /// 交付年月日 (InsuredCertificateIssuanceDate).
    pub certificate_issuance_date: NaiveDate,
    /// 有効開始年月日 (InsuredCardValidDate).
    pub card_valid_date: NaiveDate,
    /// 有効終了年月日 (InsuredCardExpirationDate), if the card has one.
    #[serde(default)]
    pub card_expiration_date: Option<NaiveDate>,
    /// 一部負担金割合 (InsuredPartialContributionRatio): "030" = 3割, "020", "010".
    pub contribution_ratio: String,
    /// 保険者名称 (InsurerName).
    pub insurer_name: String,
}

impl InsuranceRecord {
    /// True when the qualification holds on `today`.
    pub fn is_active_on(&self, today: NaiveDate) -> bool {
        self.qualification_date <= today
            && self.qualification_end.is_none_or(|end| today < end)
            && self.card_expiration_date.is_none_or(|last| today <= last)
    }

    fn check(&self, index: usize) -> Result<(), RecordsError> {
        let bad = |field: &'static str, value: &str| RecordsError::BadField {
            index,
            person: self.person.clone(),
            field,
            value: value.to_owned(),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if self.person.is_empty() {
            return Err(bad("person", &self.person));
        }
        if !(digits(&self.insurer_number) && matches!(self.insurer_number.len(), 6 | 8)) {
            return Err(bad("insurer_number", &self.insurer_number));
        }
        if !(digits(&self.insured_branch_number) && self.insured_branch_number.len() == 2) {
            return Err(bad("insured_branch_number", &self.insured_branch_number));
        }
        if !(digits(&self.insured_card_classification)
            && self.insured_card_classification.len() == 2)
        {
            return Err(bad(
                "insured_card_classification",
                &self.insured_card_classification,
            ));
        }
        if self.insured_identification_number.is_empty() {
            return Err(bad(
                "insured_identification_number",
                &self.insured_identification_number,
            ));
        }
        if !matches!(self.contribution_ratio.as_str(), "010" | "020" | "030") {
            return Err(bad("contribution_ratio", &self.contribution_ratio));
        }
        let post = self.post_code.as_bytes();
        let post_ok = post.len() == 8
            && post.iter().enumerate().all(|(i, b)| match i {
                3 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !post_ok {
            return Err(bad("post_code", &self.post_code));
        }
        if !self.name.contains('\u{3000}') {
            return Err(bad("name", &self.name));
        }
        if let Some(end) = self.qualification_end {
            if end <= self.qualification_date {
                return Err(bad("qualification_end", &end.to_string()));
            }
        }
        Ok(())
    }
}

/// 資格有効性 (QualificationValidity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QualificationValidity {
    /// 1 有効
    Valid,
    /// 2 無効
    Invalid,
    /// 3 無効（新しい資格あり）
    InvalidNewerExists,
    /// 4 該当資格なし
    NotFound,
    /// 5 複数該当: several qualifications match a request (OQSCD006).
    Multiple,
}

impl QualificationValidity {
    /// The code of the result file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "1",
            Self::Invalid => "2",
            Self::InvalidNewerExists => "3",
            Self::NotFound => "4",
            Self::Multiple => "5",
        }
    }

    /// The Japanese label (有効 / 無効 / 無効（新しい資格あり） / 該当資格なし / 複数該当).
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "有効",
            Self::Invalid => "無効",
            Self::InvalidNewerExists => "無効（新しい資格あり）",
            Self::NotFound => "該当資格なし",
            Self::Multiple => "複数該当",
        }
    }
}

/// The answer of a lookup: the validity and the records it is about (none for 該当資格なし,
/// several for 複数該当).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    /// 資格有効性.
    pub validity: QualificationValidity,
    /// The records.
    pub records: Vec<InsuranceRecord>,
}

impl Qualification {
    /// 該当資格なし: no record.
    pub fn not_found() -> Self {
        Self {
            validity: QualificationValidity::NotFound,
            records: Vec::new(),
        }
    }

    /// The (first) record.
    pub fn record(&self) -> Option<&InsuranceRecord> {
        self.records.first()
    }
}

/// A request's search keys (QualificationConfirmSearchInfo): the numbers on an insurance card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSearch {
    /// InsurerNumber
    pub insurer_number: String,
    /// InsuredCardSymbol (may be empty)
    pub insured_card_symbol: String,
    /// InsuredIdentificationNumber
    pub insured_identification_number: String,
    /// InsuredBranchNumber (as given, leading zeros kept; empty: not given, any branch matches)
    pub insured_branch_number: String,
    /// Birthdate
    pub birth: NaiveDate,
}

/// Errors in the records file.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// Not valid TOML or not the expected shape.
    #[error("insurance records are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// A field has a value outside its format.
    #[error("insurance record {index} (person {person}): bad {field} {value:?}")]
    BadField {
        /// Position in the file (0-based).
        index: usize,
        /// The record's person.
        person: String,
        /// Field name.
        field: &'static str,
        /// The offending value.
        value: String,
    },
    /// Two records carry the same card numbers.
    #[error("insurance records {first} and {second} carry the same card numbers")]
    DuplicateCard {
        /// First record (0-based).
        first: usize,
        /// Second record (0-based).
        second: usize,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsFile {
    #[serde(default)]
    record: Vec<InsuranceRecord>,
}

/// All insurance records the service knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsuranceBook {
    records: Vec<InsuranceRecord>,
}

impl InsuranceBook {
    /// Parses and validates `records.toml` text.
    pub fn from_toml(text: &str) -> Result<Self, RecordsError> {
        let file: RecordsFile = toml::from_str(text)?;
        Self::new(file.record)
    }

    /// Validates and holds `records`.
    pub fn new(records: Vec<InsuranceRecord>) -> Result<Self, RecordsError> {
        for (index, record) in records.iter().enumerate() {
            record.check(index)?;
            for (first, other) in records.iter().enumerate().take(index) {
                if same_card(other, record) {
                    return Err(RecordsError::DuplicateCard {
                        first,
                        second: index,
                    });
                }
            }
        }
        Ok(Self { records })
    }

    /// Every record, in file order.
    pub fn records(&self) -> &[InsuranceRecord] {
        &self.records
    }

    /// The person's qualification on `date` (資格確認日), for a card check: the newest record by
    /// `qualification_date` acquired by then (有効 or 無効 on `date`), or 該当資格なし when the
    /// person had none.
    pub fn for_person(&self, person: &str, date: NaiveDate) -> Qualification {
        let newest = self
            .records
            .iter()
            .filter(|r| r.person == person && r.qualification_date <= date)
            .max_by_key(|r| r.qualification_date);
        match newest {
            None => Qualification::not_found(),
            Some(record) => Qualification {
                validity: if record.is_active_on(date) {
                    QualificationValidity::Valid
                } else {
                    QualificationValidity::Invalid
                },
                records: vec![record.clone()],
            },
        }
    }

    /// A request by insurance-card numbers, on `date` (資格確認日): the matching record's validity
    /// on that date; 3 無効（新しい資格あり） when it ended and the same person holds a newer record
    /// active then; 5 複数該当 with every match when the request leaves out the branch number
    /// (枝番) and several family members share the card's numbers; 4 該当資格なし otherwise.
    pub fn by_card(&self, search: &CardSearch, date: NaiveDate) -> Qualification {
        let found: Vec<&InsuranceRecord> = self
            .records
            .iter()
            .filter(|r| {
                r.insurer_number == search.insurer_number
                    && r.insured_card_symbol == search.insured_card_symbol
                    && r.insured_identification_number == search.insured_identification_number
                    && (search.insured_branch_number.is_empty()
                        || r.insured_branch_number == search.insured_branch_number)
                    && r.birth == search.birth
            })
            .collect();
        let record = match found.as_slice() {
            [] => return Qualification::not_found(),
            [one] => *one,
            several => {
                return Qualification {
                    validity: QualificationValidity::Multiple,
                    records: several.iter().map(|r| (*r).clone()).collect(),
                }
            }
        };
        let validity = if record.is_active_on(date) {
            QualificationValidity::Valid
        } else if self.records.iter().any(|other| {
            other.person == record.person
                && other.qualification_date > record.qualification_date
                && other.is_active_on(date)
        }) {
            QualificationValidity::InvalidNewerExists
        } else {
            QualificationValidity::Invalid
        };
        Qualification {
            validity,
            records: vec![record.clone()],
        }
    }
}

fn same_card(a: &InsuranceRecord, b: &InsuranceRecord) -> bool {
    a.insurer_number == b.insurer_number
        && a.insured_card_symbol == b.insured_card_symbol
        && a.insured_identification_number == b.insured_identification_number
        && a.insured_branch_number == b.insured_branch_number
}
