use std::path::Path;

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn parse(text: &str) -> Result<BenchConfig, ConfigError> {
    BenchConfig::from_toml_str(text, &fixtures().join("bench"))
}

fn problems(text: &str) -> Vec<Problem> {
    match parse(text) {
        Err(ConfigError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

const MINIMAL: &str = r#"
[fixture]
port = "/dev/pts/7"
[[reader]]
role = 0
name = "Virtual PCD 0 00 00"
station = 1
"#;

#[test]
fn the_commented_example_loads() {
    let config = BenchConfig::load(&fixtures().join("bench/example.toml")).expect("example");
    assert_eq!(config.name, "counter-1");
    assert_eq!(config.serial.port, "/dev/ttyACM0");
    assert_eq!(config.serial.open_settle, Duration::from_secs(2));
    assert_eq!(config.readers.len(), 2);
    assert_eq!(config.cards.len(), 3);
    let yamada = config.card_for_person("yamada-taro").expect("card");
    assert_eq!(yamada.slot, 1);
    assert!(!yamada.allow_pin_lock);
    assert_eq!(
        yamada.pin_env.get(&PinId::JpkiAuth).map(String::as_str),
        Some("BENCH_SLOT1_AUTH_PIN")
    );
    assert!(config.capabilities.place_cards && !config.capabilities.face_display);
    assert_eq!(config.safety, SafetyLimits::default());
    // [eligibility]: paths from the bench file's folder; physical cards enrol unless told not to.
    let bench = fixtures().join("bench");
    assert_eq!(
        config.eligibility,
        EligibilitySettings {
            auth_ca: Some(bench.join("../pki/auth-ca.crt.der")),
            auth_crl: Some(bench.join("../pki/auth-ca.crl.der")),
        }
    );
    let enrolled: Vec<Slot> = config.cards_to_enrol().map(|c| c.slot).collect();
    assert_eq!(enrolled, vec![1, 2]);
}

#[test]
fn defaults_fill_a_minimal_file() {
    let config = parse(MINIMAL).expect("minimal");
    assert_eq!(config.serial, SerialSettings::new("/dev/pts/7"));
    assert_eq!(config.timeouts, Timeouts::default());
    assert_eq!(config.readers[0].presence_timeout, Duration::from_secs(5));
    assert_eq!(config.capabilities, Capabilities::default());
    assert!(config.cards.is_empty());
}

#[test]
fn unknown_keys_and_wrong_types_are_syntax_errors() {
    for text in [
        format!("{MINIMAL}\n[safety]\nmax_wrong_pins = 3\n"),
        format!("{MINIMAL}\n[[card]]\nslot = 1\nperson = \"yamada-taro\"\npin = \"1234\"\n"),
        format!("{MINIMAL}\n[[card]]\nslot = 1\nperson = \"yamada-taro\"\n[card.pin_env]\npuk = \"X\"\n"),
        MINIMAL.replace("station = 1", "station = \"one\""),
        "[[reader]]\nrole = 0\nname = \"x\"\nstation = 1\n".to_owned(),
    ] {
        assert!(
            matches!(parse(&text), Err(ConfigError::Syntax { .. })),
            "{text}"
        );
    }
}

#[test]
fn every_problem_is_reported_typed() {
    let text = r#"
[fixture]
port = " "
baud = 300
data_bits = 9
quick_timeout_ms = 0
[[reader]]
role = 0
name = "A"
pattern = "B*"
station = 1
[[reader]]
role = 0
pattern = "[x"
station = 1
[[card]]
slot = 0
person = "Yamada"
[[card]]
slot = 2
person = "yamada-taro"
profile = "../cards/sato-hanako.toml"
[card.pin_env]
jpki-auth = "1234"
text-pin = "bench pin"
text-match-a = "X"
[[card]]
slot = 2
person = "yamada-taro"
profile = "../cards/nobody.toml"
[safety]
min_tries_left_before_wrong_pin = 0
"#;
    let got = problems(text);
    let expect = [
        Problem::EmptyPort,
        Problem::BadBaud(300),
        Problem::LineSetting {
            key: "data_bits",
            value: 9,
        },
        Problem::ZeroTimeout("quick_timeout_ms"),
        Problem::NameOrPattern(0),
        Problem::DuplicateRole(0),
        Problem::BadStation(1),
        Problem::BadSlot(0),
        Problem::BadPerson {
            slot: 0,
            person: "Yamada".into(),
        },
        Problem::ProfilePerson {
            slot: 2,
            person: "yamada-taro".into(),
            profile_person: "sato-hanako".into(),
        },
        Problem::PinInFile {
            slot: 2,
            pin: "jpki-auth".into(),
        },
        Problem::BadEnvName {
            slot: 2,
            pin: "text-pin".into(),
            name: "bench pin".into(),
        },
        Problem::NotAPin {
            slot: 2,
            pin: PinId::TextMatchA,
        },
        Problem::BadSlot(2),
        Problem::DuplicatePerson("yamada-taro".into()),
        Problem::MinTriesZero,
    ];
    for problem in &expect {
        assert!(got.contains(problem), "missing {problem:?} in {got:#?}");
    }
    assert!(got
        .iter()
        .any(|p| matches!(p, Problem::BadPattern { role: 0, .. })));
    assert!(got
        .iter()
        .any(|p| matches!(p, Problem::Profile { slot: 2, .. })));
    assert_eq!(got.len(), expect.len() + 2, "{got:#?}");
    let message = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("looks like a PIN itself"), "{message}");
    assert!(
        !message.contains("1234"),
        "the PIN-like value is not echoed: {message}"
    );
}

#[test]
fn place_cards_without_cards_is_a_problem() {
    assert_eq!(
        problems(&format!("{MINIMAL}\n[capabilities]\nplace_cards = true\n")),
        vec![Problem::NoCards]
    );
    assert_eq!(
        problems("[fixture]\nport = \"/dev/x\"\n"),
        vec![Problem::NoReaders]
    );
}

#[test]
fn readers_resolve_to_exactly_one_pcsc_name_each() {
    let config = parse(
        r#"
[fixture]
port = "/dev/pts/7"
[[reader]]
role = 1
pattern = "Virtual PCD 0 00 0[1]"
station = 2
[[reader]]
role = 0
name = "Virtual PCD 0 00 00"
station = 1
"#,
    )
    .expect("config");
    let available = vec![
        "Virtual PCD 0 00 00".to_owned(),
        "Virtual PCD 0 00 01".to_owned(),
    ];
    let resolved = config.resolve_readers(&available).expect("resolve");
    assert_eq!(
        resolved
            .iter()
            .map(|r| (r.role, r.name.as_str(), r.station))
            .collect::<Vec<_>>(),
        vec![(0, "Virtual PCD 0 00 00", 1), (1, "Virtual PCD 0 00 01", 2)]
    );
    assert!(matches!(
        config.resolve_readers(&available[..1]),
        Err(ReaderResolveError::NotFound { role: 1, .. })
    ));

    let loose = parse(&MINIMAL.replace(
        "name = \"Virtual PCD 0 00 00\"",
        "pattern = \"Virtual PCD *\"",
    ))
    .expect("config");
    assert!(matches!(
        loose.resolve_readers(&available),
        Err(ReaderResolveError::Ambiguous { role: 0, ref matches, .. }) if matches.len() == 2
    ));

    let twice = parse(
        r#"
[fixture]
port = "/dev/pts/7"
[[reader]]
role = 0
name = "Virtual PCD 0 00 00"
station = 1
[[reader]]
role = 1
pattern = "* 00 00"
station = 2
"#,
    )
    .expect("config");
    assert!(matches!(
        twice.resolve_readers(&available),
        Err(ReaderResolveError::SameReader {
            first: 0,
            second: 1,
            ..
        })
    ));
}

#[test]
fn pins_come_from_the_environment_and_are_checked_and_redacted() {
    let config = BenchConfig::load(&fixtures().join("bench/example.toml")).expect("example");
    let yamada = config.card_for_person("yamada-taro").expect("card");
    let env = |var: &str| match var {
        "BENCH_SLOT1_AUTH_PIN" => Some("1234".to_owned()),
        "BENCH_SLOT1_TEXT_PIN" => Some("12a4".to_owned()),
        _ => None,
    };
    let pin = yamada.pin(PinId::JpkiAuth, &env).expect("pin");
    assert_eq!(pin.expose(), "1234");
    assert_eq!(format!("{pin:?}"), "***");
    let error = yamada.pin(PinId::TextPin, &env).expect_err("format");
    assert!(matches!(error, PinSourceError::Format { .. }));
    assert!(!error.to_string().contains("12a4"), "{error}");
    assert!(matches!(
        yamada.pin(PinId::JpkiSign, &env),
        Err(PinSourceError::NotConfigured { .. })
    ));
    assert!(matches!(
        yamada.pin(PinId::JpkiAuth, &|_| Some(String::new())),
        Err(PinSourceError::Unset { .. })
    ));
}

#[test]
fn skip_reasons_follow_the_capabilities() {
    let mut config = BenchConfig::load(&fixtures().join("bench/example.toml")).expect("example");
    assert_eq!(config.skip_reason(&["visual-check"]), None);
    assert!(config
        .skip_reason(&["simulated-only"])
        .is_some_and(|r| r.starts_with("simulated-only")));
    assert!(config.skip_reason(&["needs-face-camera"]).is_some());
    assert_eq!(config.skip_reason(&["needs-camera-power"]), None);
    assert!(config.skip_reason(&["locks-pin"]).is_some());
    config.cards[0].allow_pin_lock = true;
    config.capabilities.face_display = true;
    assert_eq!(
        config.skip_reason(&["locks-pin", "needs-face-camera"]),
        None
    );
}

#[test]
fn the_simulated_bench_file_loads_and_names_every_fixture_person() {
    let config = BenchConfig::load(&fixtures().join("bench/sim.toml")).expect("sim bench");
    assert_eq!(config.readers.len(), 2);
    assert_eq!(config.cards.len(), 9);
    assert!(config
        .cards
        .iter()
        .all(|c| !c.allow_pin_lock && !c.physical));
    let text = std::fs::read_to_string(fixtures().join("people.toml")).expect("people");
    let people = virtual_card::profile::People::from_toml_str(&text).expect("people");
    for person in &people.people {
        assert!(
            config.card_for_person(&person.id).is_some(),
            "{}",
            person.id
        );
    }
}

#[test]
fn eligibility_keys_resolve_from_the_bench_file_and_enrol_defaults_to_physical() {
    let text = format!(
        r#"{MINIMAL}
[eligibility]
auth_ca = "../pki/auth-ca.crt.der"
auth_crl = "../pki/auth-ca.crl.der"
[[card]]
slot = 1
person = "yamada-taro"
[[card]]
slot = 2
person = "sato-hanako"
physical = false
[[card]]
slot = 3
person = "suzuki-haruto"
enrol = false
[[card]]
slot = 4
person = "tanaka-yuki"
physical = false
enrol = true
"#
    );
    let config = parse(&text).expect("bench file");
    assert_eq!(
        config.eligibility.auth_ca,
        Some(fixtures().join("bench/../pki/auth-ca.crt.der"))
    );
    assert_eq!(
        config.eligibility.auth_crl,
        Some(fixtures().join("bench/../pki/auth-ca.crl.der"))
    );
    let enrol: Vec<(Slot, bool)> = config.cards.iter().map(|c| (c.slot, c.enrol)).collect();
    assert_eq!(enrol, vec![(1, true), (2, false), (3, false), (4, true)]);
    assert_eq!(config.cards_to_enrol().count(), 2);
    // No [eligibility]: the test CA only, nothing configured.
    let plain = parse(MINIMAL).expect("minimal");
    assert_eq!(plain.eligibility, EligibilitySettings::default());
}

#[test]
fn eligibility_problems_are_reported_typed() {
    // A CRL without its CA; files that are not there.
    let text = format!("{MINIMAL}\n[eligibility]\nauth_crl = \"../pki/auth-ca.crl.der\"\n");
    assert_eq!(problems(&text), vec![Problem::CrlWithoutCa]);
    let text = format!(
        "{MINIMAL}\n[eligibility]\nauth_ca = \"no-such-ca.der\"\nauth_crl = \"no-such.crl\"\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(matches!(
        &found[0],
        Problem::EligibilityFile { key: "auth_ca", path, .. } if path.ends_with("no-such-ca.der")
    ));
    assert!(matches!(
        &found[1],
        Problem::EligibilityFile {
            key: "auth_crl",
            ..
        }
    ));
    assert!(found[0].to_string().starts_with("[eligibility] auth_ca = "));
    // Unknown keys and wrong types stay syntax errors.
    for text in [
        format!("{MINIMAL}\n[eligibility]\nauth_ca_pem = \"x.pem\"\n"),
        format!("{MINIMAL}\n[eligibility]\nauth_ca = 1\n"),
        format!("{MINIMAL}\n[[card]]\nslot = 1\nperson = \"yamada-taro\"\nenrol = \"yes\"\n"),
        format!("{MINIMAL}\n[[card]]\nslot = 1\nperson = \"yamada-taro\"\nenroll = true\n"),
    ] {
        assert!(
            matches!(parse(&text), Err(ConfigError::Syntax { .. })),
            "{text}"
        );
    }
}
