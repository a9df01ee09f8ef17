//! Half-width katakana (半角カナ) for NameKana: the result file carries the reading in half-width
//! katakana with a half-width space (別紙3-1 as transcribed by a public receipt-system watcher:
//! NameKana "half size"; hangilc/myclinic-ts `ResultOfQualificationConfirmation.ts`:
//! 「券面記載の氏名（半角カナ）」; the face file in hangilc/myclinic-ts `onshi-face.test.ts`:
//! `ｼﾝﾘｮｳ ﾀﾛｳ`). Records keep the full-width reading people write; this converts on output.

/// Half-width forms of the full-width katakana U+30A1 (ァ) ..= U+30F6 (ヶ), in order. Voiced and
/// semi-voiced kana take the half-width sound mark (ｶﾞ, ﾊﾟ); kana without a half-width form take
/// the nearest one (ヮ→ﾜ, ヰ→ｲ, ヱ→ｴ, ヵ→ｶ, ヶ→ｹ).
const HALF_WIDTH: [&str; 86] = [
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", // ァ..オ
    "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ", "ｺﾞ", // カ..ゴ
    "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", // サ..ゾ
    "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ", "ﾄﾞ", // タ..ド
    "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", // ナ..ノ
    "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", // ハ..ポ
    "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", // マ..モ
    "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ", // ャ..ヨ
    "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", // ラ..ロ
    "ﾜ", "ﾜ", "ｲ", "ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ", // ヮ..ヶ
];

/// The reading in half-width katakana: full-width (and hiragana) kana converted, the prolonged
/// sound mark ー to ｰ, the middle dot ・ to ･, the ideographic space to a space; anything else
/// kept as it is.
pub fn half_width_kana(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Hiragana ぁ..ゖ sit 0x60 below their katakana.
        let c = match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        };
        match c {
            '\u{30A1}'..='\u{30F6}' => {
                let index = (c as u32 - 0x30A1) as usize;
                out.push_str(HALF_WIDTH.get(index).copied().unwrap_or_default());
            }
            'ー' => out.push('ｰ'),
            '・' => out.push('･'),
            '\u{3000}' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_become_half_width() {
        assert_eq!(half_width_kana("ヤマダ　タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(half_width_kana("シンリョウ　タロウ"), "ｼﾝﾘｮｳ ﾀﾛｳ");
        assert_eq!(half_width_kana("ペーター・ヴァン"), "ﾍﾟｰﾀｰ･ｳﾞｧﾝ");
        assert_eq!(half_width_kana("すずき　はると"), "ｽｽﾞｷ ﾊﾙﾄ");
        assert_eq!(half_width_kana("ｶﾅ A"), "ｶﾅ A");
    }

    #[test]
    fn the_table_follows_the_code_points() {
        for (c, half) in [
            ('ァ', "ｧ"),
            ('ガ', "ｶﾞ"),
            ('ッ', "ｯ"),
            ('ポ', "ﾎﾟ"),
            ('ン', "ﾝ"),
            ('ヶ', "ｹ"),
        ] {
            assert_eq!(half_width_kana(&c.to_string()), half, "{c}");
        }
        for half in HALF_WIDTH {
            assert!(half.chars().all(|h| ('\u{FF61}'..='\u{FF9F}').contains(&h)));
        }
    }
}
