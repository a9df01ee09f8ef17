//! The serve configuration as a file (TOML), and that its Debug output hides the passwords.

use harness_terminal::web::WebConfig;
use harness_terminal::{AccountKind, AutoReturnPolicy, Terminal, TerminalPolicy};
use rand::rngs::StdRng;
use rand::SeedableRng;

const CONFIG: &str = r#"
audit_path = "/var/tmp/terminal-audit.jsonl"

[terminal]
facility_name = "サンプル医療機関"
readers = ["Identiv CLOUD 3701 F Contactless Reader 0", "Identiv CLOUD 3701 F Contactless Reader 1"]

[[terminal.accounts]]
user_id = "admin"
kind = "admin"
password = "very-secret-admin-password"

[[terminal.accounts]]
user_id = "reception"
kind = "general"
password = "very-secret-general-password"

[terminal.policy]
max_failed_logins = 3
auto_return = { after_minutes = 10 }
switch_back_warning = true
"#;

#[test]
fn web_config_parses_from_toml_with_defaults() {
    let config: WebConfig = toml::from_str(CONFIG).unwrap();
    assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.terminal.accounts[1].kind, AccountKind::General);
    assert_eq!(
        config.terminal.policy,
        TerminalPolicy {
            max_failed_logins: 3,
            auto_return: AutoReturnPolicy::AfterMinutes(10),
            switch_back_warning: true,
            ..TerminalPolicy::default()
        }
    );
    let shown = format!("{config:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    let terminal = Terminal::new(&config.terminal, StdRng::seed_from_u64(9)).unwrap();
    let shown = format!("{terminal:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(!shown.contains("$argon2"), "{shown}");
}

#[test]
fn policy_names_parse() {
    for (text, policy) in [
        (r#"auto_return = "manual""#, AutoReturnPolicy::Manual),
        (
            r#"auto_return = "after_patient""#,
            AutoReturnPolicy::AfterPatient,
        ),
        (
            "auto_return = { after_minutes = 3 }",
            AutoReturnPolicy::AfterMinutes(3),
        ),
    ] {
        let parsed: TerminalPolicy = toml::from_str(text).unwrap();
        assert_eq!(parsed.auto_return, policy, "{text}");
    }
    // The harness extensions are off unless asked for (the real terminal has neither).
    let defaults: TerminalPolicy = toml::from_str("").unwrap();
    assert_eq!(defaults.auto_return, AutoReturnPolicy::Manual);
    assert!(!defaults.switch_back_warning);
}

#[test]
fn duplicate_accounts_or_readers_are_refused() {
    let mut config: WebConfig = toml::from_str(CONFIG).unwrap();
    config.terminal.accounts[1].user_id = "admin".into();
    assert!(Terminal::new(&config.terminal, StdRng::seed_from_u64(9)).is_err());
    let mut config: WebConfig = toml::from_str(CONFIG).unwrap();
    config
        .terminal
        .readers
        .push(config.terminal.readers[0].clone());
    assert!(Terminal::new(&config.terminal, StdRng::seed_from_u64(9)).is_err());
}
