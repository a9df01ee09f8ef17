//! The staff member at the terminal desk (the features' and the bench's staff; the live clinic's
//! staff use the terminal's web UI through [`Facility::with_terminal`] instead): log in, open
//! 顔認証付きカードリーダー操作, press a mode, tick 目視で本人確認完了, look at the card photo.

use anyhow::anyhow;
use harness_face::camera::Camera;
use harness_face::staff_check::{staff_check_png, StaffPhotoCheck, StaffVerdict};
use harness_reader::ReaderMode;
use harness_terminal::account::AccountKind;
use harness_terminal::screen::{render_text, Notice, Screen};
use harness_terminal::secret::{Password, Token};
use harness_terminal::{Terminal, TerminalError, VisualConfirmationForm};

use super::desk::{Desk, StaffJudgement};
use super::engine::{Facility, ADMIN_USER, GENERAL_USER};
use super::events::EventKind;

/// The staff member at the terminal desk.
pub struct StaffRole<'a> {
    facility: &'a mut Facility,
}

impl Facility {
    /// The staff member at the terminal desk.
    pub fn staff(&mut self) -> StaffRole<'_> {
        StaffRole::new(self)
    }
}

impl<'a> StaffRole<'a> {
    pub(super) fn new(facility: &'a mut Facility) -> Self {
        Self { facility }
    }

    /// Logs in with the 管理アカウント or the 一般アカウント.
    pub fn login(&mut self, kind: AccountKind, password: &Password) -> anyhow::Result<()> {
        let user = match kind {
            AccountKind::Admin => ADMIN_USER,
            AccountKind::General => GENERAL_USER,
        };
        let session = self
            .facility
            .with_terminal(|t, now| t.login(user, password, now))?
            .map_err(|e| anyhow!("ログインできません: {}", e.screen_message()))?;
        self.facility.desk.session = Some(session);
        self.facility.desk.reader_screen_open = false;
        Ok(())
    }

    /// Logs out.
    pub fn logout(&mut self) -> anyhow::Result<()> {
        let id = self.session_id()?;
        self.facility.with_terminal(|t, now| t.logout(&id, now))??;
        self.facility.desk = Desk::default();
        Ok(())
    }

    /// True while someone is logged in at the desk.
    pub fn is_logged_in(&self) -> bool {
        self.facility.desk.session.is_some()
    }

    fn session_id(&self) -> anyhow::Result<Token> {
        self.facility
            .desk
            .session
            .as_ref()
            .map(|s| s.session_id.clone())
            .ok_or_else(|| anyhow!("職員は資格確認端末にログインしていません"))
    }

    /// Presses 顔認証付きカードリーダー操作 on the menu.
    pub fn open_reader_screen(&mut self) -> anyhow::Result<()> {
        let id = self.session_id()?;
        self.facility
            .with_terminal(|t, now| t.reader_screen(&id, now))?
            .map_err(|e| anyhow!("{}", e.screen_message()))?;
        self.facility.desk.reader_screen_open = true;
        Ok(())
    }

    /// Presses a mode button for a reader and goes through the terminal's dialogue: 切替の確認
    /// (OK), then 切替の完了 (OK). A refusal stays on the screen ([`StaffRole::last_refusal`]);
    /// it is not an error of the step.
    pub fn press_mode(&mut self, reader: &str, mode: ReaderMode) -> anyhow::Result<()> {
        let id = self.session_id()?;
        anyhow::ensure!(
            self.facility.desk.reader_screen_open,
            "顔認証付きカードリーダー操作の画面が開いていません"
        );
        let result = self
            .facility
            .with_terminal(|t, now| switch_mode(t, &id, reader, mode, now))?;
        self.keep_refusal(result.err());
        Ok(())
    }

    /// Presses a mode button and cancels at 切替の確認: nothing changes.
    pub fn press_mode_and_cancel(&mut self, reader: &str, mode: ReaderMode) -> anyhow::Result<()> {
        let id = self.session_id()?;
        let result = self.facility.with_terminal(|t, now| {
            t.request_mode_change(&id, reader, mode, now)?;
            t.cancel_mode_change(&id, now)
        })?;
        self.keep_refusal(result.err());
        Ok(())
    }

    /// Ticks 目視で本人確認完了 for a reader with a 資格確認日 (empty: left blank). A refusal
    /// stays on the screen.
    pub fn tick_visual_confirmation(&mut self, reader: &str, date: &str) -> anyhow::Result<()> {
        let id = self.session_id()?;
        let index = self.facility.reader_index(reader)?;
        anyhow::ensure!(
            self.judgement(index) != Some(StaffJudgement::DifferentPerson),
            "職員は別人と判断したため「目視で本人確認完了」にチェックを入れません"
        );
        let form = VisualConfirmationForm {
            identity_confirmed: true,
            confirmation_date: date.to_owned(),
        };
        let result = self
            .facility
            .with_terminal(|t, now| t.confirm_visual(&id, reader, &form, now))?;
        // The reader hears of the tick as a terminal event (forwarded by with_terminal) and asks
        // the terminal for it when the card is placed.
        self.keep_refusal(result.err());
        Ok(())
    }

    fn keep_refusal(&mut self, refusal: Option<TerminalError>) {
        if let Some(e) = &refusal {
            self.facility.record(EventKind::TerminalRefused {
                message: e.screen_message(),
            });
        }
        self.facility.desk.last_refusal = refusal;
    }

    /// What the terminal refused last (cleared by the next accepted action).
    pub fn last_refusal(&self) -> Option<&TerminalError> {
        self.facility.desk.last_refusal.as_ref()
    }

    /// The desk's screen as text (None: nobody logged in).
    pub fn screen_text(&mut self) -> Option<String> {
        self.screen().map(|screen| render_text(&screen))
    }

    /// The screen the desk shows, as the terminal's value (None: nobody logged in): the menu, or
    /// 顔認証付きカードリーダー操作 with the last refusal on it. Looking changes nothing.
    pub fn screen(&mut self) -> Option<Screen> {
        let id = self.session_id().ok()?;
        let open = self.facility.desk.reader_screen_open;
        let refusal = self.facility.desk.last_refusal.clone();
        self.facility
            .with_terminal(|t, now| {
                if open {
                    t.reader_screen(&id, now).ok().map(|mut screen| {
                        if let Some(e) = &refusal {
                            screen.notice = Some(Notice::Refused(e.screen_message()));
                        }
                        Screen::Readers(screen)
                    })
                } else {
                    t.menu_screen(&id, now).ok().map(Screen::Menu)
                }
            })
            .ok()?
    }

    /// True when the operator screen warns that a reader stayed in 目視確認.
    pub fn switch_back_warning_shown(&mut self) -> anyhow::Result<bool> {
        let id = self.session_id()?;
        let screen = self
            .facility
            .with_terminal(|t, now| t.reader_screen(&id, now))?
            .map_err(|e| anyhow!("{}", e.screen_message()))?;
        Ok(screen
            .readers
            .iter()
            .any(|r| r.switch_back_warning.is_some()))
    }

    /// Sets a reader's mode as an admin would before the day's patients: a separate admin session
    /// logs in, presses the mode and logs out.
    pub fn preset_mode(
        &mut self,
        admin_password: &Password,
        reader: &str,
        mode: ReaderMode,
    ) -> anyhow::Result<()> {
        let result = self.facility.with_terminal(|t, now| {
            let session = t.login(ADMIN_USER, admin_password, now)?;
            let pressed = switch_mode(t, &session.session_id, reader, mode, now);
            let logged_out = t.logout(&session.session_id, now);
            pressed.and(logged_out)
        })?;
        result.map_err(|e| anyhow!("「{reader}」を{}にできません: {e}", mode.label()))
    }

    /// Seed steps ③–④: the patient shows the card's face photo and staff look from it to the
    /// person at the counter. What staff see is drawn (the counter view of the person standing at
    /// reader `index`, whoever's card they hold) and compared by a pixel-based reference check
    /// (harness-face's StaffPhotoCheck); both go to the report for a reviewer. The judgement
    /// itself is the person's: [`StaffRole::judge`].
    pub fn look_at_card_photo(&mut self, index: usize) -> anyhow::Result<StaffVerdict> {
        let photo = self.facility.card_photo_in_hand(index)?.ok_or_else(|| {
            anyhow!(
                "このカードには顔写真がありません（1歳未満の子どものカード）: 目視確認はできません"
            )
        })?;
        let setup = self.facility.camera_setup(index)?;
        let frames = Camera::at_counter(setup).burst(COUNTER_LOOK_FRAMES);
        let report = StaffPhotoCheck::default().judge(Some(&photo), &frames);
        let png = report
            .frame_index
            .and_then(|i| frames.get(i))
            .or_else(|| frames.first())
            .and_then(|frame| staff_check_png(Some(&photo), frame, &report).ok());
        self.facility.record(EventKind::StaffPhotoCheck {
            verdict: format!(
                "券面の顔写真と窓口の患者（画素による参考判定: {}、スコア {:.3} / しきい値 {:.3}）",
                report.verdict.label_ja(),
                report.score,
                report.threshold
            ),
            png,
        });
        self.facility.desk.looked = Some((index, report.verdict));
        Ok(report.verdict)
    }

    /// The pixel-based reference verdict of the last look at reader `index` (None: staff did not
    /// look there).
    pub fn reference_verdict(&self, index: usize) -> Option<StaffVerdict> {
        match self.facility.desk.looked {
            Some((at, verdict)) if at == index => Some(verdict),
            _ => None,
        }
    }

    /// Seed step ④: staff decide whether the person at reader `index` is the card's holder. A
    /// person's judgement (it recognises a bandaged or injured holder that the reader's matcher
    /// rejects — why 目視確認 exists), stated by the driver; staff who judged 別人 will not tick
    /// 目視で本人確認完了 ([`StaffRole::tick_visual_confirmation`] refuses).
    pub fn judge(&mut self, index: usize, judgement: StaffJudgement) -> anyhow::Result<()> {
        self.facility.station(index)?;
        self.facility.desk.judged = Some((index, judgement));
        Ok(())
    }

    /// What staff judged at reader `index`, if they did.
    pub fn judgement(&self, index: usize) -> Option<StaffJudgement> {
        match self.facility.desk.judged {
            Some((at, judgement)) if at == index => Some(judgement),
            _ => None,
        }
    }
}

/// Frames staff take in while looking from the card to the person (a short look).
const COUNTER_LOOK_FRAMES: usize = 3;

/// A mode button, then OK on 切替の確認 and OK on 切替の完了 (nothing to confirm when the reader
/// is already in that mode).
fn switch_mode(
    terminal: &mut Terminal,
    session: &Token,
    reader: &str,
    mode: ReaderMode,
    now: chrono::NaiveDateTime,
) -> Result<(), TerminalError> {
    if terminal
        .request_mode_change(session, reader, mode, now)?
        .is_some()
    {
        terminal.confirm_mode_change(session, now)?;
        terminal.acknowledge_mode_change(session, now)?;
    }
    Ok(())
}
