//! The reader's operating mode, set from the verification terminal.

use serde::{Deserialize, Serialize};

/// Operating mode of a face-recognition card reader, switched on the terminal's
/// 顔認証付きカードリーダー操作 screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ReaderMode {
    /// 無人運転: the patient chooses face or PIN on the reader.
    #[default]
    Unattended,
    /// 暗証番号認証固定: PIN only.
    PinOnly,
    /// 目視確認: staff confirm identity by looking at the card photo; the patient still places the
    /// card and chooses consents.
    VisualCheck,
}

impl ReaderMode {
    /// Every mode, in the order of the terminal's buttons.
    pub const ALL: [ReaderMode; 3] = [Self::Unattended, Self::PinOnly, Self::VisualCheck];

    /// The label on the terminal's button, as the operator screen shows it (no invented text):
    /// 「無人運転」「暗証番号認証固定」「目視確認」 on 顔認証付きカードリーダー操作 in the procedure sheet
    /// 別添2「『顔認証』、『暗証番号』の両方で資格確認ができない場合、『目視確認モード』を使って
    /// 資格確認を行ってください」 (the project's seed; DESIGN.md §1).
    pub fn label(self) -> &'static str {
        match self {
            Self::Unattended => "無人運転",
            Self::PinOnly => "暗証番号認証固定",
            Self::VisualCheck => "目視確認",
        }
    }
}
