//! The report as one self-contained HTML page, in Japanese with an English toggle.

use std::fmt::Write as _;

use super::{totals, ScenarioRecord, StepStatus};

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A label in both languages; the page shows one at a time (the toggle switches).
fn both(ja: &str, en: &str) -> String {
    format!(
        "<span class=\"ja\">{}</span><span class=\"en\">{}</span>",
        html_escape(ja),
        html_escape(en)
    )
}

const STYLE: &str = "\
body{font-family:'Noto Sans CJK JP','Hiragino Sans',sans-serif;margin:1.5em;max-width:78em;color:#222}\
body.en .ja{display:none}body:not(.en) .en{display:none}\
.pass{color:#11772d}.fail{color:#b00020}.skip{color:#8a6d00}\
details{border:1px solid #ccc;border-radius:4px;margin:.5em 0;padding:.3em .6em}\
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}\
.screens{display:flex;gap:1em;flex-wrap:wrap;align-items:flex-start;margin:.3em 0 1em}\
.screens iframe{width:44em;height:30em;border:1px solid #999;border-radius:4px;background:#fff}\
.touch{width:24em;min-height:14em;background:#102a43;color:#fff;border-radius:12px;padding:1em;\
border:6px solid #333;box-sizing:border-box}\
.touch .buttons{display:flex;gap:.5em;flex-wrap:wrap;margin-top:1em}\
.touch .buttons span{background:#fff;color:#102a43;border-radius:6px;padding:.4em .8em;font-weight:bold}\
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:.15em .4em;text-align:left}\
th{background:#eef}.toggle{float:right}";

/// Renders the whole report as one HTML page (images inline as data URLs). `report_dir` is
/// where the page is written: result files are linked relative to it.
pub fn render_html(
    title: &str,
    transport: &str,
    scenarios: &[ScenarioRecord],
    report_dir: &std::path::Path,
) -> String {
    use base64::Engine as _;
    let t = totals(scenarios);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title>\
<style>{STYLE}</style></head><body>\
<button class=\"toggle\" onclick=\"document.body.classList.toggle('en')\">English / 日本語</button>\
<h1>{}</h1><p>{}: <b>{}</b> — <span class=\"pass\">{} {}</span>, <span class=\"fail\">{} {}</span></p>",
        html_escape(title),
        html_escape(title),
        both("接続方式", "transport"),
        html_escape(transport),
        t.passed,
        both("件合格", "passed"),
        t.failed,
        both("件不合格", "failed"),
    );
    let mut current_feature = None;
    for s in scenarios {
        if current_feature != Some(&s.feature) {
            let _ = write!(
                h,
                "<h2>{}: {}</h2>",
                both("機能", "Feature"),
                html_escape(&s.feature)
            );
            current_feature = Some(&s.feature);
        }
        scenario_html(&mut h, s, report_dir);
    }
    h.push_str("</body></html>\n");
    h
}

fn scenario_html(h: &mut String, s: &ScenarioRecord, report_dir: &std::path::Path) {
    use base64::Engine as _;
    let (class, mark) = if s.passed() {
        ("pass", "✔")
    } else {
        ("fail", "✘")
    };
    let _ = write!(
        h,
        "<details{}><summary class=\"{class}\">{mark} {}: {}</summary><ol>",
        if s.passed() { "" } else { " open" },
        both("シナリオ", "Scenario"),
        html_escape(&s.scenario)
    );
    for step in &s.steps {
        let (class, extra) = match &step.status {
            StepStatus::Passed => ("pass", String::new()),
            StepStatus::Skipped => ("skip", format!(" ({})", both("未実行", "skipped"))),
            StepStatus::Failed(msg) => (
                "fail",
                format!(
                    "<br>{}<pre>{}</pre>",
                    both("失敗:", "failed:"),
                    html_escape(msg)
                ),
            ),
        };
        let _ = write!(
            h,
            "<li class=\"{class}\">{}{} {}{extra}</li>",
            if step.background {
                both("[背景] ", "[background] ")
            } else {
                String::new()
            },
            html_escape(&step.keyword),
            html_escape(&step.text)
        );
    }
    h.push_str("</ol>");
    let a = &s.artifacts;
    for face in &a.faces {
        let _ = write!(
            h,
            "<figure><img alt=\"camera frame and card photo\" src=\"data:image/png;base64,{}\">\
<figcaption>{}</figcaption></figure>",
            base64::engine::general_purpose::STANDARD.encode(&face.png),
            html_escape(&face.summary)
        );
    }
    if !a.result_files.is_empty() {
        let _ = write!(
            h,
            "<h4>{}</h4>",
            both(
                "レセコンへの結果ファイル",
                "Result files for the receipt system"
            )
        );
        for file in &a.result_files {
            super::decode::result_file_html(h, file, report_dir);
        }
    }
    if !a.screens.is_empty() {
        let _ = write!(
            h,
            "<details><summary>{}</summary>",
            both("各ステップの画面", "Screens after each step")
        );
        for screen in &a.screens {
            let _ = write!(
                h,
                "<p>{} {}</p><div class=\"screens\">",
                both("ステップ:", "after:"),
                html_escape(&screen.after_step)
            );
            match (&screen.operator_html, &screen.operator) {
                (Some(page), _) => {
                    let _ = write!(
                        h,
                        "<div><b>{}</b><br><iframe sandbox srcdoc=\"{}\"></iframe></div>",
                        both("資格確認端末", "Verification terminal"),
                        html_escape(page)
                    );
                }
                (None, Some(text)) => {
                    let _ = write!(
                        h,
                        "<div><b>{}</b><pre>{}</pre></div>",
                        both("資格確認端末", "Verification terminal"),
                        html_escape(text)
                    );
                }
                (None, None) => {}
            }
            match (&screen.patient_html, &screen.patient) {
                (Some(fragment), _) => {
                    let _ = write!(
                        h,
                        "<div><b>{}</b>{fragment}</div>",
                        both("カードリーダー（患者画面）", "Card reader (patient screen)")
                    );
                }
                (None, Some(text)) => {
                    let _ = write!(
                        h,
                        "<div><b>{}</b><pre>{}</pre></div>",
                        both("カードリーダー（患者画面）", "Card reader (patient screen)"),
                        html_escape(text)
                    );
                }
                (None, None) => {}
            }
            h.push_str("</div>");
        }
        h.push_str("</details>");
    }
    if !a.notes.is_empty() {
        h.push_str("<ul>");
        for n in &a.notes {
            let _ = write!(h, "<li>{}</li>", html_escape(n));
        }
        h.push_str("</ul>");
    }
    if !a.apdus.is_empty() {
        let _ = write!(
            h,
            "<details><summary>{} ({})</summary>",
            both("APDU トレース（カードとの通信）", "APDU trace"),
            a.apdus.len()
        );
        super::decode::apdu_table_html(h, &a.apdus);
        h.push_str("</details>");
    }
    h.push_str("</details>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ScenarioArtifacts, StepRecord, Totals};

    fn scenario(name: &str, status: StepStatus) -> ScenarioRecord {
        ScenarioRecord {
            feature: "機能<script>".into(),
            scenario: name.into(),
            steps: vec![StepRecord {
                keyword: "もし".into(),
                text: "患者が<b>カード</b>を置く & 待つ".into(),
                status,
                background: false,
                duration: None,
            }],
            artifacts: ScenarioArtifacts {
                notes: vec!["\"quoted\" 'single'".into()],
                ..ScenarioArtifacts::default()
            },
        }
    }

    #[test]
    fn totals_count_failed_and_skipped_scenarios_as_failed() {
        let s = [
            scenario("a", StepStatus::Passed),
            scenario("b", StepStatus::Failed("boom".into())),
            scenario("c", StepStatus::Skipped),
        ];
        assert_eq!(
            totals(&s),
            Totals {
                passed: 1,
                failed: 2
            }
        );
    }

    #[test]
    fn html_escapes_every_text_from_features_and_worlds() {
        let html = render_html(
            "t",
            "in-process",
            &[scenario("x<y", StepStatus::Failed("<err>".into()))],
            std::path::Path::new("."),
        );
        for raw in ["<script>", "<b>カード</b>", "x<y", "<err>", "\"quoted\""] {
            assert!(!html.contains(raw), "unescaped {raw:?}");
        }
        assert!(html.contains("患者が&lt;b&gt;カード&lt;/b&gt;を置く &amp; 待つ"));
        assert!(html.contains("0 <span class=\"ja\">件合格"));
        assert!(html.contains("1 <span class=\"ja\">件不合格"));
    }
}
