//! Snapshots of every screen state, produced through the core (text for every state, HTML for
//! the main ones). Times come from the test's `now`.

mod common;

use chrono::NaiveDateTime;
use common::{at, R0, R1};
use harness_reader::ReaderMode;
use harness_terminal::html::render_html;
use harness_terminal::screen::{LoginMessage, LoginScreen, MenuLink, Notice};
use harness_terminal::{
    render_text, AutoReturnPolicy, Password, Screen, SessionInfo, Terminal, TerminalConfig,
    TerminalError, TerminalPolicy, VisualConfirmationForm,
};
use insta::assert_snapshot;
use rand::rngs::StdRng;
use rand::SeedableRng;

const CSRF: &str = "csrf-token-for-snapshots";

struct Fixture {
    terminal: Terminal,
    admin: SessionInfo,
    staff: SessionInfo,
}

fn fixture(auto_return: AutoReturnPolicy) -> Fixture {
    fixture_with(TerminalPolicy {
        auto_return,
        ..TerminalPolicy::default()
    })
}

fn fixture_with(policy: TerminalPolicy) -> Fixture {
    let mut config = TerminalConfig::demo("admin-pw", "staff-pw");
    config.policy = policy;
    let mut terminal = Terminal::new(&config, StdRng::seed_from_u64(3)).unwrap();
    let admin = terminal
        .login("admin", &Password::new("admin-pw"), at(9, 0))
        .unwrap();
    let staff = terminal
        .login("staff", &Password::new("staff-pw"), at(9, 0))
        .unwrap();
    Fixture {
        terminal,
        admin,
        staff,
    }
}

impl Fixture {
    fn screen(&mut self, session: &SessionInfo, now: NaiveDateTime) -> Screen {
        Screen::Readers(
            self.terminal
                .reader_screen(&session.session_id, now)
                .unwrap(),
        )
    }

    /// A mode button, OK on 切替の確認, OK on 切替の完了.
    fn set(&mut self, reader: &str, mode: ReaderMode, now: NaiveDateTime) {
        let id = self.admin.session_id.clone();
        self.terminal
            .request_mode_change(&id, reader, mode, now)
            .unwrap();
        self.terminal.confirm_mode_change(&id, now).unwrap();
        self.terminal.acknowledge_mode_change(&id, now).unwrap();
    }

    fn tick_box(&mut self, reader: &str, date: &str, now: NaiveDateTime) {
        let id = self.admin.session_id.clone();
        let form = VisualConfirmationForm {
            identity_confirmed: true,
            confirmation_date: date.to_owned(),
        };
        self.terminal
            .confirm_visual(&id, reader, &form, now)
            .unwrap();
    }
}

fn login(message: Option<LoginMessage>) -> Screen {
    Screen::Login(LoginScreen {
        facility_name: "サンプル医療機関".into(),
        user_id: if message.is_some() {
            "admin".into()
        } else {
            String::new()
        },
        message,
    })
}

#[test]
fn login_screens() {
    assert_snapshot!("login", render_text(&login(None)));
    assert_snapshot!("login_html", render_html(&login(None), CSRF));
    assert_snapshot!(
        "login_invalid_credentials",
        render_text(&login(Some(LoginMessage::InvalidCredentials)))
    );
    assert_snapshot!(
        "login_session_expired",
        render_text(&login(Some(LoginMessage::SessionExpired)))
    );
    assert_snapshot!(
        "login_logged_out",
        render_text(&login(Some(LoginMessage::LoggedOut)))
    );
}

#[test]
fn lockout_screen_comes_from_the_core() {
    let config = TerminalConfig::demo("admin-pw", "staff-pw");
    let mut terminal = Terminal::new(&config, StdRng::seed_from_u64(4)).unwrap();
    let mut last = None;
    for minute in 0..5 {
        last = Some(terminal.login("admin", &Password::new("nope"), at(9, minute)));
    }
    let Some(Err(TerminalError::Locked { until })) = last else {
        panic!("not locked: {last:?}");
    };
    let screen = login(Some(LoginMessage::Locked { until }));
    assert_snapshot!("login_locked", render_text(&screen));
    assert_snapshot!("login_locked_html", render_html(&screen, CSRF));
}

#[test]
fn menu_screen() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let id = f.admin.session_id.clone();
    let menu = f.terminal.menu_screen(&id, at(9, 1)).unwrap();
    assert_snapshot!("menu_admin", render_text(&Screen::Menu(menu.clone())));
    assert_snapshot!(
        "menu_admin_html",
        render_html(&Screen::Menu(menu.clone()), CSRF)
    );
    // A host (the live clinic) adds its own pages below the real entry.
    let mut with_links = menu;
    with_links.extra_links = vec![MenuLink {
        label: "練習: 目視確認の手順".into(),
        href: "/practice".into(),
    }];
    assert_snapshot!(
        "menu_with_host_links",
        render_text(&Screen::Menu(with_links.clone()))
    );
    assert!(render_html(&Screen::Menu(with_links), CSRF).contains(r#"<a href="/practice">"#));
}

#[test]
fn reader_list_with_each_mode_selected() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let admin = f.admin.clone();
    assert_snapshot!(
        "reader_list_unattended_selected",
        render_text(&f.screen(&admin, at(9, 1)))
    );
    f.set(R0, ReaderMode::PinOnly, at(9, 2));
    assert_snapshot!(
        "reader_list_pin_only_selected",
        render_text(&f.screen(&admin, at(9, 2)))
    );
    // Seed step ②: 目視確認 pressed for Reader 0; the form is unticked.
    f.set(R0, ReaderMode::VisualCheck, at(9, 3));
    let screen = f.screen(&admin, at(9, 3));
    assert_snapshot!("reader_list_visual_selected", render_text(&screen));
    assert_snapshot!(
        "reader_list_visual_selected_html",
        render_html(&screen, CSRF)
    );
}

#[test]
fn general_account_screen_and_refusal() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let staff = f.staff.clone();
    assert_snapshot!(
        "reader_list_general_account",
        render_text(&f.screen(&staff, at(9, 1)))
    );
    let refusal = f
        .terminal
        .request_mode_change(&staff.session_id, R0, ReaderMode::VisualCheck, at(9, 1))
        .unwrap_err();
    let Screen::Readers(mut screen) = f.screen(&staff, at(9, 1)) else {
        unreachable!()
    };
    screen.notice = Some(Notice::Refused(refusal.screen_message()));
    let screen = Screen::Readers(screen);
    assert_snapshot!("general_account_refused", render_text(&screen));
    assert_snapshot!("general_account_refused_html", render_html(&screen, CSRF));
}

#[test]
fn visual_form_unticked_ticked_and_input_error() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let admin = f.admin.clone();
    f.set(R0, ReaderMode::VisualCheck, at(9, 1));
    assert_snapshot!(
        "visual_form_unticked",
        render_text(&f.screen(&admin, at(9, 1)))
    );
    let error = f
        .terminal
        .confirm_visual(
            &admin.session_id,
            R0,
            &VisualConfirmationForm {
                identity_confirmed: false,
                confirmation_date: "2026/11/25".into(),
            },
            at(9, 2),
        )
        .unwrap_err();
    let Screen::Readers(mut screen) = f.screen(&admin, at(9, 2)) else {
        unreachable!()
    };
    screen.notice = Some(Notice::Error(error.screen_message()));
    assert_snapshot!(
        "visual_form_not_ticked_error",
        render_text(&Screen::Readers(screen))
    );
    // Seed step ⑤: 目視で本人確認完了 ticked with 資格確認日.
    f.tick_box(R0, "2026/11/24", at(9, 3));
    let screen = f.screen(&admin, at(9, 3));
    assert_snapshot!("visual_form_ticked", render_text(&screen));
    assert_snapshot!("visual_form_ticked_html", render_html(&screen, CSRF));
}

#[test]
fn two_readers_in_visual_mode_get_a_form_each() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let admin = f.admin.clone();
    f.set(R0, ReaderMode::VisualCheck, at(9, 1));
    f.set(R1, ReaderMode::VisualCheck, at(9, 1));
    f.tick_box(R1, "2026/11/25", at(9, 2));
    assert_snapshot!(
        "visual_forms_two_readers",
        render_text(&f.screen(&admin, at(9, 2)))
    );
}

fn screen_after_use(policy: TerminalPolicy) -> Screen {
    let mut f = fixture_with(policy);
    let admin = f.admin.clone();
    f.set(R0, ReaderMode::VisualCheck, at(9, 1));
    f.tick_box(R0, "2026/11/25", at(9, 2));
    // Seed step ⑥: the patient places the card; the reader flow takes the confirmation.
    assert!(f.terminal.valid_confirmation_for(R0, at(9, 3)).is_some());
    f.screen(&admin, at(9, 4))
}

#[test]
fn after_use_the_default_screen_shows_no_harness_aid() {
    // As on the real terminal: only the selected button says the reader is still in 目視確認.
    let screen = screen_after_use(TerminalPolicy::default());
    let text = render_text(&screen);
    assert!(!text.contains("【ハーネス拡張】"), "{text}");
    assert_snapshot!("after_use_default", text);
}

#[test]
fn switch_back_warning() {
    let warning = TerminalPolicy {
        switch_back_warning: true,
        ..TerminalPolicy::default()
    };
    let manual = screen_after_use(warning.clone());
    assert_snapshot!("switch_back_warning", render_text(&manual));
    assert_snapshot!("switch_back_warning_html", render_html(&manual, CSRF));
    assert_snapshot!(
        "switch_back_warning_after_patient",
        render_text(&screen_after_use(TerminalPolicy {
            auto_return: AutoReturnPolicy::AfterPatient,
            ..warning.clone()
        }))
    );
    assert_snapshot!(
        "switch_back_warning_after_minutes",
        render_text(&screen_after_use(TerminalPolicy {
            auto_return: AutoReturnPolicy::AfterMinutes(10),
            ..warning
        }))
    );
    // Auto-return alone (no warning) still says what it will do, as a harness aid.
    assert_snapshot!(
        "auto_return_after_minutes_without_warning",
        render_text(&screen_after_use(TerminalPolicy {
            auto_return: AutoReturnPolicy::AfterMinutes(10),
            ..TerminalPolicy::default()
        }))
    );
}

#[test]
fn seed_step_2_as_the_general_account_sees_it() {
    // The seed's screenshot of step ②: Reader 0 in 目視確認, 一般アカウント logged in.
    let mut f = fixture(AutoReturnPolicy::Manual);
    let staff = f.staff.clone();
    f.set(R0, ReaderMode::VisualCheck, at(9, 1));
    let screen = f.screen(&staff, at(9, 2));
    assert_snapshot!("seed_step_2_general_account", render_text(&screen));
    assert_snapshot!(
        "seed_step_2_general_account_html",
        render_html(&screen, CSRF)
    );
}

#[test]
fn mode_switch_dialogue() {
    let mut f = fixture(AutoReturnPolicy::Manual);
    let admin = f.admin.clone();
    f.terminal
        .request_mode_change(&admin.session_id, R0, ReaderMode::VisualCheck, at(9, 1))
        .unwrap();
    let confirm = f.screen(&admin, at(9, 1));
    assert_snapshot!("mode_switch_confirm", render_text(&confirm));
    assert_snapshot!("mode_switch_confirm_html", render_html(&confirm, CSRF));
    f.terminal
        .confirm_mode_change(&admin.session_id, at(9, 2))
        .unwrap();
    let done = f.screen(&admin, at(9, 2));
    assert_snapshot!("mode_switch_done", render_text(&done));
    assert_snapshot!("mode_switch_done_html", render_html(&done, CSRF));
}

#[test]
fn reader_list_after_auto_return() {
    let mut f = fixture(AutoReturnPolicy::AfterPatient);
    let admin = f.admin.clone();
    f.set(R0, ReaderMode::VisualCheck, at(9, 1));
    f.tick_box(R0, "2026/11/25", at(9, 2));
    assert!(f.terminal.valid_confirmation_for(R0, at(9, 3)).is_some());
    f.terminal.patient_finished(R0, at(9, 4));
    assert_snapshot!(
        "reader_list_after_auto_return",
        render_text(&f.screen(&admin, at(9, 5)))
    );
}

#[test]
fn html_escapes_configured_and_typed_text() {
    let mut config = TerminalConfig::demo("a", "b");
    config.facility_name = "<script>alert(1)</script>&\"'".into();
    config.readers = vec!["Reader \"<b>0</b>\"".into()];
    let mut terminal = Terminal::new(&config, StdRng::seed_from_u64(5)).unwrap();
    let admin = terminal
        .login("admin", &Password::new("a"), at(9, 0))
        .unwrap();
    let screen = terminal.reader_screen(&admin.session_id, at(9, 0)).unwrap();
    let html = render_html(&Screen::Readers(screen), "\"><script>");
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>0</b>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;'"));
    let login_html = render_html(
        &Screen::Login(LoginScreen {
            facility_name: "x".into(),
            user_id: "\"><img src=x onerror=alert(1)>".into(),
            message: Some(LoginMessage::InvalidCredentials),
        }),
        CSRF,
    );
    assert!(!login_html.contains("<img"), "{login_html}");
}
