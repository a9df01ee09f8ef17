//! The reader's patient screen drawn as a touchscreen (an HTML fragment): a dark panel with the
//! screen's title, its lines, and its buttons as button-looking, non-interactive spans. The
//! report shows it after each step; the live clinic can show the same fragment.
//!
//! The words are the reader's own ([`PatientScreen::render`] and [`PatientScreen::buttons`]);
//! only the look is drawn here. It is the harness's look, not a maker's: real readers differ by
//! maker (see harness-reader's screen module).

use std::fmt::Write as _;

use harness_reader::PatientScreen;

use super::escape::html_escape;

/// The fragment's style; a page showing [`patient_screen_html`] includes it once (in `<style>`).
pub const PATIENT_SCREEN_STYLE: &str = "\
.patient-screen{width:25em;min-height:13em;background:#102a43;color:#f0f4f8;border-radius:14px;\
padding:1em 1.1em;border:8px solid #2d3436;box-sizing:border-box;font-size:.95em;\
box-shadow:0 2px 6px rgba(0,0,0,.35)}\
.patient-screen .ps-title{font-size:1.15em;font-weight:bold;margin:0 0 .5em;color:#fff}\
.patient-screen .ps-line{margin:.25em 0}\
.patient-screen .ps-entry{font-size:1.6em;letter-spacing:.3em;margin:.3em 0}\
.patient-screen .ps-buttons{display:flex;gap:.45em;flex-wrap:wrap;margin-top:.9em}\
.patient-screen .ps-keypad{display:grid;grid-template-columns:repeat(3,3.2em);gap:.35em;\
margin-top:.7em}\
.patient-screen .ps-button{display:inline-block;background:#f0f4f8;color:#102a43;\
border-radius:8px;padding:.45em .9em;font-weight:bold;text-align:center;\
box-shadow:0 2px 0 #829ab1;cursor:default;user-select:none}\
.patient-screen .ps-keypad .ps-button{padding:.45em 0}\
.patient-screen .ps-keypad .ps-zero{grid-column:2}\
.patient-screen .ps-button.ps-cancel{background:#e9b8b8;color:#611a15}";

/// The patient screen as an HTML fragment (style: [`PATIENT_SCREEN_STYLE`]). Every text is
/// escaped; the buttons are spans, so nothing on it can be pressed.
pub fn patient_screen_html(screen: &PatientScreen) -> String {
    let text = screen.render();
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let title = lines.next().unwrap_or_default();
    let mut h = String::new();
    let _ = write!(
        h,
        "<div class=\"patient-screen\"><p class=\"ps-title\">{}</p>",
        html_escape(title)
    );
    for line in lines.filter(|line| !only_buttons(line)) {
        let class = if line.chars().all(|c| c == '●' || c == '○') {
            "ps-line ps-entry"
        } else {
            "ps-line"
        };
        let _ = write!(h, "<p class=\"{class}\">{}</p>", html_escape(line));
    }
    let buttons = screen.buttons();
    let (digits, others): (Vec<_>, Vec<_>) = buttons
        .iter()
        .map(|(label, _)| label.as_str())
        .partition(|label| label.len() == 1 && label.bytes().all(|b| b.is_ascii_digit()));
    if !digits.is_empty() {
        // A keypad as the reader draws its rows: 1–9, then 0.
        h.push_str("<div class=\"ps-keypad\">");
        let ordered = digits
            .iter()
            .filter(|d| **d != "0")
            .chain(digits.iter().filter(|d| **d == "0"));
        for digit in ordered {
            button(&mut h, digit, *digit == "0");
        }
        h.push_str("</div>");
    }
    if !others.is_empty() {
        h.push_str("<div class=\"ps-buttons\">");
        for label in others {
            button(&mut h, label, false);
        }
        h.push_str("</div>");
    }
    h.push_str("</div>");
    h
}

/// One button; 中止 tinted, 0 under 8 on the keypad.
fn button(h: &mut String, label: &str, zero_key: bool) {
    let class = if label == "中止" {
        "ps-button ps-cancel"
    } else if zero_key {
        "ps-button ps-zero"
    } else {
        "ps-button"
    };
    let _ = write!(
        h,
        "<span class=\"{class}\" aria-disabled=\"true\">{}</span>",
        html_escape(label)
    );
}

/// True for a text line that only lists buttons (`［1］［2］…`): they are drawn from
/// [`PatientScreen::buttons`] instead.
fn only_buttons(line: &str) -> bool {
    let mut rest = line.trim();
    if !rest.starts_with('［') {
        return false;
    }
    while let Some(after_open) = rest.strip_prefix('［') {
        match after_open.find('］') {
            Some(end) => rest = after_open[end + '］'.len_utf8()..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness_reader::vocab::Availability;

    #[test]
    fn buttons_are_drawn_once_and_cannot_be_pressed() {
        let screen = PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Locked,
        };
        let html = patient_screen_html(&screen);
        assert!(html.contains("<p class=\"ps-title\">本人確認の方法を選択してください</p>"));
        assert!(html.contains("暗証番号（ロック中のため利用できません）"));
        assert_eq!(html.matches(">顔認証</span>").count(), 1, "{html}");
        assert_eq!(html.matches(">中止</span>").count(), 1, "{html}");
        assert!(
            !html.contains("［"),
            "button lines are drawn as buttons: {html}"
        );
        for interactive in ["<button", "<a ", "<form", "<input", "onclick", "<script"] {
            assert!(!html.contains(interactive), "{interactive} in {html}");
        }
    }

    #[test]
    fn the_pin_pad_shows_dots_and_a_keypad_never_digits_typed() {
        let screen = PatientScreen::EnterPin {
            tries_left: 2,
            typed: 3,
            last_wrong: true,
            malformed: false,
        };
        let html = patient_screen_html(&screen);
        assert!(html.contains("暗証番号が違います"));
        assert!(
            html.contains("<p class=\"ps-line ps-entry\">●●●○</p>"),
            "{html}"
        );
        let keypad = html
            .split("<div class=\"ps-keypad\">")
            .nth(1)
            .and_then(|rest| rest.split("</div>").next())
            .unwrap_or_default();
        let order: String = keypad
            .split("aria-disabled=\"true\">")
            .skip(1)
            .filter_map(|b| b.split('<').next())
            .collect();
        assert_eq!(order, "1234567890");
        assert!(html.contains(">訂正</span>") && html.contains(">OK</span>"));
    }

    #[test]
    fn only_whole_button_lines_are_dropped() {
        assert!(only_buttons("［1］［2］［3］"));
        assert!(only_buttons("［訂正］［OK］［中止］"));
        assert!(!only_buttons("顔認証（ロック中のため利用できません）"));
        assert!(!only_buttons("［中止］ してください"));
        assert!(!only_buttons("［壊れた"));
    }
}
