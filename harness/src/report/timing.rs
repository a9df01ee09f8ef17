//! The timing report of a run over `--repeat N` repetitions (bench runs above all): per step
//! and per APDU command, p50/p95/max of how long they took; the devices the cards were seen on
//! (the reader's own PC/SC name and the card's ATR); the scenarios not run on the bench and why;
//! and the APDU trace with timestamps. Written beside the HTML report as `timing.json` and
//! `timing.html`, and as a short table for the terminal.
//!
//! Secrets never appear: commands are named by `card_protocol::Command` and shown as hex with
//! the data of VERIFY and CHANGE REFERENCE DATA masked
//! (`card_protocol::trace::masked_command_hex`); of a response only its length and status word.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;

use super::escape::html_escape;
use super::records::{totals, ScenarioRecord, StepStatus};

/// p50, p95 and maximum of a set of durations (nearest-rank percentiles), in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// How many samples.
    pub count: usize,
    /// Median.
    pub p50_us: u64,
    /// 95th percentile.
    pub p95_us: u64,
    /// Largest.
    pub max_us: u64,
}

impl Spread {
    /// The spread of `samples` (`None` when there are none).
    pub fn of(samples: &[Duration]) -> Option<Spread> {
        let mut sorted: Vec<Duration> = samples.to_vec();
        sorted.sort();
        let count = sorted.len();
        let rank = |p: f64| -> u64 {
            // Nearest rank: the smallest sample with at least p of the samples at or below it.
            let index = ((p * count as f64).ceil() as usize).clamp(1, count) - 1;
            sorted.get(index).map_or(0, micros)
        };
        (count > 0).then(|| Spread {
            count,
            p50_us: rank(0.50),
            p95_us: rank(0.95),
            max_us: sorted.last().map_or(0, micros),
        })
    }
}

fn micros(duration: &Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Timing of one step text over every run (passed steps only).
#[derive(Debug, Clone, Serialize)]
pub struct StepTiming {
    /// Keyword and text, as in the feature.
    pub step: String,
    /// How long it took.
    #[serde(flatten)]
    pub spread: Spread,
}

/// Timing of one card command over every run: how long the card took to answer it.
#[derive(Debug, Clone, Serialize)]
pub struct CommandTiming {
    /// The command's name (ISO/IEC 7816-4), e.g. `READ BINARY`.
    pub command: String,
    /// How long the answer took.
    #[serde(flatten)]
    pub spread: Spread,
}

/// A device a card was seen on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSeen {
    /// The reader as the terminal shows it.
    pub reader: String,
    /// The device's own PC/SC name (none in-process).
    pub device: Option<String>,
    /// The card's ATR in hex.
    pub atr: Option<String>,
    /// How many times a card was placed there.
    pub placed: usize,
}

/// One exchange of the APDU trace.
#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry {
    /// Which repetition (1, 2, …).
    pub run: usize,
    /// Feature name.
    pub feature: String,
    /// Scenario name.
    pub scenario: String,
    /// When it was sent: the facility's time since the scenario started, in milliseconds.
    pub at_ms: f64,
    /// Reader.
    pub reader: String,
    /// The command's name.
    pub command: String,
    /// The command in hex, VERIFY and CHANGE REFERENCE DATA data masked.
    pub command_hex: String,
    /// The status word in hex (`9000`), when the card answered.
    pub status: Option<String>,
    /// Response data bytes (the data itself is not kept).
    pub response_len: usize,
    /// The channel's error, when the card did not answer.
    pub error: Option<String>,
    /// How long the answer took, in microseconds.
    pub took_us: u64,
}

/// A scenario left out of the run.
#[derive(Debug, Clone, Serialize)]
pub struct NotRun {
    /// Feature name.
    pub feature: String,
    /// Scenario name.
    pub scenario: String,
    /// Why (Japanese).
    pub reason: String,
}

/// Outcome counts of one repetition.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunCounts {
    /// Which repetition (1, 2, …).
    pub run: usize,
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
}

/// The whole timing report.
#[derive(Debug, Clone, Serialize)]
pub struct TimingReport {
    /// Where it ran (transport or bench).
    pub setup: String,
    /// Each repetition's counts.
    pub runs: Vec<RunCounts>,
    /// Per step text, in order of first appearance.
    pub steps: Vec<StepTiming>,
    /// Per card command, in order of first appearance.
    pub commands: Vec<CommandTiming>,
    /// Devices the cards were seen on.
    pub devices: Vec<DeviceSeen>,
    /// Scenarios not run, with the reason.
    pub not_run: Vec<NotRun>,
    /// Every exchange of every repetition.
    pub trace: Vec<TraceEntry>,
}

/// The name of the command in `bytes` (never its data): the parsed command's, else the
/// instruction's, else the INS byte.
pub fn command_name(bytes: &[u8]) -> String {
    match card_protocol::Command::parse(bytes) {
        Ok(command) => command.name().to_owned(),
        Err(_) => match bytes.get(1) {
            Some(&ins) => match card_protocol::command::instruction_name(ins) {
                Some(name) => format!("{name}（不正な形式）"),
                None => format!("INS {ins:02X}"),
            },
            None => "（短すぎるコマンド）".to_owned(),
        },
    }
}

/// Keeps keys in order of first appearance with their samples.
#[derive(Default)]
struct Samples {
    order: Vec<String>,
    by_key: BTreeMap<String, Vec<Duration>>,
}

impl Samples {
    fn add(&mut self, key: String, sample: Duration) {
        if !self.by_key.contains_key(&key) {
            self.order.push(key.clone());
        }
        self.by_key.entry(key).or_default().push(sample);
    }

    fn spreads(self) -> Vec<(String, Spread)> {
        let Samples { order, by_key } = self;
        order
            .into_iter()
            .filter_map(|key| {
                let spread = by_key.get(&key).and_then(|s| Spread::of(s))?;
                Some((key, spread))
            })
            .collect()
    }
}

impl TimingReport {
    /// The report over `runs` (each repetition's scenarios) and the scenarios not run.
    pub fn build(
        setup: &str,
        runs: &[&[ScenarioRecord]],
        not_run: &[(String, String, String)],
    ) -> TimingReport {
        let mut steps = Samples::default();
        let mut commands = Samples::default();
        let mut devices: Vec<DeviceSeen> = Vec::new();
        let mut trace = Vec::new();
        let mut counts = Vec::new();
        for (index, scenarios) in runs.iter().enumerate() {
            let run = index + 1;
            let t = totals(scenarios);
            counts.push(RunCounts {
                run,
                passed: t.passed,
                failed: t.failed,
            });
            for scenario in scenarios.iter() {
                for step in &scenario.steps {
                    if let (StepStatus::Passed, Some(took)) = (&step.status, step.duration) {
                        steps.add(format!("{} {}", step.keyword, step.text), took);
                    }
                }
                let artifacts = &scenario.artifacts;
                for device in &artifacts.devices {
                    let atr = device.atr.as_deref().map(card_protocol::trace::hex);
                    match devices.iter_mut().find(|d| {
                        d.reader == device.reader && d.device == device.device && d.atr == atr
                    }) {
                        Some(seen) => seen.placed += 1,
                        None => devices.push(DeviceSeen {
                            reader: device.reader.clone(),
                            device: device.device.clone(),
                            atr,
                            placed: 1,
                        }),
                    }
                }
                for apdu in &artifacts.apdus {
                    let name = command_name(&apdu.command);
                    commands.add(name.clone(), apdu.took);
                    let (status, response_len, error) = match &apdu.response {
                        Ok(bytes) => match bytes.len().checked_sub(2) {
                            Some(data) => {
                                (bytes.get(data..).map(card_protocol::trace::hex), data, None)
                            }
                            None => (None, 0, Some(format!("{} バイトの応答", bytes.len()))),
                        },
                        Err(error) => (None, 0, Some(error.clone())),
                    };
                    trace.push(TraceEntry {
                        run,
                        feature: scenario.feature.clone(),
                        scenario: scenario.scenario.clone(),
                        at_ms: apdu.at.as_secs_f64() * 1e3,
                        reader: apdu.reader.clone(),
                        command: name,
                        command_hex: card_protocol::trace::masked_command_hex(&apdu.command),
                        status: status.map(|s| s.replace(' ', "")),
                        response_len,
                        error,
                        took_us: micros(&apdu.took),
                    });
                }
            }
        }
        TimingReport {
            setup: setup.to_owned(),
            runs: counts,
            steps: steps
                .spreads()
                .into_iter()
                .map(|(step, spread)| StepTiming { step, spread })
                .collect(),
            commands: commands
                .spreads()
                .into_iter()
                .map(|(command, spread)| CommandTiming { command, spread })
                .collect(),
            devices,
            not_run: not_run
                .iter()
                .map(|(feature, scenario, reason)| NotRun {
                    feature: feature.clone(),
                    scenario: scenario.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            trace,
        }
    }

    /// Writes `timing.json` and `timing.html` into `dir`; returns both paths.
    pub fn write(&self, dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let json = dir.join("timing.json");
        let html = dir.join("timing.html");
        let text = serde_json::to_string_pretty(self).context("timing report as JSON")?;
        std::fs::write(&json, text).with_context(|| format!("writing {}", json.display()))?;
        std::fs::write(&html, self.html())
            .with_context(|| format!("writing {}", html.display()))?;
        Ok((json, html))
    }

    /// A short table for the terminal: steps and commands with p50/p95/max, devices, and the
    /// scenarios not run.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let runs = self.runs.len();
        let _ = writeln!(out, "所要時間（{runs} 回の実行、{}）", self.setup);
        let _ = writeln!(
            out,
            "{:>9} {:>9} {:>9} {:>5}  ステップ",
            "p50 ms", "p95 ms", "最大 ms", "回数"
        );
        for row in &self.steps {
            let _ = writeln!(out, "{}  {}", spread_cells(&row.spread), row.step);
        }
        let _ = writeln!(
            out,
            "{:>9} {:>9} {:>9} {:>5}  APDU コマンド（カードの応答時間）",
            "p50 ms", "p95 ms", "最大 ms", "回数"
        );
        for row in &self.commands {
            let _ = writeln!(out, "{}  {}", spread_cells(&row.spread), row.command);
        }
        for device in &self.devices {
            let _ = writeln!(
                out,
                "カードリーダー {}: デバイス {} / ATR {}（{} 回）",
                device.reader,
                device.device.as_deref().unwrap_or("（なし）"),
                device.atr.as_deref().unwrap_or("（なし）"),
                device.placed
            );
        }
        if !self.not_run.is_empty() {
            let _ = writeln!(out, "実行しなかったシナリオ {} 件:", self.not_run.len());
            for row in &self.not_run {
                let _ = writeln!(out, "  {} / {} — {}", row.feature, row.scenario, row.reason);
            }
        }
        out
    }

    /// The report as one HTML page (Japanese labels).
    pub fn html(&self) -> String {
        let mut out = String::new();
        let e = html_escape;
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>所要時間の報告</title>\
             <style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse;margin-bottom:1.5em}}\
             td,th{{border:1px solid #bbb;padding:2px 6px;font-size:90%}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
             th{{background:#eee}}</style></head><body>\n<h1>所要時間の報告</h1>\n<p>{}</p>\n",
            e(&self.setup)
        );
        let _ = writeln!(
            out,
            "<h2>実行</h2><table><tr><th>回</th><th>成功</th><th>失敗</th></tr>"
        );
        for run in &self.runs {
            let _ = writeln!(
                out,
                "<tr><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                run.run, run.passed, run.failed
            );
        }
        let _ = writeln!(out, "</table>");
        let header =
            "<tr><th>{}</th><th>回数</th><th>p50 (ms)</th><th>p95 (ms)</th><th>最大 (ms)</th></tr>";
        let _ = writeln!(
            out,
            "<h2>ステップごとの所要時間（成功したステップ）</h2><table>{}",
            header.replace("{}", "ステップ")
        );
        for row in &self.steps {
            let _ = writeln!(out, "{}", spread_row(&e(&row.step), &row.spread));
        }
        let _ = writeln!(
            out,
            "</table>\n<h2>APDU コマンドごとのカードの応答時間</h2><table>{}",
            header.replace("{}", "コマンド")
        );
        for row in &self.commands {
            let _ = writeln!(out, "{}", spread_row(&e(&row.command), &row.spread));
        }
        let _ = writeln!(
            out,
            "</table>\n<h2>カードリーダーとカード</h2><table><tr><th>カードリーダー（端末の表示名）</th>\
             <th>デバイス（PC/SC 名）</th><th>ATR</th><th>カードを置いた回数</th></tr>"
        );
        for d in &self.devices {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td class=n>{}</td></tr>",
                e(&d.reader),
                e(d.device.as_deref().unwrap_or("（なし）")),
                e(d.atr.as_deref().unwrap_or("（なし）")),
                d.placed
            );
        }
        let _ = writeln!(
            out,
            "</table>\n<h2>実行しなかったシナリオ</h2><table><tr><th>機能</th><th>シナリオ</th><th>理由</th></tr>"
        );
        for row in &self.not_run {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&row.feature),
                e(&row.scenario),
                e(&row.reason)
            );
        }
        let _ = writeln!(
            out,
            "</table>\n<h2>APDU トレース（照合データは伏せ字、応答データは長さのみ）</h2><table><tr><th>回</th>\
             <th>シナリオ</th><th>時刻 (ms)</th><th>カードリーダー</th><th>コマンド</th><th>コマンド (16進)</th>\
             <th>SW</th><th>応答データ長</th><th>応答時間 (µs)</th></tr>"
        );
        for t in &self.trace {
            let _ = writeln!(
                out,
                "<tr><td class=n>{}</td><td>{}</td><td class=n>{:.3}</td><td>{}</td><td>{}</td>\
                 <td><code>{}</code></td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                t.run,
                e(&t.scenario),
                t.at_ms,
                e(&t.reader),
                e(&t.command),
                e(&t.command_hex),
                e(t.status.as_deref().or(t.error.as_deref()).unwrap_or("")),
                t.response_len,
                t.took_us
            );
        }
        let _ = writeln!(out, "</table>\n</body></html>");
        out
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1e3
}

fn spread_cells(spread: &Spread) -> String {
    format!(
        "{:>9.3} {:>9.3} {:>9.3} {:>5}",
        ms(spread.p50_us),
        ms(spread.p95_us),
        ms(spread.max_us),
        spread.count
    )
}

fn spread_row(label: &str, spread: &Spread) -> String {
    format!(
        "<tr><td>{label}</td><td class=n>{}</td><td class=n>{:.3}</td><td class=n>{:.3}</td><td class=n>{:.3}</td></tr>",
        spread.count,
        ms(spread.p50_us),
        ms(spread.p95_us),
        ms(spread.max_us)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ApduRecord, DeviceRecord, ScenarioArtifacts, StepRecord};

    fn ms_d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=20).map(ms_d).collect();
        let spread = Spread::of(&samples).expect("spread");
        assert_eq!(spread.count, 20);
        assert_eq!(spread.p50_us, 10_000);
        assert_eq!(spread.p95_us, 19_000);
        assert_eq!(spread.max_us, 20_000);
        let one = Spread::of(&[ms_d(7)]).expect("one");
        assert_eq!((one.p50_us, one.p95_us, one.max_us), (7000, 7000, 7000));
        assert!(Spread::of(&[]).is_none());
    }

    fn scenario(step_ms: u64, verify_us: u64) -> ScenarioRecord {
        let verify = vec![0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];
        ScenarioRecord {
            feature: "機能".into(),
            scenario: "暗証番号".into(),
            steps: vec![
                StepRecord {
                    keyword: "もし".into(),
                    text: "患者がカードを置く".into(),
                    status: StepStatus::Passed,
                    background: false,
                    duration: Some(ms_d(step_ms)),
                },
                StepRecord {
                    keyword: "ならば".into(),
                    text: "失敗する".into(),
                    status: StepStatus::Failed("x".into()),
                    background: false,
                    duration: Some(ms_d(99_999)),
                },
            ],
            artifacts: ScenarioArtifacts {
                apdus: vec![
                    ApduRecord {
                        reader: "R0".into(),
                        command: verify,
                        response: Ok(vec![0x90, 0x00]),
                        at: ms_d(1500),
                        card_placed: false,
                        took: Duration::from_micros(verify_us),
                    },
                    ApduRecord {
                        reader: "R0".into(),
                        command: vec![0x00, 0xB0, 0x00, 0x00, 0x04],
                        response: Ok(vec![1, 2, 3, 4, 0x90, 0x00]),
                        at: ms_d(1600),
                        card_placed: false,
                        took: Duration::from_micros(80),
                    },
                    ApduRecord {
                        reader: "R0".into(),
                        command: vec![0x00, 0x77, 0x00, 0x00],
                        response: Err("reader gone".into()),
                        at: ms_d(1700),
                        card_placed: false,
                        took: Duration::from_micros(5),
                    },
                ],
                devices: vec![DeviceRecord {
                    reader: "R0".into(),
                    device: Some("Virtual PCD 0 00 00".into()),
                    atr: Some(vec![0x3B, 0x88]),
                }],
                ..ScenarioArtifacts::default()
            },
        }
    }

    #[test]
    fn steps_and_commands_are_timed_over_runs_and_secrets_stay_out() {
        let run1 = vec![scenario(100, 300)];
        let run2 = vec![scenario(300, 500)];
        let not_run = vec![(
            "機能".to_owned(),
            "顔認証".to_owned(),
            "表示器がありません".to_owned(),
        )];
        let report = TimingReport::build("ベンチ", &[&run1, &run2], &not_run);
        assert_eq!(report.runs.len(), 2);
        assert_eq!(report.steps.len(), 1, "failed steps are not timed");
        assert_eq!(report.steps[0].step, "もし 患者がカードを置く");
        assert_eq!(report.steps[0].spread.count, 2);
        assert_eq!(report.steps[0].spread.max_us, 300_000);
        let names: Vec<&str> = report.commands.iter().map(|c| c.command.as_str()).collect();
        assert_eq!(names, ["VERIFY", "READ BINARY", "INS 77"]);
        assert_eq!(report.commands[0].spread.p50_us, 300);
        assert_eq!(report.devices.len(), 1);
        assert_eq!(report.devices[0].placed, 2);
        assert_eq!(report.devices[0].atr.as_deref(), Some("3B 88"));
        assert_eq!(report.trace.len(), 6);
        assert_eq!(report.trace[0].command_hex, "00 20 00 80 **");
        assert_eq!(report.trace[0].status.as_deref(), Some("9000"));
        assert_eq!(report.trace[1].response_len, 4);
        assert_eq!(report.trace[2].error.as_deref(), Some("reader gone"));
        assert!((report.trace[0].at_ms - 1500.0).abs() < 1e-9);

        let json = serde_json::to_string(&report).expect("json");
        let html = report.html();
        let table = report.table();
        for text in [&json, &html, &table] {
            assert!(!text.contains("31 32 33 34"), "PIN bytes leaked");
            assert!(!text.contains("01 02 03 04"), "response data leaked");
        }
        assert!(json.contains("\"p95_us\""));
        assert!(html.contains("表示器がありません") && html.contains("<th>p50 (ms)</th>"));
        assert!(table.contains("実行しなかったシナリオ 1 件"));
        assert!(table.contains("患者がカードを置く"));
    }

    #[test]
    fn malformed_commands_are_named_by_their_instruction() {
        assert_eq!(command_name(&[0x00, 0xB0]), "READ BINARY（不正な形式）");
        assert_eq!(command_name(&[0x00]), "（短すぎるコマンド）");
    }
}
