//! The reader's vocabulary: the small values every other module speaks in (a PIN, a touch, a
//! consent item, a camera fault, the staff's confirmation, a card's key, why face or PIN failed).
//!
//! This module imports nothing else from the crate, so `io`, `result`, `screen` and the state
//! machines can all use it without importing each other.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use harness_face::MatchDecision;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The user-auth PIN (利用者証明用暗証番号) the patient typed. Debug is redacted; the digits are
/// wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// A PIN as typed (validated by the reader: 4 ASCII digits).
    pub fn new(digits: &str) -> Self {
        Self(Zeroizing::new(digits.to_owned()))
    }

    pub(crate) fn is_well_formed(&self) -> bool {
        self.0.len() == 4 && self.0.bytes().all(|b| b.is_ascii_digit())
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// Which consent screens a reader shows (a dated setting: the screens changed on 2024-10-07).
///
/// Sources:
/// - 社会保障審議会医療保険部会 第175回 (2024-02-29), 資料1「マイナ保険証の利用促進等について」
///   p.21「顔認証付きカードリーダーの同意画面の改善 1.限度額適用認定証情報の提供同意画面の省略」
///   (text: <https://www.wic-net.com/material/document/13561/21>): the 限度額 information is not
///   要配慮個人情報 and its provision is laid down by law as part of 電子資格確認, so its consent
///   screen is dropped.
/// - 社会保険研究所 (shaho.co.jp)「限度額適用認定証情報の提供同意画面を省略 オン資カードリーダー」on the
///   医療保険部会 of 2024-09-30 (<https://media.shaho.co.jp/n/nf650364b1e76>): ❶ the 限度額 consent
///   screen is omitted, ❷ 薬剤情報等の提供に係る包括同意 (one consent for all items) is added;
///   both released on 2024-10-07. Before, the patient chose 限度額情報を「提供する」「提供しない」.
/// - DESIGN.md §1 (public guidance, e.g. 社会保険出版社 and municipal pages): since then the patient
///   first chooses 「全て同意する」 or 「個別に同意する」, and guidance groups 診療・薬剤情報.
/// - A news report on the reader's consent screen (<https://shinchonews.com/society/67619.html>):
///   the patient chooses for 「診療・お薬」「手術」「健診」 item by item (the order we show them in).
/// - Before 2024-10-07, one item per screen: アイン薬局's walkthrough
///   (<https://www.ainj.co.jp/pharmacy/online-e-checks.html>) shows お薬情報・特定健診情報 first and
///   the 限度額情報 screen after 「高額療養費制度を利用する」; which items appear at all is a
///   facility setting (環境設定情報更新; <https://xn--eckl3qmbc2306foeya813arge.com/?p=330>). We show
///   every item, one per screen (DESIGN.md §1), and ask 限度額 on its own screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentScreens {
    /// Before 2024-10-07: 薬剤情報, 特定健診情報, 診療情報, 手術情報, then 限度額情報, one per screen.
    PerItemWithLimit,
    /// Since 2024-10-07: 「全て同意する」 or 「個別に同意する」, then 診療・薬剤情報, 手術情報,
    /// 特定健診等情報 one per screen; no 限度額 screen.
    AllOrIndividual,
}

impl ConsentScreens {
    /// The day the 全て/個別 screens replaced the per-item screens with 限度額.
    pub fn changeover() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 10, 7).unwrap_or(NaiveDate::MIN)
    }

    /// The screens in force on `date`.
    pub fn in_force_on(date: NaiveDate) -> Self {
        if date < Self::changeover() {
            Self::PerItemWithLimit
        } else {
            Self::AllOrIndividual
        }
    }

    /// The items asked one per screen, in screen order (after 「個別に同意する」 in the current
    /// flow).
    pub fn items(self) -> &'static [ConsentItem] {
        match self {
            Self::PerItemWithLimit => &[
                ConsentItem::Medication,
                ConsentItem::HealthCheckups,
                ConsentItem::Diagnosis,
                ConsentItem::Operation,
                ConsentItem::LimitApplication,
            ],
            Self::AllOrIndividual => &[
                ConsentItem::DiagnosisAndMedication,
                ConsentItem::Operation,
                ConsentItem::HealthCheckups,
            ],
        }
    }

    /// The label of `item` on these screens.
    pub fn label(self, item: ConsentItem) -> &'static str {
        match (self, item) {
            (_, ConsentItem::Medication) => "薬剤情報",
            (Self::PerItemWithLimit, ConsentItem::HealthCheckups) => "特定健診情報",
            // The current name of the item (医療機関等向け総合ポータルサイト:「診療/薬剤・特定健診等
            // 情報の閲覧方法」).
            (Self::AllOrIndividual, ConsentItem::HealthCheckups) => "特定健診等情報",
            (_, ConsentItem::Diagnosis) => "診療情報",
            (_, ConsentItem::Operation) => "手術情報",
            (_, ConsentItem::LimitApplication) => "限度額情報",
            (_, ConsentItem::DiagnosisAndMedication) => "診療・薬剤情報",
        }
    }
}

/// One item asked on a consent screen (同意の選択).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentItem {
    /// 薬剤情報 (its own screen before 2024-10-07).
    Medication,
    /// 特定健診情報 / 特定健診等情報.
    HealthCheckups,
    /// 診療情報 (its own screen before 2024-10-07).
    Diagnosis,
    /// 手術情報.
    Operation,
    /// 限度額情報 (限度額適用認定証関連情報; asked only before 2024-10-07).
    LimitApplication,
    /// 診療・薬剤情報: one answer for both (since 2024-10-07).
    DiagnosisAndMedication,
}

/// A button the patient touches on the reader's screen. Drivers find a touch by the label on the
/// screen (`PatientScreen::buttons`); a touch the screen does not show is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Touch {
    /// ［顔認証］ on the method choice.
    ChooseFace,
    /// ［暗証番号］ on the method choice, or ［暗証番号で認証］ on a face failure screen.
    ChoosePin,
    /// ［もう一度］ after a failed card-face scan or face match.
    Retry,
    /// A digit key (0–9) on the PIN pad.
    Digit(u8),
    /// ［訂正］ on the PIN pad: clears what was typed.
    Clear,
    /// ［OK］ on the PIN pad.
    PinOk,
    /// ［全て同意する］ (since 2024-10-07).
    ConsentAll,
    /// ［個別に同意する］ (since 2024-10-07).
    ConsentIndividually,
    /// ［同意する］ / ［同意しない］ (［提供する］ / ［提供しない］ for 限度額情報) on one item's screen.
    Consent {
        /// The item on the screen.
        item: ConsentItem,
        /// True for 同意する / 提供する.
        given: bool,
    },
    /// ［中止］: the patient gives up.
    Cancel,
}

/// Why the camera gave nothing usable (as a device, not because of what is in the frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CameraFault {
    /// No camera is connected.
    Missing,
    /// The camera went away during capture (unplugged).
    Disconnected,
    /// The camera gave no frame in time (the reader's camera timeout).
    NoFrames,
}

/// Why the reader's optical scan of the printed card face failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardFaceScanError {
    /// The card is still in its sleeve (カードケース).
    Sleeve,
    /// Glare on the card surface.
    Glare,
    /// The card lies crooked or the print cannot be read.
    Unreadable,
}

/// The staff's confirmation (目視で本人確認完了 ticked on the terminal), as the terminal hands it
/// to the reader that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualConfirmation {
    /// PC/SC name of the reader the tick was given for.
    pub reader: String,
    /// The terminal account that ticked the box.
    pub account: String,
    /// 資格確認日 entered on the terminal.
    pub confirmation_date: NaiveDate,
    /// When the box was ticked.
    pub confirmed_at: NaiveDateTime,
}

/// Identifies a card across visits and readers: SHA-256 of its user-auth certificate (DER). The
/// face-failure count is kept per card under this key (by the harness, not by the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardKey(pub [u8; 32]);

impl CardKey {
    /// The key of a card with this user-auth certificate.
    pub fn from_auth_certificate(der: &[u8]) -> Self {
        use sha2::Digest;
        Self(sha2::Sha256::digest(der).into())
    }
}

/// Why face authentication could not confirm the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceFailure {
    /// The last comparison did not match (NoMatch, NoFace, Occluded, PoorImage, NotLive).
    NotRecognised(MatchDecision),
    /// Face auth is locked on this card after too many consecutive failures (10, reported).
    Locked,
    /// The card has no photo (cards of children under 1).
    NoPhoto,
    /// The photo on the card could not be decoded.
    PhotoUnreadable,
    /// The card refused 照合番号B (its retry counter is blocked).
    CardFaceLocked,
    /// The camera failed as a device.
    Camera(CameraFault),
}

impl FaceFailure {
    /// The line the patient sees. The wording is ours (no public source gives the real reader's
    /// text); for the lock, that it is lifted at the municipality comes from a TBS (itv) report
    /// citing 厚生労働省 <https://newsdig.tbs.co.jp/articles/itv/1447618?page=3>.
    pub fn patient_text(self) -> &'static str {
        match self {
            Self::NotRecognised(_) => "顔認証できませんでした",
            Self::Locked => "顔認証がロックされています",
            Self::NoPhoto => "カードに顔写真が登録されていないため顔認証できません",
            Self::PhotoUnreadable => "カードの顔写真を読み取れませんでした",
            Self::CardFaceLocked => "カードの券面情報を読み取れないため顔認証できません",
            Self::Camera(_) => "カメラが使用できないため顔認証できません",
        }
    }

    /// A second line for the patient, when there is one (ours, see [`Self::patient_text`]).
    pub fn patient_hint(self) -> Option<&'static str> {
        match self {
            Self::Locked => Some("ロックの解除は、お住まいの市区町村の窓口で行ってください"),
            _ => None,
        }
    }
}

/// Why the PIN route was not possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFailure {
    /// Three wrong tries: the user-auth PIN is blocked (6984).
    Locked,
    /// The card has no PIN (顔認証マイナンバーカード: face-only card).
    NotSet,
}

/// Whether an identity method can be chosen on this card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// The button is there.
    Offered,
    /// Locked on this card (face: too many consecutive failures; PIN: three wrong tries).
    Locked,
    /// This card does not support it (face: no photo; PIN: face-only card).
    NotOnCard,
}

/// What the eligibility service answered to a submitted check (the harness converts the service's
/// outcome into this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAnswer {
    /// The check went through (the result file is the terminal's business).
    Accepted,
    /// The service refused the check (bad proof, revoked or expired certificate, unknown person …).
    Rejected {
        /// The service's reason, for the result.
        reason: String,
    },
}

/// Data a step of the visit needs and did not have. The reader never fills a gap with an empty
/// default: a gap ends the visit with `FailureReason::MissingData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingData {
    /// The eligibility service's challenge (to sign over).
    Challenge,
    /// The card's user-auth certificate (the check names the card by it).
    AuthCertificate,
    /// The decoded card photo (to compare the camera frames with).
    CardPhoto,
    /// The number read off the card face (照合番号B).
    CollationNumber,
    /// The face-failure count of the card (asked of the harness's store).
    FaceFailureCount,
    /// The proof of identity (attestation, card signature or staff confirmation).
    IdentityProof,
}

impl MissingData {
    /// What is missing, in Japanese, for reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Challenge => "チャレンジ",
            Self::AuthCertificate => "利用者証明用電子証明書",
            Self::CardPhoto => "カードの顔写真",
            Self::CollationNumber => "照合番号B",
            Self::FaceFailureCount => "顔認証失敗回数",
            Self::IdentityProof => "本人確認の証跡",
        }
    }
}
