//! HTML rendering of the screens (maud escapes every interpolated value). Every form carries the
//! CSRF token in a hidden field named `csrf`.

use harness_reader::ReaderMode;
use maud::{html, Markup, DOCTYPE};

use crate::screen::{
    LoginScreen, MenuScreen, Notice, ReaderScreen, Screen, READER_SCREEN_TITLE, SYSTEM_TITLE,
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

const STYLE: &str = "body{font-family:sans-serif;margin:1em}\
.mode{padding:.4em .8em;margin-right:.3em;border:1px solid #888;background:#eee}\
.mode.selected{background:#2e8b57;color:#fff;font-weight:bold}\
.legend{display:inline-block;width:1.5em;height:1em;background:#2e8b57;vertical-align:middle}\
.notice{padding:.5em;border:2px solid #c00;background:#fee}\
.notice.done{border-color:#080;background:#efe}\
.warning{padding:.5em;border:2px solid #e90;background:#ffd}\
.reader{margin:.8em 0}";

/// Renders a screen as a whole HTML page. `csrf` goes into every form.
pub fn render_html(screen: &Screen, csrf: &str) -> String {
    let (title, body) = match screen {
        Screen::Login(login) => ("ログイン", login_body(login, csrf)),
        Screen::Menu(menu) => ("メニュー", menu_body(menu, csrf)),
        Screen::Readers(readers) => (READER_SCREEN_TITLE, readers_body(readers, csrf)),
    };
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
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            p { label { "ユーザID " input type="text" name="user_id" value=(login.user_id) autocomplete="username" required; } }
            p { label { "パスワード " input type="password" name="password" autocomplete="current-password" required; } }
            button type="submit" { "ログイン" }
        }
    }
}

fn header(title: &str, facility: &str, kind: crate::AccountKind, csrf: &str) -> Markup {
    html! {
        header {
            h1 { (SYSTEM_TITLE) }
            h2 { (title) }
            p.facility { (facility) }
            p.account { (kind.label()) }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(csrf);
                (kind.short_label()) " "
                button type="submit" { "ログアウト" }
            }
        }
    }
}

fn menu_body(menu: &MenuScreen, csrf: &str) -> Markup {
    html! {
        (header("メニュー", &menu.facility_name, menu.account_kind, csrf))
        ul {
            li { a href="/readers" { (READER_SCREEN_TITLE) } }
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

fn readers_body(screen: &ReaderScreen, csrf: &str) -> Markup {
    html! {
        (header(READER_SCREEN_TITLE, &screen.facility_name, screen.account_kind, csrf))
        @if let Some(n) = &screen.notice { (notice(n)) }
        p {
            "カードリーダー名 / 現在のモード "
            "※選択中のモード: " span.legend {} " "
            a href="/readers" { "再読み込み" }
        }
        @for reader in &screen.readers {
            div.reader {
                p.reader-name { (reader.name) }
                form method="post" action="/readers/mode" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="reader" value=(reader.name);
                    @for mode in ReaderMode::ALL {
                        @if mode == reader.mode {
                            button.mode.selected type="submit" name="mode" value=(mode_form_value(mode)) aria-pressed="true" { (mode.label()) }
                        } @else {
                            button.mode type="submit" name="mode" value=(mode_form_value(mode)) aria-pressed="false" { (mode.label()) }
                        }
                    }
                }
                @if let Some(warning) = &reader.switch_back_warning {
                    div.warning role="alert" {
                        @for line in warning.lines() { p { (line) } }
                    }
                }
            }
        }
        section {
            h3 { "目視確認時利用項目" }
            @if screen.visual_forms.is_empty() {
                p { "（目視確認モードのカードリーダーはありません）" }
            }
            @for form in &screen.visual_forms {
                form method="post" action="/readers/visual" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="reader" value=(form.reader);
                    p { "対象: " (form.reader) }
                    p { "本人確認" }
                    p { "マイナンバーカードの券面で目視確認" }
                    p {
                        label {
                            @if form.ticked.is_some() {
                                input type="checkbox" name="identity_confirmed" value="on" checked;
                            } @else {
                                input type="checkbox" name="identity_confirmed" value="on";
                            }
                            " 目視で本人確認完了"
                        }
                    }
                    p {
                        label {
                            "* 資格確認日: "
                            input type="text" name="confirmation_date" required
                                value=(form.ticked.unwrap_or(form.default_date).format("%Y/%m/%d").to_string());
                        }
                        " * 必須項目"
                    }
                    button type="submit" { "確定" }
                }
            }
        }
        nav {
            a href="/menu" { "メニュー" } " "
            a href="/menu" { "戻る" }
        }
    }
}
