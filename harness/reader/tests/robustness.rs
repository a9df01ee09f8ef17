//! Card answers are never trusted: a card that truncates, corrupts or invents its answers ends a
//! visit with a defined result, never a panic, and the next visit on a sound card works.

mod common;

use common::*;
use harness_reader::{run_until_idle, ConsentWishes, Input, Output, Touch};
use harness_transport::{CardChannel, TransportError};
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use virtual_card::{Card, CardKind};

/// The real card's answers, damaged at random.
struct DamagingChannel {
    card: Card,
    rng: ChaCha20Rng,
    damaged: usize,
}

impl CardChannel for DamagingChannel {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(self.card.atr().to_vec())
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut response = self.card.execute(command);
        match self.rng.next_u32() % 10 {
            0 => {
                let keep = self.rng.next_u32() as usize % (response.len() + 1);
                response.truncate(keep);
            }
            1 => {
                let len = self.rng.next_u32() as usize % 300;
                response = (0..len).map(|_| self.rng.next_u32() as u8).collect();
            }
            2 if !response.is_empty() => {
                let at = self.rng.next_u32() as usize % response.len();
                response[at] ^= 1 << (self.rng.next_u32() % 8);
            }
            3 => {
                self.damaged += 1;
                return Err(TransportError::Other("line noise".into()));
            }
            _ => return Ok(response),
        }
        self.damaged += 1;
        Ok(response)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reset();
        Ok(())
    }
}

/// Feeds `input` through the damaging channel; the face-failure store answers with 0.
fn pump(bench: &mut Bench, channel: &mut DamagingChannel, outputs: &mut Vec<Output>, input: Input) {
    let mut pending = vec![input];
    while let Some(input) = pending.pop() {
        let pumped = run_until_idle(&mut bench.reader, channel, input, bench.now);
        for output in &pumped.outputs {
            if let Output::NeedFaceFailures(card) = output {
                pending.push(Input::FaceFailures {
                    card: *card,
                    count: 0,
                });
            }
        }
        outputs.extend(pumped.outputs);
    }
}

#[test]
fn damaged_card_answers_end_in_a_defined_state() {
    let data = card_data(CardKind::Standard);
    let mut damaged_total = 0;
    let mut visits_ended = 0;
    for seed in 0..80u64 {
        let mut bench = Bench::new(CardKind::Standard);
        let mut channel = DamagingChannel {
            card: Card::new(&data),
            rng: ChaCha20Rng::seed_from_u64(seed),
            damaged: 0,
        };
        let mut outputs = Vec::new();
        // A patient who tries face, then the PIN, then consents, whatever the reader shows.
        let script = [
            Input::CardPlaced,
            Input::Touch(Touch::ChooseFace),
            Input::CardFaceScanned(Ok(printed_face(CardKind::Standard))),
            Input::Challenge(CHALLENGE.to_vec()),
            Input::CameraFrames(frames(STRANGER)),
            Input::Touch(Touch::ChoosePin),
            Input::PinEntered(harness_reader::Pin::new(AUTH_PIN)),
            Input::Challenge(CHALLENGE.to_vec()),
        ];
        for input in script {
            pump(&mut bench, &mut channel, &mut outputs, input);
        }
        let screens = bench.consent_screens;
        for touch in harness_reader::consent_touches(screens, ConsentWishes::all(true)) {
            pump(&mut bench, &mut channel, &mut outputs, Input::Touch(touch));
        }
        pump(
            &mut bench,
            &mut channel,
            &mut outputs,
            Input::ServiceAnswer(harness_reader::ServiceAnswer::Accepted),
        );
        let results = outputs
            .iter()
            .filter(|o| matches!(o, Output::Result(_)))
            .count();
        assert!(results <= 1, "seed {seed}: {results} results for one visit");
        // Whatever happened, the patient walking away ends the visit.
        bench.now += std::time::Duration::from_secs(3600);
        pump(&mut bench, &mut channel, &mut outputs, Input::Tick);
        let results = outputs
            .iter()
            .filter(|o| matches!(o, Output::Result(_)))
            .count();
        assert_eq!(
            results, 1,
            "seed {seed}: the visit must end with one result"
        );
        assert!(bench.reader.is_idle(), "seed {seed}");
        visits_ended += 1;
        damaged_total += channel.damaged;

        // The next visit with a sound card completes.
        pump(&mut bench, &mut channel, &mut outputs, Input::CardRemoved);
        bench.channel.present = true;
        bench.send(Input::CardPlaced);
        bench.touch(Touch::ChoosePin);
        bench.type_pin(AUTH_PIN);
        bench.give_challenge();
        bench.consent([true; 4]);
        bench.accept();
        let result = bench.last_result();
        assert!(
            result.is_completed(),
            "seed {seed}: next visit {:?}",
            result.outcome
        );
    }
    assert_eq!(visits_ended, 80);
    // Each of the 80 visits met damage about once before it ended.
    assert!(damaged_total >= 70, "only {damaged_total} answers damaged");
}
