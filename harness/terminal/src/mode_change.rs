//! The confirmation step of a mode switch on 顔認証付きカードリーダー操作: pressing a mode button
//! opens 切替の確認 (OK / キャンセル); OK switches the reader and shows 切替の完了 with OK.
//!
//! Source for the sequence: a clinic's public walkthrough of 目視確認モード (「表示された画面から
//! [目視確認]をクリックします。切替の確認、切替の完了メッセージが表示されますので「OK」をクリックすると
//! 即時目視確認モードに切り替わります」, https://xn--eckl3qmbc2306foeya813arge.com/?p=137, read via
//! the project's page search). The exact wording of the two messages was not found in any public
//! source searched (オンライン資格確認等システム 操作マニュアル, 医療機関等向けポータルサイト pages): the
//! titles 切替の確認 / 切替の完了 follow that walkthrough, the sentences in [`crate::screen`] are
//! ours.

use harness_reader::ReaderMode;

/// A switch of one reader's mode, as asked for by an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChange {
    /// PC/SC name of the reader.
    pub reader: String,
    /// Its mode when the button was pressed.
    pub from: ReaderMode,
    /// The mode of the button pressed.
    pub to: ReaderMode,
}

/// The dialogue open in one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeDialog {
    /// 切替の確認: waiting for OK or キャンセル; nothing has changed yet.
    Confirm(ModeChange),
    /// 切替の完了: the switch was made; waiting for OK.
    Done(ModeChange),
}
