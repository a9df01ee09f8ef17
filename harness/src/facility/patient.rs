//! The patient's role at one reader: stand there with a card, place it, take it off, touch the
//! screen, enter the PIN. What the camera sees is set here too (it films whoever stands there).

use anyhow::anyhow;
use harness_reader::{ConsentWishes, Input, Pin, Touch};

use super::engine::Facility;
use super::events::EventKind;
use super::slot::{put_on, take_off};
use super::station::{CameraCondition, Visitor};

/// The patient at one reader.
pub struct PatientRole<'a> {
    facility: &'a mut Facility,
    index: usize,
}

impl Facility {
    /// The patient at reader `index`.
    pub fn patient(&mut self, index: usize) -> anyhow::Result<PatientRole<'_>> {
        anyhow::ensure!(
            index < self.stations.len(),
            "カードリーダー #{index} はありません"
        );
        Ok(PatientRole::new(self, index))
    }
}

impl<'a> PatientRole<'a> {
    pub(super) fn new(facility: &'a mut Facility, index: usize) -> Self {
        Self { facility, index }
    }

    /// `person` (name or id) comes to the reader with their own card.
    pub fn arrive(&mut self, person: &str) -> anyhow::Result<()> {
        let id = self.facility.directory.find(person)?.id.clone();
        self.arrive_with_card_of(&id, &id)
    }

    /// `person` comes to the reader carrying the card of `holder` (a third party's card when
    /// they differ: the case the procedure sheet warns about).
    pub fn arrive_with_card_of(&mut self, person: &str, holder: &str) -> anyhow::Result<()> {
        let person_id = self.facility.directory.find(person)?.id.clone();
        let holder_id = self.facility.directory.find(holder)?.id.clone();
        let card = self.facility.directory.card_of(&holder_id)?;
        self.facility.station_mut(self.index)?.visitor = Some(Visitor { person_id, card });
        // A new person at this reader: what staff looked at and judged was someone else.
        self.facility.desk.forget_reader(self.index);
        Ok(())
    }

    /// The patient walks over from another reader, with the same card in hand.
    pub fn come_from(&mut self, other: usize) -> anyhow::Result<()> {
        let visitor = self
            .facility
            .station_mut(other)?
            .visitor
            .take()
            .ok_or_else(|| anyhow!("カードリーダー #{other} の前に患者はいません"))?;
        self.facility.station_mut(self.index)?.visitor = Some(visitor);
        Ok(())
    }

    /// Sets what the reader's camera shows. Where a fixture switches the camera's power, a
    /// missing camera is made for real (power off) and any scene powers it on again.
    pub fn set_camera(&mut self, camera: CameraCondition) -> anyhow::Result<()> {
        let station = self.facility.station_mut(self.index)?;
        let power = !matches!(
            camera,
            CameraCondition::Fault(harness_face::camera::DeviceFault::Missing)
        );
        station.slot.set_camera_power(power)?;
        station.camera = camera;
        Ok(())
    }

    /// The patient places their card on the reader.
    pub async fn place_card(&mut self) -> anyhow::Result<()> {
        self.facility.clock.patient_pause();
        let index = self.index;
        let card = self
            .facility
            .station(index)?
            .visitor
            .as_ref()
            .map(|v| v.card.clone())
            .ok_or_else(|| anyhow!("カードリーダーの前に患者がいません"))?;
        if let Some(other) = self.facility.stations.iter().position(|s| {
            s.card_on_reader
                .as_ref()
                .is_some_and(|c| c.reference == card.reference)
        }) {
            anyhow::bail!("このカードはカードリーダー #{other} に置かれたままです");
        }
        let station = self.facility.station_mut(index)?;
        anyhow::ensure!(
            station.channel.is_none(),
            "カードリーダー「{}」には別のカードが置かれています",
            station.name
        );
        let mut channel = put_on(station.slot.as_mut(), &card.reference).await?;
        let atr = channel.atr().ok();
        let device = station.slot.device_name();
        let reader = station.name.clone();
        station.channel = Some(channel);
        station.card_on_reader = Some(card);
        self.facility.record(EventKind::CardPlaced {
            reader,
            device,
            atr,
        });
        self.facility.feed(index, Input::CardPlaced)
    }

    /// The patient takes the card off the reader.
    pub async fn remove_card(&mut self) -> anyhow::Result<()> {
        self.facility.clock.patient_pause();
        let station = self.facility.station_mut(self.index)?;
        station.channel = None;
        station.card_on_reader = None;
        take_off(station.slot.as_mut()).await?;
        self.facility.feed(self.index, Input::CardRemoved)
    }

    /// The patient presses the button labelled `label` on the reader's screen. A label the
    /// screen does not show is refused and changes nothing.
    pub fn press(&mut self, label: &str) -> anyhow::Result<()> {
        let screen = self.facility.station(self.index)?.reader.screen().clone();
        let touch = screen.button(label).ok_or_else(|| {
            let shown: Vec<String> = screen.buttons().into_iter().map(|(l, _)| l).collect();
            anyhow!(
                "患者画面に「{label}」ボタンはありません（表示中: {}）",
                shown.join("、")
            )
        })?;
        self.touch(touch)
    }

    /// The patient touches the screen; the reader refuses a touch on a button it does not show.
    pub fn touch(&mut self, touch: Touch) -> anyhow::Result<()> {
        self.facility.clock.patient_pause();
        self.facility.station_mut(self.index)?.refusals.clear();
        self.facility.feed(self.index, Input::Touch(touch))?;
        match self.facility.station_mut(self.index)?.refusals.pop() {
            Some(refused) => Err(anyhow!("カードリーダーが操作を受け付けません: {refused}")),
            None => Ok(()),
        }
    }

    /// The patient enters the whole PIN and presses OK.
    pub fn enter_pin(&mut self, digits: &str) -> anyhow::Result<()> {
        self.facility.clock.patient_pause();
        self.facility
            .station_mut(self.index)?
            .slot
            .before_pin_entry(digits)?;
        self.facility
            .feed(self.index, Input::PinEntered(Pin::new(digits)))
    }

    /// User-auth PIN tries left on the patient's card, asked of the card itself (SELECT JPKI AP,
    /// SELECT EF 0018, VERIFY without data → 63Cx). Through a second channel while the card lies
    /// on the reader; otherwise the card is laid on the reader for the question and taken off.
    pub async fn card_auth_tries_left(&mut self) -> anyhow::Result<u8> {
        let station = self.facility.station_mut(self.index)?;
        let card = station
            .visitor
            .as_ref()
            .map(|v| v.card.reference.clone())
            .ok_or_else(|| anyhow!("カードリーダーの前に患者がいません"))?;
        let had_card = station.slot.has_card();
        if !had_card {
            drop(put_on(station.slot.as_mut(), &card).await?);
        }
        let slot = station.slot.as_mut();
        let mut channel =
            super::slot::await_some("カードに2本目の通信路を開けません", || {
                slot.poll_side_channel()
            })
            .await?;
        let tries = crate::card_queries::auth_pin_tries_left(channel.as_mut());
        drop(channel);
        if !had_card {
            take_off(station.slot.as_mut()).await?;
        }
        tries
    }
}

impl PatientRole<'_> {
    /// The patient answers the consent screens in force on this reader as `wishes` say: on the
    /// current screens 「全て同意する」 when every item is wished, else 「個別に同意する」 and one
    /// answer per screen; before 2024-10-07 one answer per item screen.
    pub fn answer_consents(&mut self, wishes: ConsentWishes) -> anyhow::Result<()> {
        let screens = self.facility.station(self.index)?.reader.consent_screens();
        for touch in harness_reader::consent_touches(screens, wishes) {
            self.touch(touch)?;
        }
        Ok(())
    }
}
