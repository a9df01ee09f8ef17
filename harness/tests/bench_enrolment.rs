//! A bench card whose user-auth certificate comes from another CA than the test CA (as a real
//! test card's does), without pcscd: the enrolment read path runs against an in-process card
//! slot holding a virtual card whose profile carries a certificate of a CA made here; the
//! facility refuses the card by default (証明書の発行元エラー) and finds the person (有効) once the
//! bench's `[eligibility] auth_ca` and the card are enrolled. Refusals name the card's slot.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine as _;
use chrono::{NaiveDate, NaiveDateTime};
use harness::bench::{auth_ca_of, check_enrolment, read_cards};
use harness::config::workspace_root;
use harness::facility::{
    Accounts, FaceFailureStore, Facility, FacilityClock, FacilitySetup, ReaderSetup, ScenarioClock,
};
use harness::slots::InProcessSlot;
use harness_bench::config::BenchConfig;
use harness_eligibility::enrolment::{CardEnrolment, CardToEnrol};
use harness_eligibility::result_xml::ResultFileOptions;
use harness_reader::{ConsentWishes, Touch};
use harness_terminal::account::HashCost;
use harness_terminal::audit::MemoryAudit;
use harness_terminal::config::TerminalPolicy;
use harness_terminal::secret::Password;
use virtual_card::pki_issue::TestCa;

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
const BENCH_CA: &str = "CN=Bench Test Card CA,O=Example Test Authority,C=JP";
const CARD_SUBJECT: &str = "CN=BENCH0001,OU=User Authentication,O=Example Test Authority,C=JP";

fn bench_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| TestCa::generate(BENCH_CA, 11).expect("bench CA"))
}

fn fixtures() -> PathBuf {
    workspace_root().join("fixtures")
}

fn origin() -> NaiveDateTime {
    harness::features::world::scenario_origin().expect("origin")
}

/// `person`'s user-auth certificate from the bench CA, for the key of their fixture card.
fn bench_cert(person: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(fixtures().join(format!("pki/cards/{person}/auth.key.pem")))
        .expect("card key");
    let key = virtual_card::pki::private_key_from_pem(&pem).expect("key");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    bench_ca()
        .issue_auth_certificate(
            CARD_SUBJECT,
            &key.to_public_key(),
            &format!("bench/{person}"),
            day(2024, 4, 1),
            day(2029, 3, 31),
        )
        .expect("card certificate")
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A fixtures folder like the workspace's (people, faces, insurance, the test PKI), except that
/// yamada-taro's card profile takes its keys and certificates from `bench-pki/`, where its
/// user-auth certificate is the bench CA's; beside it a bench file with `[eligibility] auth_ca`
/// (PEM) naming yamada-taro's card (slot 1, physical) and nakamura-aoi's (slot 2, enrol = true).
struct BenchFixtures {
    dir: tempfile::TempDir,
    certificate: Vec<u8>,
}

impl BenchFixtures {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for shared in ["people.toml", "faces", "insurance", "pki"] {
            std::os::unix::fs::symlink(fixtures().join(shared), root.join(shared)).expect("link");
        }
        std::fs::create_dir_all(root.join("cards")).expect("cards");
        let profile = std::fs::read_to_string(fixtures().join("cards/yamada-taro.toml"))
            .expect("profile")
            .replace("\n[pins]", "pki = \"../bench-pki\"\n\n[pins]");
        std::fs::write(root.join("cards/yamada-taro.toml"), profile).expect("profile");
        let card_dir = root.join("bench-pki/cards/yamada-taro");
        std::fs::create_dir_all(&card_dir).expect("bench pki");
        let certificate = bench_cert("yamada-taro");
        std::fs::write(card_dir.join("auth.crt.der"), &certificate).expect("cert");
        std::fs::write(
            root.join("bench-pki/auth-ca.crt.der"),
            bench_ca().certificate_der(),
        )
        .expect("CA");
        let real = fixtures().join("pki");
        for (from, to) in [
            (
                "cards/yamada-taro/auth.key.pem",
                "cards/yamada-taro/auth.key.pem",
            ),
            (
                "cards/yamada-taro/sign.crt.der",
                "cards/yamada-taro/sign.crt.der",
            ),
            (
                "cards/yamada-taro/sign.key.pem",
                "cards/yamada-taro/sign.key.pem",
            ),
            ("sign-ca.crt.der", "sign-ca.crt.der"),
        ] {
            std::fs::copy(real.join(from), root.join("bench-pki").join(to)).expect("copy");
        }
        std::fs::write(
            root.join("bench-ca.pem"),
            pem("CERTIFICATE", bench_ca().certificate_der()),
        )
        .expect("CA PEM");
        let bench = format!(
            r#"
[fixture]
port = "/dev/null"
[[reader]]
role = 0
name = "{READER}"
station = 1
[[card]]
slot = 1
person = "yamada-taro"
profile = "cards/yamada-taro.toml"
[[card]]
slot = 2
person = "nakamura-aoi"
physical = false
enrol = true
[eligibility]
auth_ca = "bench-ca.pem"
"#
        );
        std::fs::write(root.join("bench.toml"), bench).expect("bench file");
        Self { dir, certificate }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn bench(&self) -> BenchConfig {
        BenchConfig::load(&self.root().join("bench.toml")).expect("bench file")
    }
}

fn facility(fixtures: &Path, work: &Path, enrolment: CardEnrolment) -> Facility {
    let state = work.join("card-state");
    std::fs::create_dir_all(&state).expect("state");
    Facility::new(FacilitySetup {
        fixtures: fixtures.to_path_buf(),
        readers: vec![ReaderSetup {
            name: READER.into(),
            slot: Box::new(InProcessSlot::new(&state)),
            consent_screens: None,
        }],
        accounts: Accounts {
            admin: Password::new("Admin-Test-2026"),
            general: Password::new("Staff-Test-2026"),
        },
        policy: TerminalPolicy {
            password_hash_cost: HashCost::Minimal,
            ..TerminalPolicy::default()
        },
        clock: FacilityClock::Scenario(ScenarioClock::new(origin())),
        results_dir: work.join("oqs"),
        result_options: ResultFileOptions::default(),
        audit: Box::new(MemoryAudit::default()),
        face_failures: FaceFailureStore::open(&state.join("face-failures.toml")).expect("store"),
        enrolment,
    })
    .expect("facility")
}

/// Yamada Taro's PIN visit with the bench card; the service's outcome, as the scenarios name it.
async fn pin_visit(facility: &mut Facility) -> String {
    let mut patient = facility.patient(0).expect("reader 0");
    patient.arrive("yamada-taro").expect("arrive");
    patient.place_card().await.expect("card placed");
    patient.touch(Touch::ChoosePin).expect("PIN route");
    patient.enter_pin("1234").expect("PIN");
    patient
        .answer_consents(ConsentWishes::all(true))
        .expect("consents");
    let outcome = facility
        .reader(0)
        .expect("reader 0")
        .history()
        .outcomes
        .last()
        .map(|o| o.label().to_owned())
        .expect("a check was made");
    facility.shutdown().await.expect("shutdown");
    outcome
}

#[tokio::test]
async fn a_card_of_the_bench_ca_is_read_in_process_enrolled_and_then_valid() {
    let fixtures = BenchFixtures::new();
    let work = tempfile::tempdir().expect("work");
    let config = fixtures.bench();
    assert_eq!(
        config.cards_to_enrol().map(|c| c.slot).collect::<Vec<_>>(),
        vec![1, 2]
    );

    // Not enrolled: the certificate does not chain to the test CA.
    let mut plain = facility(
        fixtures.root(),
        &work.path().join("plain"),
        CardEnrolment::default(),
    );
    assert_eq!(pin_visit(&mut plain).await, "証明書の発行元エラー");

    // The enrolment read path: the card laid on the slot, its certificate read, the card lifted.
    let yamada = config.card_for_person("yamada-taro").expect("slot 1");
    let read_state = work.path().join("read");
    std::fs::create_dir_all(&read_state).expect("state");
    let mut slot = InProcessSlot::new(&read_state);
    let cards = read_cards(&mut slot, [yamada]).await.expect("read");
    assert_eq!(
        cards,
        vec![CardToEnrol {
            person: "yamada-taro".into(),
            auth_certificate_der: fixtures.certificate.clone(),
        }]
    );
    assert!(!harness::facility::CardSlot::has_card(&slot));
    let enrolment = CardEnrolment {
        auth_ca: auth_ca_of(&config.eligibility).expect("CA from PEM"),
        cards,
    };
    assert_eq!(
        enrolment
            .auth_ca
            .as_ref()
            .map(|ca| ca.certificate_der.as_slice()),
        Some(bench_ca().certificate_der())
    );
    let enrolled =
        check_enrolment(fixtures.root(), &enrolment, &config.cards, &[origin()]).expect("enrolled");
    assert_eq!(enrolled.len(), 1);
    assert_eq!(enrolled[0].subject, CARD_SUBJECT);

    // Enrolled: the same card is valid, and its face failures are counted under it.
    let mut enrolled = facility(fixtures.root(), &work.path().join("enrolled"), enrolment);
    assert_eq!(enrolled.face_failures_of("yamada-taro").expect("count"), 0);
    assert_eq!(pin_visit(&mut enrolled).await, "有効");
}

#[test]
fn a_refused_card_stops_the_enrolment_naming_its_slot() {
    let fixtures = BenchFixtures::new();
    let config = fixtures.bench();
    let yamada = CardToEnrol {
        person: "yamada-taro".into(),
        auth_certificate_der: fixtures.certificate.clone(),
    };
    // Without [eligibility] the bench CA is not trusted.
    let untrusted = CardEnrolment {
        auth_ca: None,
        cards: vec![yamada.clone()],
    };
    let message = check_enrolment(fixtures.root(), &untrusted, &config.cards, &[origin()])
        .expect_err("not trusted")
        .to_string();
    assert!(message.contains("スロット1"), "{message}");
    assert!(message.contains("[eligibility] auth_ca"), "{message}");
    assert!(message.contains(CARD_SUBJECT), "{message}");
    // nakamura-aoi has no insurance record.
    let aoi = CardEnrolment {
        auth_ca: auth_ca_of(&config.eligibility).expect("CA"),
        cards: vec![
            yamada,
            CardToEnrol {
                person: "nakamura-aoi".into(),
                auth_certificate_der: bench_cert("nakamura-aoi"),
            },
        ],
    };
    let message = check_enrolment(fixtures.root(), &aoi, &config.cards, &[origin()])
        .expect_err("no record")
        .to_string();
    assert!(message.contains("スロット2"), "{message}");
    assert!(message.contains("保険の記録"), "{message}");
    assert!(message.contains("enrol = false"), "{message}");
    // Checked at every time given: a date past the certificate's end is refused.
    let late = NaiveDate::from_ymd_opt(2030, 1, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    let only_yamada = CardEnrolment {
        cards: aoi.cards[..1].to_vec(),
        ..aoi
    };
    let message = check_enrolment(
        fixtures.root(),
        &only_yamada,
        &config.cards,
        &[origin(), late],
    )
    .expect_err("expired by then")
    .to_string();
    assert!(
        message.contains("有効期限") && message.contains("2030-01-01"),
        "{message}"
    );
}
