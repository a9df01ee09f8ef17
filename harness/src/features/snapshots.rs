//! The screens of every step, checked against insta snapshots in
//! harness/snapshots/<feature>/<scenario>/<step>.snap.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Snapshot naming and checking for one scenario.
#[derive(Debug, Default)]
pub struct Snapshots {
    check: bool,
    feature: String,
    scenario: String,
    names: HashSet<String>,
}

impl Snapshots {
    /// Starts a scenario.
    pub fn begin(&mut self, feature_path: Option<&Path>, scenario: &str, check: bool) {
        self.feature = feature_path
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "feature".to_owned());
        self.scenario = scenario.to_owned();
        self.check = check;
        self.names.clear();
    }

    /// Both screens after a step.
    pub fn check_step(&mut self, step: &str, operator: Option<&str>, patient: Option<&str>) {
        if !self.check {
            return;
        }
        let name = self.unique_name(step);
        self.assert(&name, &screens_snapshot(operator, patient));
    }

    /// A snapshot named by the feature step (`…の画面として記録される`).
    pub fn check_named(&mut self, label: &str, body: &str) {
        if !self.check {
            return;
        }
        let name = self.unique_name(&format!("記録 {label}"));
        self.assert(&name, body);
    }

    /// The step's own text, with long PC/SC reader names cut to their number; a step that
    /// repeats word for word in one scenario gets "（2回目）".
    fn unique_name(&mut self, step: &str) -> String {
        let base = sanitize(&clip(&shorten_reader_names(step), 80));
        let mut name = base.clone();
        let mut occurrence = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}（{occurrence}回目）");
            occurrence += 1;
        }
        name
    }

    fn assert(&self, name: &str, body: &str) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(
            snapshot_root()
                .join(&self.feature)
                .join(sanitize(&clip(&shorten_reader_names(&self.scenario), 60))),
        );
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name.to_owned(), body));
    }
}

/// Both screens as one snapshot body.
pub fn screens_snapshot(operator: Option<&str>, patient: Option<&str>) -> String {
    format!(
        "[端末画面]\n{}\n\n[患者画面]\n{}\n",
        operator.unwrap_or("(ログインしていない)"),
        patient.unwrap_or("(なし)")
    )
}

fn snapshot_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots")
}

/// "Identiv CLOUD 3701 F Contactless Reader 0" → "Reader 0", to keep file names short.
fn shorten_reader_names(text: &str) -> String {
    text.replace("Identiv CLOUD 3701 F Contactless ", "")
}

fn clip(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// A file or folder name made from step, scenario or feature text (reader names shortened).
pub fn file_name(text: &str, max_chars: usize) -> String {
    sanitize(&clip(&shorten_reader_names(text), max_chars))
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '「' | '」' => '_',
            c if c.is_whitespace() => '_',
            c => c,
        })
        .collect()
}
