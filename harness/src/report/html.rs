//! The report as one self-contained HTML page, in Japanese with an English toggle: the scenario
//! list with counts and links, the scenarios not run, then each scenario's steps, screens, face
//! comparisons, result files and APDU trace.
//!
//! The page's address picks what is open (for links, printing and screenshots): `#all` opens
//! every section, `#en` shows English, `#s3` opens scenario 3 and `#s3-trace` its APDU trace,
//! `only` hides the rest; they combine (`#s3,all,only,en`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::escape::{both, html_escape};
use super::patient_screen::PATIENT_SCREEN_STYLE;
use super::records::{totals, NotRun, ScenarioRecord, ScreenRecord, StepStatus};

const STYLE: &str = "\
body{font-family:'Noto Sans CJK JP','Noto Sans JP','Hiragino Sans','Yu Gothic',sans-serif;\
margin:1.5em auto;max-width:92em;padding:0 1.5em;color:#222;line-height:1.45}\
body.en .ja{display:none}body:not(.en) .en{display:none}\
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;border-bottom:2px solid #36c;margin-top:1.6em}\
h3{font-size:1.05em;margin:.8em 0 .3em}h4{font-size:1em;margin:.9em 0 .3em}\
.pass{color:#11772d}.fail{color:#b00020}.skip{color:#8a6d00}.muted{color:#777;font-size:.85em}\
details{border:1px solid #ccc;border-radius:6px;margin:.5em 0;padding:.3em .7em;background:#fff}\
details>summary{cursor:pointer;font-weight:bold}\
details.scenario{border-width:2px}details.scenario>summary{font-size:1.05em}\
details.section>summary{font-weight:normal;color:#234}\
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}\
ol.steps li{margin:.15em 0}.kw{font-weight:bold;color:#345}\
.toc li{margin:.1em 0}.toc a{text-decoration:none}\
.totals span{margin-right:1em;font-weight:bold}\
.after{margin:.8em 0 .2em;font-size:.9em;color:#345;border-top:1px dashed #ccc;padding-top:.4em}\
.screens{display:flex;gap:1.2em;flex-wrap:wrap;align-items:flex-start;margin:.2em 0 .6em}\
.screens .label{font-size:.8em;color:#555;margin-bottom:.2em}.screens .operator{width:42.5em}\
.frame{width:42em;height:30em;overflow:hidden;border:1px solid #999;border-radius:4px;background:#fff}\
.frame iframe{width:56em;height:40em;border:0;transform:scale(.75);transform-origin:0 0}\
.same{color:#777;font-size:.85em;border:1px dashed #bbb;border-radius:4px;padding:.3em .6em}\
table{border-collapse:collapse;font-size:.85em;margin:.3em 0}\
td,th{border:1px solid #ccc;padding:.15em .4em;text-align:left;vertical-align:top}\
th{background:#eef}tr.warn td{background:#fff8e1}tr.fail td{background:#fdecea}\
table.apdu{width:100%}table.apdu code{font-size:.95em}td.value{font-family:monospace}\
td.num{white-space:nowrap}\
figure{display:inline-block;margin:.4em 1em .4em 0}figure img{max-width:44em;border:1px solid #ccc}\
.toggle{float:right;font-size:1em;padding:.3em .8em}";

/// Follows the address and fills in the images shown again (see `Images`). The address: `#en`
/// shows English; `#<id>` (a scenario `s3`, or one of its sections `s3-screens`, `s3-files`,
/// `s3-trace`; several may be named) opens it and scrolls to it; `all` opens every section of
/// the targets, or of the whole page when there is none; `only` hides all but the targets and
/// the headings above them (for screenshots). They combine: `#all`, `#s3,all`,
/// `#s3-files,s3-trace,all,only,en`.
const SCRIPT: &str = "\
function follow(){var parts=decodeURIComponent(location.hash.slice(1)).split(','),targets=[];\
function has(w){return parts.indexOf(w)>=0}\
function kept(c){return ['SUMMARY','H1','SCRIPT'].indexOf(c.tagName)>=0||targets.some(function(t){return c.contains(t)})}\
if(has('en')){document.body.classList.add('en')}\
parts.forEach(function(p){var e=p&&['all','en','only'].indexOf(p)<0?document.getElementById(p):null;if(e){targets.push(e)}});\
if(has('all')){(targets.length?targets:[document]).forEach(function(t){t.querySelectorAll('details').forEach(function(d){d.open=true})})}\
targets.forEach(function(t){for(var e=t;e;e=e.parentElement){if(e.tagName==='DETAILS'){e.open=true}}});\
if(!targets.length){return}\
if(has('only')){targets.forEach(function(t){for(var e=t;e&&e!==document.body;e=e.parentElement){\
Array.prototype.forEach.call(e.parentElement.children,function(c){if(!kept(c)){c.style.display='none'}})}})}\
else{targets[0].scrollIntoView()}}\
window.addEventListener('hashchange',follow);follow();\
document.querySelectorAll('img[data-same-as]').forEach(function(i){var o=document.getElementById(i.dataset.sameAs);if(o){i.src=o.src}});";

/// Renders the whole report as one HTML page (images inline as data URLs). `not_run` lists the
/// scenarios left out of the run as (feature, scenario, reason). `report_dir` is where the page
/// is written: result files are linked relative to it.
pub fn render_html(
    title: &str,
    transport: &str,
    scenarios: &[ScenarioRecord],
    not_run: &[NotRun],
    report_dir: &Path,
) -> String {
    let t = totals(scenarios);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title>\
<style>{STYLE}{PATIENT_SCREEN_STYLE}</style></head><body>\
<button class=\"toggle\" onclick=\"document.body.classList.toggle('en')\">{}</button>\
<h1>{}</h1><p>{} <b>{}</b></p><p class=\"totals\"><span class=\"pass\">{}</span>\
<span class=\"fail\">{}</span><span class=\"skip\">{}</span></p>",
        html_escape(title),
        both("English", "日本語"),
        html_escape(title),
        both("接続方式:", "Transport:"),
        html_escape(transport),
        both(
            &format!("合格 {} 件", t.passed),
            &format!("{} passed", t.passed)
        ),
        both(
            &format!("不合格 {} 件", t.failed),
            &format!("{} failed", t.failed)
        ),
        both(
            &format!("未実行 {} 件", not_run.len()),
            &format!("{} not run", not_run.len())
        ),
    );
    table_of_contents(&mut h, scenarios);
    not_run_html(&mut h, not_run);
    let mut images = Images::default();
    let mut current_feature = None;
    for (index, s) in scenarios.iter().enumerate() {
        if current_feature != Some(&s.feature) {
            let _ = write!(
                h,
                "<h2>{} {}</h2>",
                both("機能:", "Feature:"),
                html_escape(&s.feature)
            );
            current_feature = Some(&s.feature);
        }
        scenario_html(&mut h, index, s, report_dir, &mut images);
    }
    let _ = writeln!(h, "<script>{SCRIPT}</script></body></html>");
    h
}

/// The anchor of the `index`-th scenario.
fn anchor(index: usize) -> String {
    format!("s{}", index + 1)
}

fn mark(passed: bool) -> (&'static str, &'static str) {
    if passed {
        ("pass", "✔")
    } else {
        ("fail", "✘")
    }
}

fn table_of_contents(h: &mut String, scenarios: &[ScenarioRecord]) {
    if scenarios.is_empty() {
        return;
    }
    let _ = write!(h, "<h2>{}</h2>", both("シナリオ一覧", "Scenarios"));
    let mut current_feature = None;
    for (index, s) in scenarios.iter().enumerate() {
        if current_feature != Some(&s.feature) {
            if current_feature.is_some() {
                h.push_str("</ul>");
            }
            let _ = write!(h, "<h3>{}</h3><ul class=\"toc\">", html_escape(&s.feature));
            current_feature = Some(&s.feature);
        }
        let (class, mark) = mark(s.passed());
        let _ = write!(
            h,
            "<li class=\"{class}\">{mark} <a href=\"#{}\">{}</a></li>",
            anchor(index),
            html_escape(&s.scenario)
        );
    }
    h.push_str("</ul>");
}

fn not_run_html(h: &mut String, not_run: &[NotRun]) {
    if not_run.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        both("未実行のシナリオ", "Scenarios not run"),
        both("機能", "Feature"),
        both("シナリオ", "Scenario"),
        both("理由", "Reason"),
    );
    for (feature, scenario, reason) in not_run {
        let _ = write!(
            h,
            "<tr class=\"warn\"><td>{}</td><td>{} {}</td><td>{}</td></tr>",
            html_escape(feature),
            both("未実行", "not run"),
            html_escape(scenario),
            html_escape(reason)
        );
    }
    h.push_str("</table>");
}

/// The images already on the page, by their bytes: an image shown again (the same person at the
/// same camera in several scenarios) refers to its first copy instead of repeating it, which
/// halves the page of a whole suite.
#[derive(Default)]
struct Images<'a> {
    ids: HashMap<&'a [u8], usize>,
}

impl<'a> Images<'a> {
    /// An `<img>` of a PNG: inline the first time, a reference to the first copy after (the
    /// page's script fills it in).
    fn img(&mut self, png: &'a [u8], alt: &str) -> String {
        use base64::Engine as _;
        let alt = html_escape(alt);
        if let Some(id) = self.ids.get(png) {
            return format!("<img alt=\"{alt}\" data-same-as=\"img{id}\">");
        }
        let id = self.ids.len() + 1;
        self.ids.insert(png, id);
        format!(
            "<img id=\"img{id}\" alt=\"{alt}\" src=\"data:image/png;base64,{}\">",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    }
}

fn scenario_html<'a>(
    h: &mut String,
    index: usize,
    s: &'a ScenarioRecord,
    report_dir: &Path,
    images: &mut Images<'a>,
) {
    let (class, mark) = mark(s.passed());
    let took: std::time::Duration = s.steps.iter().filter_map(|step| step.duration).sum();
    let _ = write!(
        h,
        "<details class=\"scenario\" id=\"{}\"{}><summary class=\"{class}\">{mark} {} {} \
<span class=\"muted\">{}</span></summary><ol class=\"steps\">",
        anchor(index),
        if s.passed() { "" } else { " open" },
        both("シナリオ:", "Scenario:"),
        html_escape(&s.scenario),
        both(
            &format!("{} ステップ、{:.1} 秒", s.steps.len(), took.as_secs_f64()),
            &format!("{} steps, {:.1} s", s.steps.len(), took.as_secs_f64())
        ),
    );
    for step in &s.steps {
        let (class, mark, extra) = match &step.status {
            StepStatus::Passed => ("pass", "✔", String::new()),
            StepStatus::Skipped => ("skip", "−", format!(" （{}）", both("未実行", "skipped"))),
            StepStatus::Failed(msg) => (
                "fail",
                "✘",
                format!(
                    "<br>{}<pre>{}</pre>",
                    both("失敗:", "Failed:"),
                    html_escape(msg)
                ),
            ),
        };
        // Steps under a millisecond (most, in process) carry no time: it would be noise.
        let duration = step
            .duration
            .filter(|d| d.as_millis() >= 1)
            .map(|d| {
                let ms = d.as_secs_f64() * 1000.0;
                format!(
                    " <span class=\"muted\">{}</span>",
                    both(&format!("{ms:.0} ミリ秒"), &format!("{ms:.0} ms"))
                )
            })
            .unwrap_or_default();
        let _ = write!(
            h,
            "<li class=\"{class}\">{mark} {}<span class=\"kw\">{}</span> {}{duration}{extra}</li>",
            if step.background {
                both("［背景］", "[background] ")
            } else {
                String::new()
            },
            html_escape(&step.keyword),
            html_escape(&step.text)
        );
    }
    h.push_str("</ol>");
    let a = &s.artifacts;
    if !a.screens.is_empty() {
        let _ = write!(
            h,
            "<details class=\"section\" id=\"{}-screens\"><summary>{}</summary>",
            anchor(index),
            both(
                "各ステップの後の画面（資格確認端末・カードリーダー）",
                "Screens after each step (terminal, card reader)"
            )
        );
        screens_html(h, &a.screens);
        h.push_str("</details>");
    }
    if !a.faces.is_empty() {
        let _ = write!(
            h,
            "<details class=\"section\"><summary>{}</summary>",
            both(
                "顔の照合（カメラの画像と券面の顔写真）",
                "Face comparisons (camera frame and card photo)"
            )
        );
        for face in &a.faces {
            let _ = write!(
                h,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                images.img(&face.png, "カメラの画像と券面の顔写真"),
                html_escape(&face.summary)
            );
        }
        h.push_str("</details>");
    }
    if !a.result_files.is_empty() {
        let _ = write!(
            h,
            "<div id=\"{}-files\"><h4>{}</h4>",
            anchor(index),
            both(
                "レセコンへの結果ファイル",
                "Result files for the receipt system"
            )
        );
        for file in &a.result_files {
            super::result_file::result_file_html(h, file, report_dir);
        }
        h.push_str("</div>");
    }
    if !a.devices.is_empty() {
        let _ = write!(
            h,
            "<details class=\"section\"><summary>{}</summary><table><tr><th>{}</th><th>{}</th><th>ATR</th></tr>",
            both("置かれたカード", "Cards placed"),
            both("リーダー", "Reader"),
            both("デバイス", "Device"),
        );
        for device in &a.devices {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                html_escape(&device.reader),
                html_escape(device.device.as_deref().unwrap_or("—")),
                html_escape(
                    &device
                        .atr
                        .as_deref()
                        .map(card_protocol::trace::hex)
                        .unwrap_or_default()
                )
            );
        }
        h.push_str("</table></details>");
    }
    if !a.apdus.is_empty() {
        let _ = write!(
            h,
            "<details class=\"section\" id=\"{}-trace\"><summary>{}</summary>",
            anchor(index),
            both(
                &format!("APDU トレース（カードとの通信 {} 件）", a.apdus.len()),
                &format!("APDU trace ({} exchanges)", a.apdus.len())
            )
        );
        super::apdu_trace::apdu_table_html(h, &a.apdus);
        h.push_str("</details>");
    }
    if !a.notes.is_empty() {
        let _ = write!(h, "<h4>{}</h4><ul>", both("記録", "Notes"));
        for n in &a.notes {
            let _ = write!(h, "<li>{}</li>", html_escape(n));
        }
        h.push_str("</ul>");
    }
    h.push_str("</details>");
}

/// Both screens after each step; a screen is drawn only when it changed since the previous step
/// (変化なし otherwise), which keeps the page small.
fn screens_html(h: &mut String, screens: &[ScreenRecord]) {
    let mut previous: Option<&ScreenRecord> = None;
    for screen in screens {
        let operator_same = previous.is_some_and(|p| {
            p.operator_html == screen.operator_html && p.operator == screen.operator
        });
        let patient_same = previous
            .is_some_and(|p| p.patient_html == screen.patient_html && p.patient == screen.patient);
        let _ = write!(
            h,
            "<p class=\"after\">{}</p>",
            both(
                &format!("「{}」の後", screen.after_step),
                &format!("after \u{201c}{}\u{201d}", screen.after_step)
            )
        );
        previous = Some(screen);
        if operator_same && patient_same {
            let _ = write!(
                h,
                "<p class=\"same\">{}</p>",
                both("変化なし（両画面とも）", "unchanged (both screens)")
            );
            continue;
        }
        h.push_str("<div class=\"screens\"><div class=\"operator\">");
        let _ = write!(
            h,
            "<div class=\"label\">{}</div>",
            both("資格確認端末", "Eligibility terminal")
        );
        if operator_same {
            unchanged(h);
        } else {
            match (&screen.operator_html, &screen.operator) {
                (Some(page), _) => {
                    let _ = write!(
                        h,
                        "<div class=\"frame\"><iframe sandbox title=\"{}\" srcdoc=\"{}\"></iframe></div>",
                        html_escape("資格確認端末の画面"),
                        html_escape(page)
                    );
                }
                (None, Some(text)) => {
                    let _ = write!(h, "<pre>{}</pre>", html_escape(text));
                }
                (None, None) => {
                    let _ = write!(
                        h,
                        "<p class=\"same\">{}</p>",
                        both("ログインしていません", "nobody logged in")
                    );
                }
            }
        }
        let _ = write!(
            h,
            "</div><div><div class=\"label\">{}</div>",
            both("カードリーダー（患者画面）", "Card reader (patient screen)")
        );
        if patient_same {
            unchanged(h);
        } else {
            match (&screen.patient_html, &screen.patient) {
                // The fragment comes from patient_screen_html, which escapes every text.
                (Some(fragment), _) => h.push_str(fragment),
                (None, Some(text)) => {
                    let _ = write!(h, "<pre>{}</pre>", html_escape(text));
                }
                (None, None) => {}
            }
        }
        h.push_str("</div></div>");
    }
}

fn unchanged(h: &mut String) {
    let _ = write!(h, "<p class=\"same\">{}</p>", both("変化なし", "unchanged"));
}

#[cfg(test)]
mod tests;
