//! Status words (SW1 SW2), the two bytes that end every response.
//!
//! Meanings from ISO/IEC 7816-4:2005 §5.1.3 (Table 5 "structural scheme of status bytes" and
//! Table 6 "interindustry values of SW1-SW2"); which of them the My Number card answers, and when,
//! from DESIGN.md §2 (63Cx for the retry query also right after a success, 6984 once blocked).

use std::fmt;

/// A status word (SW1 SW2). One type for the whole workspace: the card answers with it, the
/// reader and the harness read it back.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000 normal processing (正常終了).
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6281 warning: part of the returned data may be corrupted.
    pub const DATA_MAY_BE_CORRUPTED: StatusWord = StatusWord(0x6281);
    /// 6282 warning: end of file reached before reading Le bytes.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// 63C0: verification failed and no try left (the last wrong try). 63Cx in general: see
    /// [`StatusWord::verify_failed`] and [`StatusWord::tries_left`].
    pub const NO_TRIES_LEFT: StatusWord = StatusWord(0x63C0);
    /// 6581 memory failure (the card could not write its memory).
    pub const MEMORY_FAILURE: StatusWord = StatusWord(0x6581);
    /// 6700 wrong length (Lc or Le, or a malformed APDU).
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6881 logical channel not supported.
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: StatusWord = StatusWord(0x6881);
    /// 6882 secure messaging not supported.
    pub const SECURE_MESSAGING_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);
    /// 6981 command incompatible with the file structure (e.g. READ BINARY on a PIN EF).
    pub const INCOMPATIBLE_FILE_STRUCTURE: StatusWord = StatusWord(0x6981);
    /// 6982 security status not satisfied (PIN not verified, or an access condition of NEVER).
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6983 authentication method blocked.
    pub const AUTHENTICATION_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    /// 6984 reference data not usable: the PIN is blocked (暗証番号ロック).
    pub const REFERENCE_DATA_NOT_USABLE: StatusWord = StatusWord(0x6984);
    /// 6985 conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// 6986 command not allowed (no current EF).
    pub const NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
    /// 6A80 incorrect parameters in the command data field (e.g. a new PIN of the wrong format).
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// 6A81 function not supported.
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    /// 6A82 file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A86 incorrect parameters P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6A88 referenced data not found: a PIN that is not set on this card (the face-only card,
    /// 顔認証マイナンバーカード), or a key or PIN named by short EF id that does not exist.
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// 6B00 wrong parameters P1-P2: for READ BINARY, an offset outside the EF.
    pub const OFFSET_OUTSIDE_EF: StatusWord = StatusWord(0x6B00);
    /// 6D00 instruction code not supported or invalid.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00 class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// 6F00 no precise diagnosis (internal error).
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);

    /// 63Cx: verification failed, or the answer to a retry-counter query; x (0–15) tries left.
    /// Larger counts are capped at 15, the most SW2 can say.
    pub fn verify_failed(tries_left: u8) -> StatusWord {
        StatusWord(0x63C0 | u16::from(tries_left.min(0x0F)))
    }

    /// For 63Cx: the tries left (x). `None` for every other status word.
    pub fn tries_left(self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }

    /// True for 9000 only. (61xx is also "normal processing" in ISO/IEC 7816-4, but it means the
    /// answer is not complete yet; the My Number card never uses it.)
    pub fn is_success(self) -> bool {
        self == StatusWord::OK
    }

    /// SW1.
    pub fn sw1(self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// The two bytes SW1 SW2.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// The status word of SW1 and SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> StatusWord {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }

    /// What the status word means, in Japanese and English (for traces and reports).
    pub fn meaning(self) -> Meaning {
        let (sw1, sw2) = (self.sw1(), self.sw2());
        if let Some(tries) = self.tries_left() {
            return Meaning {
                ja: format!("残り照合回数 {tries} 回（照合不一致、または残り回数の問い合わせ）"),
                en: format!("{tries} tries left (verification failed, or a retry-counter query)"),
            };
        }
        if sw1 == 0x61 {
            return Meaning {
                ja: format!("応答データ残り {sw2} バイト（GET RESPONSE で取得）"),
                en: format!("{sw2} more response bytes available (GET RESPONSE)"),
            };
        }
        if sw1 == 0x6C {
            return Meaning {
                ja: format!("Le 不正（正しい長さは {sw2} バイト）"),
                en: format!("wrong Le field ({sw2} bytes available)"),
            };
        }
        let (ja, en) = match self {
            StatusWord::OK => ("正常終了", "normal processing"),
            StatusWord::DATA_MAY_BE_CORRUPTED => (
                "返したデータの一部が壊れている可能性",
                "part of the returned data may be corrupted",
            ),
            StatusWord::END_OF_FILE => (
                "Le バイトを読む前にファイル終端に達した",
                "end of file reached before reading Le bytes",
            ),
            StatusWord::MEMORY_FAILURE => ("メモリ書き込み失敗", "memory failure"),
            StatusWord::WRONG_LENGTH => ("長さ（Lc/Le）不正", "wrong length"),
            StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED => {
                ("論理チャネル非対応", "logical channel not supported")
            }
            StatusWord::SECURE_MESSAGING_NOT_SUPPORTED => (
                "セキュアメッセージング非対応",
                "secure messaging not supported",
            ),
            StatusWord::INCOMPATIBLE_FILE_STRUCTURE => (
                "ファイル構造と合わないコマンド",
                "command incompatible with the file structure",
            ),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => (
                "セキュリティ条件不成立（暗証番号が照合されていない）",
                "security status not satisfied",
            ),
            StatusWord::AUTHENTICATION_METHOD_BLOCKED => (
                "認証方式がブロックされている",
                "authentication method blocked",
            ),
            StatusWord::REFERENCE_DATA_NOT_USABLE => (
                "参照データ使用不可（暗証番号ロック）",
                "reference data not usable (PIN blocked)",
            ),
            StatusWord::CONDITIONS_NOT_SATISFIED => {
                ("使用条件不成立", "conditions of use not satisfied")
            }
            StatusWord::NO_CURRENT_EF => (
                "コマンド不許可（カレントEFなし）",
                "command not allowed (no current EF)",
            ),
            StatusWord::WRONG_DATA => (
                "データフィールドのパラメータ不正",
                "incorrect parameters in the command data field",
            ),
            StatusWord::FUNCTION_NOT_SUPPORTED => ("機能非対応", "function not supported"),
            StatusWord::FILE_NOT_FOUND => (
                "ファイルまたはアプリケーションが見つからない",
                "file or application not found",
            ),
            StatusWord::WRONG_P1P2 => ("P1-P2 不正", "incorrect parameters P1-P2"),
            StatusWord::REFERENCED_DATA_NOT_FOUND => (
                "参照データが見つからない（暗証番号が設定されていない）",
                "referenced data not found",
            ),
            StatusWord::OFFSET_OUTSIDE_EF => (
                "P1-P2 不正（オフセットがEFの範囲外）",
                "wrong parameters P1-P2 (offset outside the EF)",
            ),
            StatusWord::INS_NOT_SUPPORTED => {
                ("INS 非対応", "instruction code not supported or invalid")
            }
            StatusWord::CLA_NOT_SUPPORTED => ("CLA 非対応", "class not supported"),
            StatusWord::NO_PRECISE_DIAGNOSIS => ("原因不明のエラー", "no precise diagnosis"),
            _ => match sw1 {
                0x62 => (
                    "警告（不揮発メモリは変化なし）",
                    "warning, non-volatile memory unchanged",
                ),
                0x63 => (
                    "警告（不揮発メモリが変化した）",
                    "warning, non-volatile memory changed",
                ),
                0x64 => (
                    "実行エラー（不揮発メモリは変化なし）",
                    "execution error, non-volatile memory unchanged",
                ),
                0x65 => (
                    "実行エラー（不揮発メモリが変化した）",
                    "execution error, non-volatile memory changed",
                ),
                0x66 => ("セキュリティ関連のエラー", "security-related error"),
                0x67 => ("長さ不正", "wrong length"),
                0x68 => ("CLA の機能が非対応", "functions in CLA not supported"),
                0x69 => ("コマンド不許可", "command not allowed"),
                0x6A | 0x6B => ("パラメータ不正", "wrong parameters"),
                _ => ("未定義のステータス", "unknown status word"),
            },
        };
        Meaning {
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// What a status word means: Japanese for people at the counter, English for developers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// Japanese text.
    pub ja: String,
    /// English text.
    pub en: String,
}

impl fmt::Display for Meaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_left_only_for_63cx() {
        assert_eq!(StatusWord::verify_failed(2), StatusWord(0x63C2));
        assert_eq!(StatusWord::verify_failed(40), StatusWord(0x63CF));
        assert_eq!(StatusWord(0x63C1).tries_left(), Some(1));
        assert_eq!(StatusWord::NO_TRIES_LEFT.tries_left(), Some(0));
        assert_eq!(StatusWord::OK.tries_left(), None);
        assert_eq!(StatusWord(0x6300).tries_left(), None);
        assert_eq!(StatusWord(0x62C1).tries_left(), None);
    }

    #[test]
    fn bytes_and_success() {
        let sw = StatusWord::from_bytes(0x6A, 0x82);
        assert_eq!(sw, StatusWord::FILE_NOT_FOUND);
        assert_eq!(
            (sw.sw1(), sw.sw2(), sw.to_bytes()),
            (0x6A, 0x82, [0x6A, 0x82])
        );
        assert!(StatusWord::OK.is_success());
        assert!(!StatusWord(0x6100).is_success());
        assert!(!StatusWord(0x63C3).is_success());
        assert_eq!(format!("{sw} {sw:?}"), "6A82 SW 6A82");
    }

    #[test]
    fn every_word_has_a_meaning_in_both_languages() {
        for value in 0..=u16::MAX {
            let meaning = StatusWord(value).meaning();
            assert!(!meaning.ja.is_empty() && !meaning.en.is_empty());
        }
        assert_eq!(StatusWord::OK.meaning().ja, "正常終了");
        assert!(StatusWord(0x63C2)
            .meaning()
            .ja
            .contains("残り照合回数 2 回"));
        assert!(StatusWord::REFERENCE_DATA_NOT_USABLE
            .meaning()
            .en
            .contains("PIN blocked"));
    }
}
