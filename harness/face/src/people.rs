//! The people fixtures (fixtures/people.toml) as far as faces are concerned.

use serde::Deserialize;

use crate::synth::{FaceIdentity, Sex};

/// A calendar date (facility local), enough to compute ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Whole years from `birth` to `self`.
    pub fn years_since(&self, birth: &Date) -> i32 {
        let mut years = self.year - birth.year;
        if (self.month, self.day) < (birth.month, birth.day) {
            years -= 1;
        }
        years
    }

    /// Age in fractional years (months counted), for rendering.
    pub fn age_years(&self, birth: &Date) -> f32 {
        let months = (self.year - birth.year) * 12 + self.month as i32
            - birth.month as i32
            - i32::from(self.day < birth.day);
        months.max(0) as f32 / 12.0
    }
}

/// The date the committed fixtures were generated for (ages are computed on it).
pub const FIXTURE_DATE: Date = Date {
    year: 2026,
    month: 11,
    day: 25,
};

/// One person from fixtures/people.toml (face-relevant fields only).
#[derive(Debug, Clone, PartialEq)]
pub struct FixturePerson {
    pub id: String,
    pub sex: Sex,
    pub birth: Date,
    pub face_seed: u64,
    /// How old the person looked on the card photo, when it is older than the card.
    pub photo_age_years: Option<f32>,
}

#[derive(Deserialize)]
struct PeopleFile {
    #[serde(default)]
    person: Vec<RawPerson>,
}

#[derive(Deserialize)]
struct RawPerson {
    id: String,
    sex: Sex,
    birth: String,
    face_seed: u64,
    photo_age_years: Option<f32>,
}

/// Errors reading the people fixtures.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("people.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("person {id}: bad birth date {birth:?}")]
    Birth { id: String, birth: String },
}

/// Parses the text of fixtures/people.toml.
pub fn parse_people(text: &str) -> Result<Vec<FixturePerson>, PeopleError> {
    let file: PeopleFile = toml::from_str(text)?;
    file.person
        .into_iter()
        .map(|p| {
            let birth = Date::parse(&p.birth).ok_or_else(|| PeopleError::Birth {
                id: p.id.clone(),
                birth: p.birth.clone(),
            })?;
            Ok(FixturePerson {
                id: p.id,
                sex: p.sex,
                birth,
                face_seed: p.face_seed,
                photo_age_years: p.photo_age_years,
            })
        })
        .collect()
}

impl FixturePerson {
    /// The person's face identity.
    pub fn identity(&self) -> FaceIdentity {
        FaceIdentity::from_seed(self.face_seed, self.sex)
    }

    /// Age on `today`, in years (fractional).
    pub fn age_on(&self, today: &Date) -> f32 {
        today.age_years(&self.birth)
    }

    /// The age shown on the card photo, or None when the card has no photo
    /// (cards of children under 1 carry none).
    pub fn card_photo_age(&self, today: &Date) -> Option<f32> {
        if today.years_since(&self.birth) < 1 {
            return None;
        }
        Some(self.photo_age_years.unwrap_or_else(|| self.age_on(today)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages() {
        let birth = Date::parse("2019-05-05").expect("date");
        assert_eq!(FIXTURE_DATE.years_since(&birth), 7);
        assert!((FIXTURE_DATE.age_years(&birth) - 7.5).abs() < 0.1);
        assert_eq!(Date::parse("2019-13-01"), None);
        assert_eq!(Date::parse("nonsense"), None);
    }

    #[test]
    fn infants_under_one_have_no_card_photo() {
        let text = r#"
            [[person]]
            id = "baby"
            sex = "male"
            birth = "2026-03-01"
            face_seed = 1

            [[person]]
            id = "child"
            sex = "female"
            birth = "2019-05-05"
            face_seed = 2
            photo_age_years = 1
        "#;
        let people = parse_people(text).expect("parses");
        assert_eq!(people[0].card_photo_age(&FIXTURE_DATE), None);
        assert_eq!(people[1].card_photo_age(&FIXTURE_DATE), Some(1.0));
        assert!(parse_people("person = 3").is_err());
    }
}
