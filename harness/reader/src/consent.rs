//! The consent screens (同意の選択) as a small sub-machine: touches in, the next screen or the
//! patient's [`Consents`] out. Which screens are shown is the dated setting [`ConsentScreens`]
//! (sources there).
//!
//! What each flow fills in [`Consents`] (`None`: the screens in force did not ask the item):
//!
//! | field               | before 2024-10-07 (one item per screen) | since 2024-10-07, 全て同意する | since, 個別に同意する |
//! |---------------------|------------------------|---------------|----------------------------|
//! | `medication`        | 薬剤情報 screen        | given         | 診療・薬剤情報 screen      |
//! | `diagnosis`         | 診療情報 screen        | given         | 診療・薬剤情報 screen      |
//! | `operation`         | 手術情報 screen        | given         | 手術情報 screen            |
//! | `health_checkups`   | 特定健診情報 screen    | given         | 特定健診等情報 screen      |
//! | `limit_application` | 限度額情報 screen      | `None`        | `None`                     |
//!
//! Why: 全て同意する is one consent to every item the screens would ask (the 包括同意 of the
//! 2024-09-30 医療保険部会), so each item gets it, at the time of that one touch. 診療・薬剤情報 is
//! one screen for two items (DESIGN.md §1), so its answer goes to both. 限度額 is no longer asked
//! since 2024-10-07 (its provision is laid down by law, 医療保険部会 2024-02-29 資料1 p.21): the
//! reader has no answer to report, so the field stays `None` and the result file writer decides
//! what the receipt system sees.

use chrono::NaiveDateTime;
use harness_eligibility::protocol::{Consent, Consents};

use crate::screen::PatientScreen;
use crate::vocab::{ConsentItem, ConsentScreens, Touch};

/// Where the patient is on the consent screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// ［全て同意する］ / ［個別に同意する］ (since 2024-10-07).
    Choice,
    /// The item screen at this index of [`ConsentScreens::items`].
    Item(usize),
}

/// What a consent touch led to.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsentStep {
    /// The next consent screen.
    Show(PatientScreen),
    /// Every screen is answered.
    Done(Consents),
}

/// The consent screens of one visit.
#[derive(Debug, Clone)]
pub struct ConsentFlow {
    screens: ConsentScreens,
    stage: Stage,
    answers: Vec<(ConsentItem, Consent)>,
}

impl ConsentFlow {
    /// The flow and its first screen.
    pub fn start(screens: ConsentScreens) -> (Self, PatientScreen) {
        let stage = match screens {
            ConsentScreens::AllOrIndividual => Stage::Choice,
            ConsentScreens::PerItemWithLimit => Stage::Item(0),
        };
        let flow = Self {
            screens,
            stage,
            answers: Vec::new(),
        };
        let screen = flow.screen();
        (flow, screen)
    }

    /// The screen for the current stage.
    pub fn screen(&self) -> PatientScreen {
        match self.stage {
            Stage::Choice => PatientScreen::ConsentChoice,
            Stage::Item(index) => {
                let items = self.screens.items();
                // The index only ever points into `items` (see `on_touch`).
                let item = items.get(index).copied().unwrap_or(ConsentItem::Operation);
                PatientScreen::ConsentItem {
                    screens: self.screens,
                    item,
                    number: index + 1,
                    of: items.len(),
                }
            }
        }
    }

    /// Takes a touch made at `at`; `None` when the touch is not an answer on the current screen
    /// (the reader refuses touches the screen does not show before they get here).
    pub fn on_touch(&mut self, touch: Touch, at: NaiveDateTime) -> Option<ConsentStep> {
        let items = self.screens.items();
        match (self.stage, touch) {
            (Stage::Choice, Touch::ConsentAll) => {
                let given = Consent { given: true, at };
                self.answers = items.iter().map(|item| (*item, given)).collect();
                Some(ConsentStep::Done(self.consents()))
            }
            (Stage::Choice, Touch::ConsentIndividually) => {
                self.stage = Stage::Item(0);
                Some(ConsentStep::Show(self.screen()))
            }
            (Stage::Item(index), Touch::Consent { item, given })
                if items.get(index) == Some(&item) =>
            {
                self.answers.push((item, Consent { given, at }));
                if index + 1 < items.len() {
                    self.stage = Stage::Item(index + 1);
                    Some(ConsentStep::Show(self.screen()))
                } else {
                    Some(ConsentStep::Done(self.consents()))
                }
            }
            _ => None,
        }
    }

    fn consents(&self) -> Consents {
        let mut consents = Consents {
            medication: None,
            health_checkups: None,
            diagnosis: None,
            operation: None,
            limit_application: None,
        };
        for (item, answer) in &self.answers {
            let answer = Some(*answer);
            match item {
                ConsentItem::Medication => consents.medication = answer,
                ConsentItem::HealthCheckups => consents.health_checkups = answer,
                ConsentItem::Diagnosis => consents.diagnosis = answer,
                ConsentItem::Operation => consents.operation = answer,
                ConsentItem::LimitApplication => consents.limit_application = answer,
                ConsentItem::DiagnosisAndMedication => {
                    consents.diagnosis = answer;
                    consents.medication = answer;
                }
            }
        }
        consents
    }
}

/// What a patient means to answer, item by item, whatever screens are in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentWishes {
    /// 薬剤情報.
    pub medication: bool,
    /// 特定健診(等)情報.
    pub health_checkups: bool,
    /// 診療情報.
    pub diagnosis: bool,
    /// 手術情報.
    pub operation: bool,
    /// 限度額情報 (asked only before 2024-10-07).
    pub limit_application: bool,
}

impl ConsentWishes {
    /// The same answer for every item.
    pub fn all(given: bool) -> Self {
        Self {
            medication: given,
            health_checkups: given,
            diagnosis: given,
            operation: given,
            limit_application: given,
        }
    }

    fn wants(self, item: ConsentItem) -> bool {
        match item {
            ConsentItem::Medication => self.medication,
            ConsentItem::HealthCheckups => self.health_checkups,
            ConsentItem::Diagnosis => self.diagnosis,
            ConsentItem::Operation => self.operation,
            ConsentItem::LimitApplication => self.limit_application,
            // One answer for two items: given only when the patient wants both shared.
            ConsentItem::DiagnosisAndMedication => self.diagnosis && self.medication,
        }
    }
}

/// The touches a patient with these wishes makes on `screens`: 全て同意する when every item asked
/// is wished, otherwise 個別に同意する and one answer per screen (since 2024-10-07); one answer
/// per screen before.
pub fn consent_touches(screens: ConsentScreens, wishes: ConsentWishes) -> Vec<Touch> {
    let items = screens.items();
    let answers = items.iter().map(|item| Touch::Consent {
        item: *item,
        given: wishes.wants(*item),
    });
    match screens {
        ConsentScreens::PerItemWithLimit => answers.collect(),
        ConsentScreens::AllOrIndividual => {
            if items.iter().all(|item| wishes.wants(*item)) {
                vec![Touch::ConsentAll]
            } else {
                std::iter::once(Touch::ConsentIndividually)
                    .chain(answers)
                    .collect()
            }
        }
    }
}
