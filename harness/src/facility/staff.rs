//! The staff member at the terminal desk (the features' and the bench's staff; the live clinic's
//! staff use the terminal's web UI through [`Facility::with_terminal`] instead): log in, open
//! 顔認証付きカードリーダー操作, press a mode, tick 目視で本人確認完了, look at the card photo.

use anyhow::anyhow;
use harness_reader::ReaderMode;
use harness_terminal::account::AccountKind;
use harness_terminal::screen::{render_text, Notice, Screen};
use harness_terminal::secret::{Password, Token};
use harness_terminal::sessions::SessionInfo;
use harness_terminal::{TerminalError, VisualConfirmationForm};

use super::{EventKind, Facility, ADMIN_USER, GENERAL_USER};

/// What the desk's screen shows and who is logged in there.
#[derive(Debug, Default)]
pub(super) struct Desk {
    session: Option<SessionInfo>,
    reader_screen_open: bool,
    last_refusal: Option<TerminalError>,
}

/// The staff member at the terminal desk.
pub struct StaffRole<'a> {
    facility: &'a mut Facility,
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

    /// Presses a mode button for a reader. A refusal stays on the screen
    /// ([`StaffRole::last_refusal`]); it is not an error of the step.
    pub fn press_mode(&mut self, reader: &str, mode: ReaderMode) -> anyhow::Result<()> {
        let id = self.session_id()?;
        anyhow::ensure!(
            self.facility.desk.reader_screen_open,
            "顔認証付きカードリーダー操作の画面が開いていません"
        );
        // The mode button, OK on 切替の確認, OK on 切替の完了.
        let result = self.facility.with_terminal(|t, now| {
            if t.request_mode_change(&id, reader, mode, now)?.is_some() {
                t.confirm_mode_change(&id, now)?;
                t.acknowledge_mode_change(&id, now)?;
            }
            Ok::<_, TerminalError>(())
        })?;
        self.keep_refusal(result.err());
        Ok(())
    }

    /// Ticks 目視で本人確認完了 for a reader with a 資格確認日 (empty: left blank). A refusal
    /// stays on the screen.
    pub fn tick_visual_confirmation(&mut self, reader: &str, date: &str) -> anyhow::Result<()> {
        let id = self.session_id()?;
        let form = VisualConfirmationForm {
            identity_confirmed: true,
            confirmation_date: date.to_owned(),
        };
        let result = self
            .facility
            .with_terminal(|t, now| t.confirm_visual(&id, reader, &form, now))?;
        // The terminal tells the reader (TerminalEvent::VisualConfirmed) through the facility.
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
        let id = self.session_id().ok()?;
        let open = self.facility.desk.reader_screen_open;
        let refusal = self.facility.desk.last_refusal.clone();
        let screen = self
            .facility
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
            .ok()??;
        Some(render_text(&screen))
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
            let id = &session.session_id;
            let pressed = t
                .request_mode_change(id, reader, mode, now)
                .and_then(|asked| {
                    if asked.is_some() {
                        t.confirm_mode_change(id, now)?;
                        t.acknowledge_mode_change(id, now)?;
                    }
                    Ok(())
                });
            let logged_out = t.logout(&session.session_id, now);
            pressed.and(logged_out)
        })?;
        result.map_err(|e| anyhow!("「{reader}」を{}にできません: {e}", mode.label()))
    }

    /// Seed step ③: the patient shows the card's face photo to staff. The report keeps the photo
    /// beside the person at the counter, for a reviewer.
    pub fn look_at_card_photo(&mut self, index: usize) -> anyhow::Result<()> {
        let photo = self.facility.card_photo_in_hand(index)?.ok_or_else(|| {
            anyhow!(
                "このカードには顔写真がありません（1歳未満の子どものカード）: 目視確認はできません"
            )
        })?;
        let _ = photo;
        Ok(())
    }

    /// Seed step ④: staff judge whether the person at the counter is the card's holder.
    pub fn judge_card_photo(&mut self, index: usize) -> anyhow::Result<bool> {
        // Interim: replaced by the pixel-based staff check (harness-face) in this same change set.
        let station = self.facility.station(index)?;
        let visitor = station
            .visitor
            .as_ref()
            .ok_or_else(|| anyhow!("カードリーダーの前に患者がいません"))?;
        Ok(visitor.card.reference.holder_id == visitor.person_id)
    }
}
