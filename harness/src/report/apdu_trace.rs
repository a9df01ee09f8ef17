//! The APDU trace as the report shows it, decoded by card-protocol's tracer: command names,
//! files, status words and their meanings; PINs masked and response data never shown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use card_protocol::command::ins;
use card_protocol::trace::Tracer;

use super::escape::{both, html_escape};
use super::records::ApduRecord;

/// The APDU trace, decoded: per exchange the time, reader, command, file, masked command hex,
/// status word with its meaning, response length and how long the card took. One decoder per
/// reader follows the selection; it starts afresh when a card is placed. Response data and the
/// data of VERIFY / CHANGE REFERENCE DATA are never shown.
pub fn apdu_table_html(h: &mut String, apdus: &[ApduRecord]) {
    let _ = write!(
        h,
        "<table class=\"apdu\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
<th>SW</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        both("時刻", "Time"),
        both("リーダー", "Reader"),
        both("コマンド", "Command"),
        both("対象", "File"),
        both(
            "コマンド（16進、暗証番号は伏字）",
            "Command hex (PINs masked)"
        ),
        both("意味", "Meaning"),
        both("応答データ", "Response data"),
        both("所要時間", "Took"),
    );
    let mut tracers: BTreeMap<&str, Tracer> = BTreeMap::new();
    for apdu in apdus {
        let tracer = tracers.entry(apdu.reader.as_str()).or_default();
        if apdu.card_placed {
            tracer.reset();
        }
        let response: &[u8] = match &apdu.response {
            Ok(bytes) => bytes,
            Err(_) => &[],
        };
        let line = tracer.line(&apdu.command, response);
        let (sw, meaning, class) = match (&apdu.response, line.status, &line.meaning) {
            (Err(e), _, _) => (
                "—".to_owned(),
                format!(
                    "{} {}",
                    both("通信エラー:", "channel error:"),
                    html_escape(e)
                ),
                "fail",
            ),
            (Ok(_), Some(sw), Some(meaning)) => (
                sw.to_string(),
                both(&meaning.ja, &meaning.en),
                if sw.is_success() { "" } else { "warn" },
            ),
            (Ok(_), _, _) => (
                "—".to_owned(),
                both("ステータスワードなし", "no status word"),
                "fail",
            ),
        };
        let file = line.file.as_deref().unwrap_or("");
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td>\
<td class=\"num\"><code>{}</code></td><td>{meaning}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            mm_ss_mmm(apdu.at),
            html_escape(&apdu.reader),
            command_html(apdu.command.get(1).copied(), &line.command),
            html_escape(file),
            html_escape(&line.command_hex),
            html_escape(&sw),
            both(
                &format!("{} バイト", line.response_len),
                &format!("{} bytes", line.response_len)
            ),
            both(
                &format!("{:.1} ミリ秒", apdu.took.as_secs_f64() * 1000.0),
                &format!("{:.1} ms", apdu.took.as_secs_f64() * 1000.0)
            ),
        );
    }
    h.push_str("</table>");
}

/// The command: a Japanese gloss of the instruction (the harness's wording) above the decoder's
/// ISO 7816-4 description, which never holds a secret.
fn command_html(instruction: Option<u8>, described: &str) -> String {
    let gloss = match instruction {
        Some(ins::SELECT) => "ファイル選択",
        Some(ins::READ_BINARY) => "読み出し",
        Some(ins::VERIFY) => "暗証番号の照合（番号は表示しません）",
        Some(ins::CHANGE_REFERENCE_DATA) => "暗証番号の変更（番号は表示しません）",
        Some(ins::COMPUTE_DIGITAL_SIGNATURE) => "電子署名の計算",
        Some(ins::GET_RESPONSE) => "残りの応答データの取得",
        _ => "不明なコマンド",
    };
    format!(
        "<span class=\"ja\">{}<br></span><code>{}</code>",
        html_escape(gloss),
        html_escape(described)
    )
}

/// Facility time since the scenario started as `mm:ss.mmm` (minutes keep counting past 59).
fn mm_ss_mmm(at: std::time::Duration) -> String {
    let millis = at.as_millis();
    format!(
        "{:02}:{:02}.{:03}",
        millis / 60_000,
        (millis / 1000) % 60,
        millis % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use card_protocol::command::{PinTarget, Verify};
    use card_protocol::{Application, PinBytes, Select};
    use std::time::Duration;

    fn record(command: Vec<u8>, response: &[u8], at_ms: u64, card_placed: bool) -> ApduRecord {
        ApduRecord {
            reader: "受付1".into(),
            command,
            response: Ok(response.to_vec()),
            at: Duration::from_millis(at_ms),
            took: Duration::from_micros(1500),
            card_placed,
        }
    }

    #[test]
    fn the_trace_names_commands_files_and_status_words_and_masks_the_pin() {
        let verify = Verify::new(PinTarget::ShortEf(0x18), PinBytes::new(b"1234".to_vec()))
            .expect("verify")
            .encode();
        assert!(
            verify.windows(4).any(|w| w == b"1234"),
            "the test command carries the PIN"
        );
        let mut response = b"1234".to_vec();
        response.extend_from_slice(&[0x90, 0x00]);
        let apdus = [
            record(
                Select::application(Application::Jpki).encode(),
                &[0x90, 0x00],
                61_234,
                true,
            ),
            record(verify, &[0x63, 0xC2], 61_300, false),
            // A response that happens to hold the same bytes: never shown either.
            record(vec![0x00, 0xB0, 0x00, 0x00, 0x04], &response, 61_400, false),
        ];
        let mut h = String::new();
        apdu_table_html(&mut h, &apdus);
        for secret in ["1234", "31 32 33 34", "31323334"] {
            assert!(!h.contains(secret), "{secret} in {h}");
        }
        assert!(h.contains("01:01.234"), "{h}");
        assert!(h.contains("公的個人認証AP"), "{h}");
        assert!(h.contains("00 20 00 98 **"), "{h}");
        assert!(h.contains("残り照合回数 2 回"), "{h}");
        assert!(h.contains("2 tries left"), "{h}");
        assert!(
            h.contains("正常終了") && h.contains("normal processing"),
            "{h}"
        );
        assert!(h.contains("1.5 ミリ秒"), "{h}");
        assert!(h.contains("4 バイト"), "{h}");
    }

    #[test]
    fn placing_a_card_forgets_the_selection() {
        let read = vec![0x00, 0xB0, 0x00, 0x00, 0x04];
        let ok = [0x01, 0x02, 0x03, 0x04, 0x90, 0x00];
        let apdus = [
            record(
                Select::application(Application::Jpki).encode(),
                &[0x90, 0x00],
                0,
                true,
            ),
            record(Select::ef(0x000A).encode(), &[0x90, 0x00], 1, false),
            record(read.clone(), &ok, 2, false),
            record(read, &ok, 3, true),
        ];
        let mut h = String::new();
        apdu_table_html(&mut h, &apdus);
        // The select and the first read name the certificate; the read on a new card does not.
        assert_eq!(h.matches("EF 000A").count(), 2, "{h}");
    }

    #[test]
    fn channel_errors_are_shown_as_such() {
        let mut apdus = [record(vec![0x00, 0xB0, 0x00, 0x00, 0x04], &[], 0, true)];
        apdus[0].response = Err("<カードが応答しません>".into());
        let mut h = String::new();
        apdu_table_html(&mut h, &apdus);
        assert!(h.contains("通信エラー"), "{h}");
        assert!(h.contains("&lt;カードが応答しません&gt;"), "{h}");
    }

    #[test]
    fn times_read_as_minutes_seconds_and_milliseconds() {
        assert_eq!(mm_ss_mmm(Duration::from_millis(0)), "00:00.000");
        assert_eq!(mm_ss_mmm(Duration::from_millis(3_723_045)), "62:03.045");
    }
}
