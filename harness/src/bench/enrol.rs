//! Enrolling the bench's cards (カードの登録), once, before the first scenario: the fixture lays
//! each card with `enrol = true` on the reader of role 0, the harness reads its user-auth
//! certificate without a PIN (the reader's own probe, [`auth_certificate`]) and lifts it off; the
//! certificates are checked as every scenario's eligibility service will register them
//! ([`eligibility_service`]: chains to `[eligibility] auth_ca` or the test CA, valid, not
//! revoked, the person insured). A refusal stops the run before any scenario and names the slot.
//! Each scenario's facility then gets the same [`CardEnrolment`] (`BenchRig::enrolment`).
//!
//! Why before the first scenario and not at a card's first placement: a card that cannot be
//! enrolled (wrong CA, expired, unknown person) would otherwise surface as a failed scenario in
//! the middle of a run, looking like a fault of the reader under test; and a scenario's outcome
//! must not depend on whether an earlier scenario happened to lay the same card first.
//!
//! Only the certificate's subject and serial are ever logged or shown.

use std::path::Path;

use anyhow::{anyhow, Context as _};
use chrono::NaiveDateTime;
use harness_bench::config::{BenchCard, EligibilitySettings};
use harness_eligibility::enrolment::{
    CardEnrolment, CardToEnrol, EnrolFailure, EnrolledCard, EnrolmentError, ExtraAuthCa,
};
use harness_eligibility::pki::der_from_der_or_pem;

use super::rig::BenchRig;
use crate::card_queries::auth_certificate;
use crate::facility::{eligibility_service, put_on, take_off, CardRef, CardSlot};

/// The CA of `[eligibility]` read from its files (DER or PEM); `None` when the bench file names
/// none (the test CA only).
pub fn auth_ca_of(settings: &EligibilitySettings) -> anyhow::Result<Option<ExtraAuthCa>> {
    let read = |key: &str, path: &Path| -> anyhow::Result<Vec<u8>> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("[eligibility] {key} {} を読めません", path.display()))?;
        der_from_der_or_pem(&bytes)
            .map_err(|e| anyhow!("[eligibility] {key} {}: {e}", path.display()))
    };
    let Some(ca) = &settings.auth_ca else {
        return Ok(None);
    };
    Ok(Some(ExtraAuthCa {
        certificate_der: read("auth_ca", ca)?,
        crl_der: settings
            .auth_crl
            .as_deref()
            .map(|crl| read("auth_crl", crl))
            .transpose()?,
    }))
}

/// Lays each card on `slot` in turn, reads its user-auth certificate (no PIN) and takes it off
/// again; a card that cannot be read is an error naming its slot (after it was taken off).
pub async fn read_cards<'a>(
    slot: &mut dyn CardSlot,
    cards: impl IntoIterator<Item = &'a BenchCard>,
) -> anyhow::Result<Vec<CardToEnrol>> {
    let mut read = Vec::new();
    for card in cards {
        let reference = CardRef {
            holder_id: card.person.clone(),
            profile: card.profile.clone().unwrap_or_default(),
        };
        let certificate = match put_on(slot, &reference).await {
            Ok(mut channel) => auth_certificate(channel.as_mut()),
            Err(error) => Err(error),
        };
        let lifted = take_off(slot).await;
        let certificate = certificate.with_context(|| {
            format!(
                "ベンチのカード（スロット{}、{}）の利用者証明用電子証明書を読めません",
                card.slot, card.person
            )
        })?;
        lifted.with_context(|| format!("ベンチのカード（スロット{}）を戻せません", card.slot))?;
        read.push(CardToEnrol {
            person: card.person.clone(),
            auth_certificate_der: certificate,
        });
    }
    Ok(read)
}

/// Checks `enrolment` at each of `times` (JST) the way each scenario's facility will apply it;
/// a refused card is an error naming its slot among `cards`. Returns what was enrolled.
pub fn check_enrolment(
    fixtures: &Path,
    enrolment: &CardEnrolment,
    cards: &[BenchCard],
    times: &[NaiveDateTime],
) -> anyhow::Result<Vec<EnrolledCard>> {
    let mut enrolled = Vec::new();
    for at in times {
        let (_service, cards_enrolled) =
            eligibility_service(fixtures, enrolment, *at).map_err(|error| {
                let (slot, hint) = match error.downcast_ref::<EnrolmentError>() {
                    Some(EnrolmentError::Card(card)) => (
                        cards
                            .iter()
                            .find(|c| c.person == card.person)
                            .map(|c| format!("スロット{}の", c.slot)),
                        hint(&card.reason),
                    ),
                    _ => (None, ""),
                };
                anyhow!(
                    "ベンチの{}カードを資格確認サービスに登録できないため、シナリオを始めません\
                     （{at} JST の時点）: {error:#}{hint}",
                    slot.unwrap_or_default()
                )
            })?;
        enrolled = cards_enrolled;
    }
    Ok(enrolled)
}

/// What the bench team can do about a refused card.
fn hint(reason: &EnrolFailure) -> &'static str {
    match reason {
        EnrolFailure::Untrusted { .. } => {
            "（カードを発行した認証局の証明書をベンチファイルの [eligibility] auth_ca に指定してください）"
        }
        EnrolFailure::Expired { .. }
        | EnrolFailure::NotYetValid { .. }
        | EnrolFailure::Revoked
        | EnrolFailure::UnknownPerson => {
            "（シナリオで拒否される・該当資格なしとなるはずのカードなら、その [[card]] に enrol = false）"
        }
        EnrolFailure::Malformed(_) | EnrolFailure::OtherHolder(_) => "",
    }
}

impl BenchRig {
    /// Enrols the bench's cards (`enrol = true`) before the first scenario: reads each card's
    /// user-auth certificate on the reader of role 0 and checks it at each of `times` (the
    /// machine's time and the scenarios' start). Every scenario's facility then registers them.
    pub async fn enrol_cards(
        &mut self,
        fixtures: &Path,
        times: &[NaiveDateTime],
    ) -> anyhow::Result<Vec<EnrolledCard>> {
        let auth_ca = auth_ca_of(&self.config.eligibility)?;
        let to_enrol: Vec<BenchCard> = self.config.cards_to_enrol().cloned().collect();
        let cards = if to_enrol.is_empty() {
            Vec::new()
        } else {
            let mut slots = self.slots(1)?;
            let slot = slots
                .first_mut()
                .ok_or_else(|| anyhow!("ベンチにカードリーダーがありません"))?;
            read_cards(slot.as_mut(), &to_enrol).await?
        };
        let enrolment = CardEnrolment { auth_ca, cards };
        let enrolled = check_enrolment(fixtures, &enrolment, &self.config.cards, times)?;
        for card in &enrolled {
            let slot = self.config.card_for_person(&card.person).map(|c| c.slot);
            tracing::info!(?slot, person = %card.person, subject = %card.subject, serial = %card.serial, "bench card enrolled");
        }
        self.enrolment = enrolment;
        Ok(enrolled)
    }

    /// The bench's cards and their CA as each scenario's eligibility service registers them
    /// (empty until [`BenchRig::enrol_cards`]).
    pub fn enrolment(&self) -> &CardEnrolment {
        &self.enrolment
    }
}
