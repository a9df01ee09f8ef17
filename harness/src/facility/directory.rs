//! Who can come to the counter: the people of fixtures/people.toml and their cards, read once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use chrono::{Datelike as _, NaiveDate};
use harness_face::camera::Subject;
use harness_face::people::{Date, FixturePerson};
use harness_face::synth::Sex;
use virtual_card::profile::{LoadedProfile, People, Person, PersonSex};

use super::slot::CardRef;

/// The people fixtures and where their cards are.
#[derive(Debug, Clone)]
pub struct Directory {
    fixtures: PathBuf,
    people: People,
}

/// A person's card, loaded (printed face data, photo, certificates).
#[derive(Clone)]
pub struct Card {
    /// Whose card it is and which profile the virtual card runs.
    pub reference: CardRef,
    /// The loaded profile.
    pub loaded: Arc<LoadedProfile>,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("holder", &self.reference.holder_id)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// Reads fixtures/people.toml under `fixtures`.
    pub fn load(fixtures: &Path) -> anyhow::Result<Self> {
        let path = fixtures.join("people.toml");
        let people =
            People::load(&path).with_context(|| format!("{} を読めません", path.display()))?;
        Ok(Self {
            fixtures: fixtures.to_path_buf(),
            people,
        })
    }

    /// The fixtures folder.
    pub fn fixtures(&self) -> &Path {
        &self.fixtures
    }

    /// Every person, in file order.
    pub fn people(&self) -> &[Person] {
        &self.people.people
    }

    /// A person by id.
    pub fn person(&self, id: &str) -> anyhow::Result<&Person> {
        self.people
            .get(id)
            .ok_or_else(|| anyhow!("人物 {id:?} は fixtures/people.toml にいません"))
    }

    /// A person by the name written in the features (spaces ignored) or by id.
    pub fn find(&self, name_or_id: &str) -> anyhow::Result<&Person> {
        let wanted = without_spaces(name_or_id);
        self.people
            .people
            .iter()
            .find(|p| p.id == name_or_id || without_spaces(&p.name) == wanted)
            .ok_or_else(|| anyhow!("人物 {name_or_id:?} は fixtures/people.toml にいません"))
    }

    /// The card of a person (fixtures/cards/<id>.toml).
    pub fn card_of(&self, person_id: &str) -> anyhow::Result<Card> {
        let profile = self
            .fixtures
            .join("cards")
            .join(format!("{person_id}.toml"));
        let loaded = virtual_card::profile::load(&profile)
            .with_context(|| format!("カード {} を読めません", profile.display()))?;
        Ok(Card {
            reference: CardRef {
                holder_id: person_id.to_owned(),
                profile,
            },
            loaded: Arc::new(loaded),
        })
    }

    /// The person's face as the camera emulator draws it on `today`.
    pub fn face_subject(&self, person_id: &str, today: NaiveDate) -> anyhow::Result<Subject> {
        let person = self.face_person(person_id)?;
        Ok(Subject {
            identity: person.identity(),
            age_years: person.age_on(&face_date(today)),
        })
    }

    /// The person's face fixture (seed, sex, birth, photo age).
    pub fn face_person(&self, person_id: &str) -> anyhow::Result<FixturePerson> {
        let person = self.person(person_id)?;
        Ok(FixturePerson {
            id: person.id.clone(),
            sex: match person.sex {
                PersonSex::Male => Sex::Male,
                PersonSex::Female => Sex::Female,
            },
            birth: face_date(person.birth),
            face_seed: person.face_seed,
            photo_age_years: person.photo_age_years.map(|years| years as f32),
        })
    }
}

fn face_date(date: NaiveDate) -> Date {
    Date {
        year: date.year(),
        month: date.month(),
        day: date.day(),
    }
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
