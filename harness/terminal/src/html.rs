//! HTML rendering of the screens (maud escapes every interpolated value). Every form carries the
//! CSRF token in a hidden field named `csrf`. [`render_frame`] gives a host's own pages the same
//! frame (title, header with ログアウト, メニュー / 戻る) as the terminal's.

use harness_reader::ReaderMode;
use maud::{html, Markup, DOCTYPE};

use crate::account::AccountKind;
use crate::mode_change::ModeDialog;
use crate::screen::{
    dialog_message, dialog_title, LoginScreen, MenuScreen, Notice, ReaderScreen, Screen,
    VisualSection, READER_SCREEN_TITLE, SYSTEM_TITLE,
};

/// Form value of a mode button.
pub fn mode_form_value(mode: ReaderMode) -> &'static str {
    match mode {
        ReaderMode::Unattended => "unattended",
        ReaderMode::PinOnly => "pin_only",
        ReaderMode::VisualCheck => "visual_check",
    }
}

/// Parses a mode button's form value.
pub fn parse_mode_form_value(value: &str) -> Option<ReaderMode> {
    ReaderMode::ALL
        .into_iter()
        .find(|&mode| mode_form_value(mode) == value)
}

/// Paths of the terminal's forms (the router serves them; the HTML posts to them).
pub mod paths {
    /// A mode button: opens 切替の確認.
    pub const MODE: &str = "/readers/mode";
    /// OK on 切替の確認.
    pub const MODE_CONFIRM: &str = "/readers/mode/confirm";
    /// キャンセル on 切替の確認.
    pub const MODE_CANCEL: &str = "/readers/mode/cancel";
    /// OK on 切替の完了.
    pub const MODE_OK: &str = "/readers/mode/ok";
    /// 目視で本人確認完了 with 資格確認日.
    pub const VISUAL: &str = "/readers/visual";
    /// ログアウト.
    pub const LOGOUT: &str = "/logout";
    /// メニュー.
    pub const MENU: &str = "/menu";
    /// 顔認証付きカードリーダー操作 (再読み込み).
    pub const READERS: &str = "/readers";
    /// ログイン.
    pub const LOGIN: &str = "/login";
}

const STYLE: &str = "body{font-family:sans-serif;margin:1em}\
.mode{padding:.4em .8em;margin-right:.3em;border:1px solid #888;background:#eee}\
.mode.selected{background:#2e8b57;color:#fff;font-weight:bold}\
.legend{display:inline-block;width:1.5em;height:1em;background:#2e8b57;vertical-align:middle}\
.notice{padding:.5em;border:2px solid #c00;background:#fee}\
.notice.done{border-color:#080;background:#efe}\
.warning{padding:.5em;border:2px solid #e90;background:#ffd}\
.dialog{padding:1em;border:2px solid #333;background:#fff;box-shadow:0 0 0 100vmax rgba(0,0,0,.3);position:relative}\
.dialog form{display:inline}\
.tick{border:none;background:none;font-size:1em;padding:0;cursor:pointer}\
.reader{margin:.8em 0}";

/// What the frame of a logged-in page shows.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The page's title (e.g. 顔認証付きカードリーダー操作).
    pub title: &'a str,
    /// 医療機関名.
    pub facility_name: &'a str,
    /// 管理 or 一般.
    pub account_kind: AccountKind,
}

/// A whole logged-in page: the terminal's header (system title, page title, facility, account
/// kind, ログアウト), then `content`, then メニュー / 戻る. `csrf` goes into the ログアウト form; a
/// host's own forms carry it too (see [`csrf_field`]).
pub fn render_frame(frame: &Frame<'_>, csrf: &str, content: Markup) -> String {
    framed(frame, csrf, content, true)
}

/// The frame; メニュー itself has no メニュー / 戻る.
fn framed(frame: &Frame<'_>, csrf: &str, content: Markup, nav: bool) -> String {
    document(
        frame.title,
        html! {
            (header(frame, csrf))
            (content)
            @if nav {
                nav {
                    a href=(paths::MENU) { "メニュー" } " "
                    a href=(paths::MENU) { "戻る" }
                }
            }
        },
    )
}

/// The hidden CSRF field every form of a session carries.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// Renders a screen as a whole HTML page. `csrf` goes into every form.
pub fn render_html(screen: &Screen, csrf: &str) -> String {
    match screen {
        Screen::Login(login) => document("ログイン", login_body(login, csrf)),
        Screen::Menu(menu) => framed(
            &Frame {
                title: "メニュー",
                facility_name: &menu.facility_name,
                account_kind: menu.account_kind,
            },
            csrf,
            menu_body(menu),
            false,
        ),
        Screen::Readers(readers) => render_frame(
            &Frame {
                title: READER_SCREEN_TITLE,
                facility_name: &readers.facility_name,
                account_kind: readers.account_kind,
            },
            csrf,
            readers_body(readers, csrf),
        ),
    }
}

fn document(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                title { (SYSTEM_TITLE) " - " (title) }
                style { (STYLE) }
            }
            body { (body) }
        }
    }
    .into_string()
}

fn login_body(login: &LoginScreen, csrf: &str) -> Markup {
    html! {
        h1 { (SYSTEM_TITLE) }
        h2 { "ログイン" }
        p { (login.facility_name) }
        @if let Some(message) = &login.message {
            p.notice role="alert" { (message.text()) }
        }
        form method="post" action=(paths::LOGIN) {
            (csrf_field(csrf))
            p { label { "ユーザID " input type="text" name="user_id" value=(login.user_id) autocomplete="username" required; } }
            p { label { "パスワード " input type="password" name="password" autocomplete="current-password" required; } }
            button type="submit" { "ログイン" }
        }
    }
}

fn header(frame: &Frame<'_>, csrf: &str) -> Markup {
    html! {
        header {
            h1 { (SYSTEM_TITLE) }
            h2 { (frame.title) }
            p.facility { (frame.facility_name) }
            p.account { (frame.account_kind.label()) }
            form method="post" action=(paths::LOGOUT) {
                (csrf_field(csrf))
                (frame.account_kind.short_label()) " "
                button type="submit" { "ログアウト" }
            }
        }
    }
}

fn menu_body(menu: &MenuScreen) -> Markup {
    html! {
        ul {
            li { a href=(paths::READERS) { (READER_SCREEN_TITLE) } }
            @for link in &menu.extra_links {
                li { a href=(link.href) { (link.label) } }
            }
        }
    }
}

fn notice(n: &Notice) -> Markup {
    let class = match n {
        Notice::Done(_) => "notice done",
        Notice::Refused(_) | Notice::Error(_) => "notice",
    };
    html! { p class=(class) role="alert" { (n.text()) } }
}

/// 切替の確認 (OK / キャンセル) or 切替の完了 (OK), shown over the screen.
fn dialog(dialog: &ModeDialog, csrf: &str) -> Markup {
    html! {
        div.dialog role="alertdialog" aria-modal="true" aria-labelledby="dialog-title" {
            h3 #dialog-title { (dialog_title(dialog)) }
            p { (dialog_message(dialog)) }
            @match dialog {
                ModeDialog::Confirm(_) => {
                    form method="post" action=(paths::MODE_CONFIRM) {
                        (csrf_field(csrf))
                        button type="submit" autofocus { "OK" }
                    }
                    " "
                    form method="post" action=(paths::MODE_CANCEL) {
                        (csrf_field(csrf))
                        button type="submit" { "キャンセル" }
                    }
                }
                ModeDialog::Done(_) => {
                    form method="post" action=(paths::MODE_OK) {
                        (csrf_field(csrf))
                        button type="submit" autofocus { "OK" }
                    }
                }
            }
        }
    }
}

fn readers_body(screen: &ReaderScreen, csrf: &str) -> Markup {
    // While a dialogue is open, it is the only thing that can be answered.
    let blocked = screen.dialog.is_some();
    html! {
        @if let Some(n) = &screen.notice { (notice(n)) }
        @if let Some(d) = &screen.dialog { (dialog(d, csrf)) }
        p {
            "カードリーダー名 / 現在のモード "
            "※選択中のモード: " span.legend {} " "
            a href=(paths::READERS) { "再読み込み" }
        }
        @for reader in &screen.readers {
            div.reader {
                p.reader-name { (reader.name) }
                form method="post" action=(paths::MODE) {
                    (csrf_field(csrf))
                    input type="hidden" name="reader" value=(reader.name);
                    @for mode in ReaderMode::ALL {
                        @if mode == reader.mode {
                            button.mode.selected type="submit" name="mode" value=(mode_form_value(mode)) aria-pressed="true" disabled[blocked] { (mode.label()) }
                        } @else {
                            button.mode type="submit" name="mode" value=(mode_form_value(mode)) aria-pressed="false" disabled[blocked] { (mode.label()) }
                        }
                    }
                }
                @if let Some(warning) = &reader.switch_back_warning {
                    div.warning.harness-aid role="alert" {
                        @for line in warning.lines() { p { (line) } }
                    }
                }
                @if let Some(auto_return) = &reader.auto_return {
                    p.warning.harness-aid { (auto_return.line()) }
                }
            }
        }
        (visual_section(&screen.visual, csrf, blocked))
    }
}

/// 目視確認時利用項目. As on the seed's screen there is no separate submit button: ticking
/// 目視で本人確認完了 (a submit button drawn as a check box, since the page runs no script) sends
/// the box with 資格確認日. With no reader in 目視確認 the box is disabled.
fn visual_section(section: &VisualSection, csrf: &str, blocked: bool) -> Markup {
    let named = section.targets.len() > 1;
    let default_date = section.default_date.format("%Y/%m/%d").to_string();
    html! {
        section.visual {
            h3 { "目視確認時利用項目" }
            p { "本人確認" }
            p { "マイナンバーカードの券面で目視確認" }
            @if section.targets.is_empty() {
                p {
                    button.tick type="button" role="checkbox" aria-checked="false" disabled {
                        "☐ 目視で本人確認完了"
                    }
                }
                p {
                    label { "* 資格確認日: " input type="text" name="confirmation_date" value=(default_date) disabled; }
                    " * 必須項目"
                }
            }
            @for target in &section.targets {
                form method="post" action=(paths::VISUAL) {
                    (csrf_field(csrf))
                    input type="hidden" name="reader" value=(target.reader);
                    p {
                        button.tick type="submit" name="identity_confirmed" value="on" role="checkbox"
                            aria-checked=(if target.ticked.is_some() { "true" } else { "false" })
                            disabled[blocked] {
                            (if target.ticked.is_some() { "☑" } else { "☐" })
                            " 目視で本人確認完了"
                            @if named { "（" (target.reader) "）" }
                        }
                    }
                    p {
                        label {
                            "* 資格確認日: "
                            input type="text" name="confirmation_date" required disabled[blocked]
                                value=(target.ticked.map_or_else(|| default_date.clone(), |d| d.format("%Y/%m/%d").to_string()));
                        }
                        " * 必須項目"
                    }
                }
            }
        }
    }
}
