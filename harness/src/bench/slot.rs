//! A bench reader as the facility's [`CardSlot`]: the fixture lays the card, PC/SC shows it; the
//! PIN lock guard watches wrong PINs into the bench's cards and restores their counters.

use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use harness_bench::config::{BenchCard, ResolvedReader};
use harness_bench::guard::PinLockGuard;
use harness_bench::protocol::Power;
use harness_bench::slot::{BenchCardSlot, BenchError, BenchSlot, CardRef as BenchCardRef};
use harness_transport::CardChannel;
use virtual_card::PinId;

use super::clock::BenchClock;
use super::rig::BenchRig;
use crate::facility::{CardRef, CardSlot};

impl BenchRig {
    /// One slot per facility reader, by role (0, 1, …).
    pub fn slots(&self, count: usize) -> anyhow::Result<Vec<Box<dyn CardSlot>>> {
        anyhow::ensure!(
            count <= self.readers.len(),
            "このシナリオにはカードリーダーが{count}台必要ですが、ベンチには{}台しかありません",
            self.readers.len()
        );
        self.recover_if_needed()?;
        let mut readers = self.readers.clone();
        readers.sort_by_key(|r| r.role);
        readers
            .into_iter()
            .take(count)
            .map(|reader| open(self, reader))
            .collect()
    }
}

/// Opens the slot of one bench reader.
fn open(rig: &BenchRig, reader: ResolvedReader) -> anyhow::Result<Box<dyn CardSlot>> {
    let watch = (rig.watches)(&reader)?;
    let inner = BenchSlot::new(
        rig.fixture.clone(),
        reader.clone(),
        rig.config.cards.clone(),
        watch,
        Box::new(rig.clock.clone()),
    );
    Ok(Box::new(BenchReaderSlot {
        inner,
        reader,
        guard: rig.guard.clone(),
        camera_power: rig.config.capabilities.camera_power,
        camera_switched_off: false,
        reported_fault: None,
        spent: Vec::new(),
    }))
}

/// One bench reader.
struct BenchReaderSlot {
    inner: BenchSlot<BenchClock>,
    reader: ResolvedReader,
    guard: Arc<Mutex<PinLockGuard>>,
    camera_power: bool,
    /// The scenario switched the camera off (it is switched on again after the scenario).
    camera_switched_off: bool,
    /// The slot's fault last logged (`poll_removed` cannot return it).
    reported_fault: Option<String>,
    /// Cards that took wrong PINs in this scenario (restored after it).
    spent: Vec<BenchCard>,
}

impl BenchReaderSlot {
    fn side_channel(&mut self) -> anyhow::Result<Box<dyn CardChannel>> {
        let deadline = std::time::Instant::now() + self.reader.presence_timeout;
        loop {
            if let Some(channel) = self.inner.poll_side_channel()? {
                return Ok(channel);
            }
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "{}: カードへの2本目の通信路を開けません",
                self.reader.name
            );
        }
    }
}

fn bench_ref(card: &CardRef) -> BenchCardRef {
    BenchCardRef {
        person_id: card.holder_id.clone(),
        card_profile: card.profile.clone(),
    }
}

impl CardSlot for BenchReaderSlot {
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()> {
        self.inner.insert(&bench_ref(card))
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        self.inner.poll_inserted()
    }

    fn remove(&mut self) {
        self.inner.remove();
    }

    /// True once PC/SC shows the reader without a card. After a fault of the slot (fixture
    /// gone or confused, reader vanished) the fixture is not asked again: PC/SC alone says
    /// whether a card still lies there (a vanished reader has nothing left to wait for). The
    /// fault is logged here and returned by `after_scenario`.
    fn poll_removed(&mut self) -> bool {
        if self.inner.poll_removed() {
            return true;
        }
        let Some(fault) = self.inner.fault().map(str::to_owned) else {
            return false;
        };
        if self.reported_fault.as_deref() != Some(fault.as_str()) {
            tracing::error!(reader = %self.reader.name, %fault, "bench slot failed");
            self.reported_fault = Some(fault);
        }
        match self.inner.poll_side_channel() {
            Ok(None) => true,
            Ok(Some(_)) => false,
            Err(error) => {
                let gone = matches!(
                    error.downcast_ref::<BenchError>(),
                    Some(BenchError::ReaderVanished { .. })
                );
                tracing::error!(reader = %self.reader.name, error = %error, gone, "looking at the reader after a fault");
                gone
            }
        }
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        self.inner.poll_side_channel()
    }

    fn has_card(&self) -> bool {
        self.inner.has_card()
    }

    fn device_name(&self) -> Option<String> {
        Some(self.reader.name.clone())
    }

    /// A PIN that differs from the card's own (from its environment variable) is a wrong-PIN
    /// step: the guard reads the retry counter first and refuses a step that could lock the
    /// card, unless the bench file allows locking it.
    fn before_pin_entry(&mut self, digits: &str) -> anyhow::Result<()> {
        let card = self
            .inner
            .card_on_reader()
            .cloned()
            .ok_or_else(|| anyhow!("{}: カードが置かれていません", self.reader.name))?;
        let env = |var: &str| std::env::var(var).ok();
        let right = card.pin(PinId::JpkiAuth, &env).map_err(|e| {
            anyhow!("ベンチのカード（スロット{}）の暗証番号が分からないため、誤入力かどうか判断できません: {e}", card.slot)
        })?;
        if right.expose() == digits {
            return Ok(());
        }
        let mut channel = self.side_channel()?;
        let permit = self
            .guard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .before_wrong_pins(&card, PinId::JpkiAuth, 1, channel.as_mut())
            .map_err(|e| anyhow!("カードをロックするおそれがあるため中止しました: {e}"))?;
        tracing::info!(slot = %card.slot, tries_left = permit.tries_left, "wrong PIN step allowed by the guard");
        if !self.spent.iter().any(|c| c.slot == card.slot) {
            self.spent.push(card);
        }
        Ok(())
    }

    /// Restores the PIN counters of the cards that took wrong PINs, with the right PIN; the card
    /// is laid on the reader for it if it is not there.
    fn after_scenario(&mut self) -> anyhow::Result<()> {
        if let Some(fault) = self.inner.fault() {
            let unrestored: Vec<String> = self
                .spent
                .iter()
                .map(|c| format!("スロット{}", c.slot))
                .collect();
            let unrestored = if unrestored.is_empty() {
                String::new()
            } else {
                format!(
                    "（{} のカードは暗証番号を誤入力したまま、残り回数を戻していません）",
                    unrestored.join("、")
                )
            };
            anyhow::bail!(
                "{}: ベンチが止まりました（カードの状態を確かめてから治具を RESET してください）{unrestored}: {fault}",
                self.reader.name
            );
        }
        if self.camera_switched_off {
            self.inner
                .camera(Power::On)
                .map_err(|e| anyhow!("{}: カメラの電源を入れ直せません: {e}", self.reader.name))?;
            self.camera_switched_off = false;
        }
        let env = |var: &str| std::env::var(var).ok();
        for card in std::mem::take(&mut self.spent) {
            let laid_here = !self.inner.has_card();
            if laid_here {
                let profile = card.profile.clone().unwrap_or_default();
                self.inner.insert(&BenchCardRef {
                    person_id: card.person.clone(),
                    card_profile: profile,
                })?;
                let deadline = std::time::Instant::now() + self.reader.presence_timeout;
                while self.inner.poll_inserted()?.is_none() {
                    anyhow::ensure!(
                        std::time::Instant::now() < deadline,
                        "{}: 暗証番号の回数を戻すためのカードが検出されません",
                        self.reader.name
                    );
                }
            }
            let mut channel = self.side_channel()?;
            let restored = self
                .guard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .restore(&card, channel.as_mut(), &env)
                .map_err(|e| {
                    anyhow!(
                        "カード（スロット{}）の暗証番号の残り回数を戻せません: {e}",
                        card.slot
                    )
                })?;
            tracing::info!(slot = %card.slot, ?restored, "PIN counters restored");
            drop(channel);
            if laid_here {
                self.inner.remove();
                let deadline = std::time::Instant::now() + self.reader.presence_timeout;
                while !self.inner.poll_removed() {
                    anyhow::ensure!(
                        std::time::Instant::now() < deadline,
                        "{}: カードが離れません ({})",
                        self.reader.name,
                        self.inner.fault().unwrap_or("-")
                    );
                }
            }
        }
        Ok(())
    }

    fn set_camera_power(&mut self, on: bool) -> anyhow::Result<bool> {
        if !self.camera_power {
            return Ok(false);
        }
        self.inner.camera(if on { Power::On } else { Power::Off })?;
        self.camera_switched_off = !on;
        Ok(true)
    }

    fn camera_powered(&mut self) -> anyhow::Result<Option<bool>> {
        if !self.camera_power {
            return Ok(None);
        }
        Ok(match self.inner.camera_powered()? {
            harness_bench::answers::Sensed::Yes => Some(true),
            harness_bench::answers::Sensed::No => Some(false),
            harness_bench::answers::Sensed::Unknown => None,
        })
    }
}
