//! The terminal's screens as values, and their text rendering (stable, for snapshots). The same
//! values render as HTML in [`crate::html`].

use chrono::{NaiveDate, NaiveDateTime};
use harness_reader::ReaderMode;

use crate::account::AccountKind;
use crate::mode_change::{ModeChange, ModeDialog};

/// Title of the system (オンライン資格確認等システム).
pub const SYSTEM_TITLE: &str = "オンライン資格確認等システム";
/// Title of the reader screen (顔認証付きカードリーダー操作).
pub const READER_SCREEN_TITLE: &str = "顔認証付きカードリーダー操作";
/// Marker legend: the selected mode is shown 【like this】 in text (green in HTML).
const SELECTED_LEGEND: &str = "※選択中のモード: 【　】";

/// A message shown above a screen's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An operation was refused (e.g. a general account pressed a mode button).
    Refused(String),
    /// The input was wrong (e.g. 資格確認日 missing).
    Error(String),
    /// Something was done.
    Done(String),
}

/// What the login screen says above the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginMessage {
    /// Wrong user id or password.
    InvalidCredentials,
    /// Locked after repeated failures, until the given time.
    Locked {
        /// End of the lock.
        until: NaiveDateTime,
    },
    /// The session expired.
    SessionExpired,
    /// Logged out.
    LoggedOut,
    /// The form came without a valid CSRF token.
    Forbidden,
}

/// ログイン screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginScreen {
    /// 医療機関名.
    pub facility_name: String,
    /// ユーザID typed last time (kept in the form after a failure).
    pub user_id: String,
    /// Message above the form.
    pub message: Option<LoginMessage>,
}

/// Marks every harness aid on a screen: text the real terminal does not show.
pub const HARNESS_AID: &str = "【ハーネス拡張】";

/// A link to another page on the メニュー screen (hosts add their own pages, e.g. practice drills).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    /// The label shown.
    pub label: String,
    /// Where it leads (a path on the same site).
    pub href: String,
}

/// メニュー screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuScreen {
    /// 医療機関名.
    pub facility_name: String,
    /// ユーザID.
    pub user_id: String,
    /// 管理 or 一般.
    pub account_kind: AccountKind,
    /// Pages the host adds below 顔認証付きカードリーダー操作 (none on the real terminal).
    pub extra_links: Vec<MenuLink>,
}

/// Harness extension (auto-return): when a reader left in 目視確認 will return to 無人運転.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoReturnView {
    /// When the patient has finished.
    AfterPatient,
    /// At this time.
    At(NaiveDateTime),
}

/// Harness extension (switch-back warning): the forgotten switch-back of the seed's step ⑦, shown
/// for a reader still in 目視確認 after a visual confirmation was used. The real screen has no
/// such warning: it is on only when [`crate::TerminalPolicy::switch_back_warning`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchBackWarning {
    /// When the confirmation was used.
    pub used_at: NaiveDateTime,
}

/// One reader line: カードリーダー名 / 現在のモード.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderRow {
    /// PC/SC name.
    pub name: String,
    /// 現在のモード.
    pub mode: ReaderMode,
    /// Harness extension, when on: the reader stays in 目視確認 after a confirmation was used.
    pub switch_back_warning: Option<SwitchBackWarning>,
    /// Harness extension, when on: when the reader will return to 無人運転 by itself.
    pub auto_return: Option<AutoReturnView>,
}

/// One reader the 目視確認時利用項目 form can confirm for (a reader in 目視確認).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualTarget {
    /// PC/SC name of the reader.
    pub reader: String,
    /// `Some(資格確認日)` once 目視で本人確認完了 is ticked (until a card uses it or it lapses).
    pub ticked: Option<NaiveDate>,
}

/// The 目視確認時利用項目 section. As on the seed's screen it is always there; its box can be
/// ticked only while a reader is in 目視確認. The seed shows one reader in 目視確認 and one form
/// naming no reader; how the real screen ties the box to one of several readers in 目視確認 is not
/// public, so only then does the harness show one box per reader, each with the reader's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualSection {
    /// The readers in 目視確認, in screen order (none: the box is disabled).
    pub targets: Vec<VisualTarget>,
    /// The date pre-filled in 資格確認日 (today).
    pub default_date: NaiveDate,
}

/// 顔認証付きカードリーダー操作 screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderScreen {
    /// 医療機関名.
    pub facility_name: String,
    /// ユーザID.
    pub user_id: String,
    /// 管理 or 一般.
    pub account_kind: AccountKind,
    /// Every reader, in order.
    pub readers: Vec<ReaderRow>,
    /// 目視確認時利用項目.
    pub visual: VisualSection,
    /// The mode-switch dialogue open in this session (切替の確認 / 切替の完了), shown over the
    /// screen: while it is open the screen's other buttons are disabled.
    pub dialog: Option<ModeDialog>,
    /// Refusal, error or confirmation message.
    pub notice: Option<Notice>,
}

/// Any screen of the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// ログイン.
    Login(LoginScreen),
    /// メニュー.
    Menu(MenuScreen),
    /// 顔認証付きカードリーダー操作.
    Readers(ReaderScreen),
}

impl LoginMessage {
    /// The text shown.
    pub fn text(&self) -> String {
        match self {
            Self::InvalidCredentials => "ユーザIDまたはパスワードが正しくありません。".to_owned(),
            Self::Locked { until } => format!(
                "ログインの失敗が続いたため、アカウントをロックしました。{} 以降に再度ログインしてください。",
                until.format("%Y/%m/%d %H:%M")
            ),
            Self::SessionExpired => {
                "一定時間操作がなかったため、ログアウトしました。再度ログインしてください。".to_owned()
            }
            Self::LoggedOut => "ログアウトしました。".to_owned(),
            Self::Forbidden => "不正な要求のため処理できません。画面を再読み込みしてください。".to_owned(),
        }
    }
}

impl Notice {
    /// The text shown.
    pub fn text(&self) -> &str {
        match self {
            Self::Refused(text) | Self::Error(text) | Self::Done(text) => text,
        }
    }

    fn prefix(&self) -> &'static str {
        match self {
            Self::Refused(_) => "【操作できません】",
            Self::Error(_) => "【入力エラー】",
            Self::Done(_) => "【完了】",
        }
    }
}

impl SwitchBackWarning {
    /// The warning's lines, each marked as a harness aid.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!(
                "{HARNESS_AID}⚠ {} に目視確認を利用しました。目視確認モードのままです。",
                self.used_at.format("%H:%M")
            ),
            // The parenthesis is the seed's own warning at step ⑦.
            format!("{HARNESS_AID}患者の操作が終了したら「無人運転」に切り替えてください。（切り替えを忘れると、顔認証・暗証番号入力ができず、目視確認でしか本人確認ができません。）"),
        ]
    }
}

impl AutoReturnView {
    /// The line shown, marked as a harness aid.
    pub fn line(&self) -> String {
        match self {
            Self::AfterPatient => {
                format!("{HARNESS_AID}患者の操作が終了すると自動的に「無人運転」に戻ります。")
            }
            Self::At(at) => format!(
                "{HARNESS_AID}{} に自動的に「無人運転」に戻ります。",
                at.format("%H:%M")
            ),
        }
    }
}

/// The title of a mode-switch dialogue (see [`crate::mode_change`] for the source).
pub fn dialog_title(dialog: &ModeDialog) -> &'static str {
    match dialog {
        ModeDialog::Confirm(_) => "切替の確認",
        ModeDialog::Done(_) => "切替の完了",
    }
}

/// The sentence of a mode-switch dialogue (ours: the real wording is not public).
pub fn dialog_message(dialog: &ModeDialog) -> String {
    match dialog {
        ModeDialog::Confirm(ModeChange { reader, from, to }) => format!(
            "カードリーダー「{reader}」のモードを「{}」から「{}」に切り替えます。よろしいですか。",
            from.label(),
            to.label()
        ),
        ModeDialog::Done(ModeChange { reader, to, .. }) => format!(
            "カードリーダー「{reader}」のモードを「{}」に切り替えました。",
            to.label()
        ),
    }
}

/// The mode buttons of a reader in text: the selected one 【in brackets】.
fn mode_buttons(selected: ReaderMode) -> String {
    ReaderMode::ALL
        .iter()
        .map(|&mode| {
            if mode == selected {
                format!("【{}】", mode.label())
            } else {
                format!("[{}]", mode.label())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders a screen as text, one line per visual line, stable for snapshots.
pub fn render_text(screen: &Screen) -> String {
    let mut out = Vec::<String>::new();
    match screen {
        Screen::Login(login) => {
            out.push(SYSTEM_TITLE.to_owned());
            out.push("ログイン".to_owned());
            out.push(String::new());
            out.push(login.facility_name.clone());
            if let Some(message) = &login.message {
                out.push(format!("【お知らせ】{}", message.text()));
            }
            out.push(format!("ユーザID: [{}]", login.user_id));
            out.push("パスワード: [        ]".to_owned());
            out.push("[ログイン]".to_owned());
        }
        Screen::Menu(menu) => {
            header(&mut out, "メニュー", &menu.facility_name, menu.account_kind);
            out.push(format!("[{READER_SCREEN_TITLE}]"));
            for link in &menu.extra_links {
                out.push(format!("[{}]", link.label));
            }
        }
        Screen::Readers(screen) => reader_screen_text(&mut out, screen),
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn reader_screen_text(out: &mut Vec<String>, screen: &ReaderScreen) {
    header(
        out,
        READER_SCREEN_TITLE,
        &screen.facility_name,
        screen.account_kind,
    );
    if let Some(notice) = &screen.notice {
        out.push(format!("{}{}", notice.prefix(), notice.text()));
        out.push(String::new());
    }
    if let Some(dialog) = &screen.dialog {
        out.push(format!("＜{}＞", dialog_title(dialog)));
        out.push(dialog_message(dialog));
        out.push(match dialog {
            ModeDialog::Confirm(_) => "[OK] [キャンセル]".to_owned(),
            ModeDialog::Done(_) => "[OK]".to_owned(),
        });
        out.push(String::new());
    }
    out.push(format!(
        "カードリーダー名 / 現在のモード  {SELECTED_LEGEND}  [再読み込み]"
    ));
    for reader in &screen.readers {
        out.push(String::new());
        out.push(reader.name.clone());
        out.push(format!("  {}", mode_buttons(reader.mode)));
        if let Some(warning) = &reader.switch_back_warning {
            for line in warning.lines() {
                out.push(format!("  {line}"));
            }
        }
        if let Some(auto_return) = &reader.auto_return {
            out.push(format!("  {}", auto_return.line()));
        }
    }
    out.push(String::new());
    out.push("目視確認時利用項目".to_owned());
    out.push("  本人確認".to_owned());
    out.push("    マイナンバーカードの券面で目視確認".to_owned());
    let visual = &screen.visual;
    let named = visual.targets.len() > 1;
    if visual.targets.is_empty() {
        out.push("    [ ] 目視で本人確認完了".to_owned());
        out.push(date_line(visual.default_date));
    }
    for target in &visual.targets {
        let (tick, date) = match target.ticked {
            Some(date) => ("[x]", date),
            None => ("[ ]", visual.default_date),
        };
        if named {
            out.push(format!(
                "    {tick} 目視で本人確認完了（{}）",
                target.reader
            ));
        } else {
            out.push(format!("    {tick} 目視で本人確認完了"));
        }
        out.push(date_line(date));
    }
    out.push(String::new());
    out.push("[メニュー] [戻る]".to_owned());
}

fn date_line(date: NaiveDate) -> String {
    format!("  * 資格確認日: {}  * 必須項目", date.format("%Y/%m/%d"))
}

fn header(out: &mut Vec<String>, title: &str, facility: &str, kind: AccountKind) {
    out.push(SYSTEM_TITLE.to_owned());
    out.push(title.to_owned());
    out.push(String::new());
    out.push(facility.to_owned());
    out.push(kind.label().to_owned());
    out.push(format!("{} [ログアウト]", kind.short_label()));
    out.push(String::new());
}
