//! The reader's dialogue with the card: short APDU sequences that end in one typed
//! [`CardFinding`]. The visit's policy (screens, tries, modes, consents) lives in
//! the `reader` module and only ever sees findings, never status words.
//!
//! Commands and status words are `card_protocol`'s (the one APDU vocabulary of the workspace,
//! encoded independently of the card emulator that parses them). Each [`CardTask`] is one
//! sequence (byte facts in DESIGN.md §2):
//! - [`CardTask::Probe`]: SELECT JPKI AP → SELECT + READ EF 000A (user-auth certificate) →
//!   SELECT EF 0001 (is there a signature certificate?) → SELECT EF 0018 + VERIFY without data
//!   (tries left on the user-auth PIN).
//! - [`CardTask::ReadCardFace`]: SELECT 券面AP → SELECT EF 0012 + VERIFY 照合番号B → SELECT + READ
//!   EF 0002 → the photo (DF27).
//! - [`CardTask::VerifyPin`]: SELECT JPKI AP → SELECT EF 0018 → VERIFY.
//! - [`CardTask::Sign`]: SELECT EF 0017 → COMPUTE DIGITAL SIGNATURE over the SHA-256 DigestInfo
//!   of the service's challenge (JPKI AP already selected by the PIN verification before it).

use card_protocol::{
    fid, Application, Command, CommandError, ComputeDigitalSignature, KeyTarget, PinBytes,
    PinTarget, ReadBinary, ResponseApdu, Select, StatusWord, Verify,
};
use zeroize::Zeroizing;

use crate::card_data;
use crate::vocab::Pin;

/// Bytes asked for first when reading a BER-encoded file: enough for its tag and length.
const HEAD_LEN: usize = 8;
/// Largest file the reader reads (short READ BINARY offsets end at 0x7FFF).
const MAX_FILE_LEN: usize = 0x8000;

/// What the card says about its user-auth PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinState {
    /// Tries left (1–3).
    Available(u8),
    /// Blocked (63C0 / 6984).
    Locked,
    /// No PIN on this card (face-only card: the PIN key EF is missing or refuses the query).
    NotSet,
}

/// A challenge from the eligibility service: never empty.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge(Vec<u8>);

impl Challenge {
    /// The challenge, or `None` when it is empty (an empty challenge is a missing one).
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (!bytes.is_empty()).then_some(Self(bytes))
    }

    /// The challenge bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Challenge({} bytes)", self.0.len())
    }
}

/// One APDU sequence the reader runs on the card.
#[derive(Debug)]
pub enum CardTask {
    /// Read what the card is: JPKI AP, user-auth certificate, signature certificate, PIN state.
    Probe,
    /// Open the 券面AP with 照合番号B (read off the printed card face) and read the photo.
    ReadCardFace {
        /// 照合番号B, ASCII.
        collation_number: Zeroizing<Vec<u8>>,
    },
    /// Verify the user-auth PIN.
    VerifyPin(Pin),
    /// Sign the challenge with the user-auth key (after [`CardTask::VerifyPin`]).
    Sign(Challenge),
}

/// What the card showed at the end of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardFinding {
    /// [`CardTask::Probe`] done.
    Probed {
        /// The user-auth certificate (DER), JPKI EF 000A.
        auth_certificate: Vec<u8>,
        /// EF 0001 exists (absent on a face-only card).
        signature_certificate_present: bool,
        /// The user-auth PIN.
        pin: PinState,
    },
    /// SELECT JPKI AP answered 6A82: not a My Number card.
    NotAMyNumberCard,
    /// The card-face record's photo (JPEG 2000, not empty).
    CardFacePhoto(Vec<u8>),
    /// No 券面AP, or its record has no photo (cards of children under 1).
    NoCardFacePhoto,
    /// 照合番号B was wrong (a misread of the card face); the card still allows tries.
    CardFaceNumberRefused {
        /// Tries left on 照合番号B.
        tries_left: u8,
    },
    /// 照合番号B is blocked on the card.
    CardFaceLocked,
    /// The PIN was right.
    PinVerified,
    /// The PIN was wrong; tries are left.
    PinWrong {
        /// Tries left (1–2).
        tries_left: u8,
    },
    /// The PIN is blocked (now or already).
    PinLocked,
    /// The card has no user-auth PIN.
    PinNotSet,
    /// The card signed the challenge.
    Signed {
        /// The signature (RSA-2048: 256 bytes).
        signature: Vec<u8>,
    },
    /// The card answered something the dialogue cannot use.
    Failed {
        /// What the reader was doing (Japanese, for reports).
        step: &'static str,
        /// The status word, when the answer had one.
        status: Option<StatusWord>,
    },
}

/// A file being read in chunks.
#[derive(Debug, Default)]
struct FileRead {
    data: Vec<u8>,
    total: Option<usize>,
    /// Bytes asked for by the last READ BINARY.
    requested: usize,
}

enum ReadProgress {
    Done(Vec<u8>),
    Next(Command),
    Malformed,
}

/// READ BINARY of the current EF (short form: offset up to 7FFF, Le up to 256).
fn read_binary(offset: usize, le: usize) -> Option<Command> {
    ReadBinary::current_ef(offset, le)
        .ok()
        .map(Command::ReadBinary)
}

impl FileRead {
    /// The reading state and its first command (the head of the file).
    fn start() -> Option<(Self, Command)> {
        let command = read_binary(0, HEAD_LEN)?;
        let read = Self {
            requested: HEAD_LEN,
            ..Self::default()
        };
        Some((read, command))
    }

    fn advance(&mut self, chunk: &[u8]) -> ReadProgress {
        if chunk.len() > self.requested {
            return ReadProgress::Malformed;
        }
        self.data.extend_from_slice(chunk);
        let total = match self.total {
            Some(total) => total,
            None => match card_data::encoded_size(&self.data) {
                Ok(Some(total)) if total <= MAX_FILE_LEN => {
                    self.total = Some(total);
                    total
                }
                _ => return ReadProgress::Malformed,
            },
        };
        if self.data.len() >= total {
            self.data.truncate(total);
            return ReadProgress::Done(std::mem::take(&mut self.data));
        }
        // A short read ends the file: it is shorter than its BER length says.
        if chunk.len() < self.requested {
            return ReadProgress::Malformed;
        }
        self.requested = (total - self.data.len()).min(256);
        match read_binary(self.data.len(), self.requested) {
            Some(command) => ReadProgress::Next(command),
            None => ReadProgress::Malformed,
        }
    }
}

/// The command the dialogue waits on, with what later commands need.
#[derive(Debug)]
enum Step {
    SelectJpki,
    SelectAuthCert,
    ReadAuthCert(FileRead),
    SelectSignCert {
        certificate: Vec<u8>,
    },
    SelectPinKey {
        certificate: Vec<u8>,
        signature_certificate_present: bool,
    },
    QueryPin {
        certificate: Vec<u8>,
        signature_certificate_present: bool,
    },
    SelectCardFaceAp {
        number: Zeroizing<Vec<u8>>,
    },
    SelectCollationKeyB {
        number: Zeroizing<Vec<u8>>,
    },
    VerifyCollationB,
    SelectCardFaceRecord,
    ReadCardFaceRecord(FileRead),
    SelectJpkiForPin(Pin),
    SelectPinKeyForVerify(Pin),
    VerifyPin,
    SelectAuthKey(Challenge),
    Sign,
}

impl Step {
    /// What the reader was doing, for failure reports.
    fn label(&self) -> &'static str {
        match self {
            Self::SelectJpki | Self::SelectJpkiForPin(_) => "JPKI AP選択",
            Self::SelectAuthCert | Self::ReadAuthCert(_) => "利用者証明用証明書読取",
            Self::SelectSignCert { .. } => "署名用証明書確認",
            Self::SelectPinKey { .. } | Self::QueryPin { .. } => "暗証番号状態確認",
            Self::SelectCardFaceAp { .. } => "券面AP選択",
            Self::SelectCollationKeyB { .. } | Self::VerifyCollationB => "照合番号B照合",
            Self::SelectCardFaceRecord | Self::ReadCardFaceRecord(_) => "券面読取",
            Self::SelectPinKeyForVerify(_) | Self::VerifyPin => "暗証番号照合",
            Self::SelectAuthKey(_) | Self::Sign => "署名",
        }
    }
}

/// Where a dialogue stands after a card answer.
#[derive(Debug)]
pub enum Progress {
    /// Send this command and feed the answer to the returned dialogue.
    Send(CardDialogue, Command),
    /// The task is over.
    Done(CardFinding),
}

/// One running [`CardTask`]: the command it waits on and what the next commands need.
#[derive(Debug)]
pub struct CardDialogue {
    step: Step,
}

impl CardDialogue {
    /// Starts `task`: the dialogue and its first command.
    pub fn start(task: CardTask) -> Progress {
        match task {
            CardTask::Probe => send(Step::SelectJpki, select_app(Application::Jpki)),
            CardTask::ReadCardFace { collation_number } => send(
                Step::SelectCardFaceAp {
                    number: collation_number,
                },
                select_app(Application::Face),
            ),
            CardTask::VerifyPin(pin) => {
                send(Step::SelectJpkiForPin(pin), select_app(Application::Jpki))
            }
            CardTask::Sign(challenge) => send(
                Step::SelectAuthKey(challenge),
                select_ef(fid::JPKI_AUTH_KEY),
            ),
        }
    }

    /// What the dialogue is doing (Japanese, for reports).
    pub fn step_label(&self) -> &'static str {
        self.step.label()
    }

    /// Feeds the card's answer (data + SW1 SW2) to the command the dialogue waits on.
    pub fn on_response(self, response: &[u8]) -> Progress {
        let step = self.step;
        let Ok(ResponseApdu { data, sw: status }) = ResponseApdu::parse(response) else {
            return failed(&step, None);
        };
        let data = data.as_slice();
        match step {
            Step::SelectJpki => match status {
                StatusWord::OK => send(Step::SelectAuthCert, select_ef(fid::JPKI_AUTH_CERT)),
                StatusWord::FILE_NOT_FOUND => Progress::Done(CardFinding::NotAMyNumberCard),
                other => failed(&step, Some(other)),
            },
            Step::SelectAuthCert => match (status, FileRead::start()) {
                (StatusWord::OK, Some((read, command))) => send(Step::ReadAuthCert(read), command),
                (other, _) => failed(&step, Some(other)),
            },
            Step::ReadAuthCert(read) => match read_on(read, data, status) {
                Read::Next(read, command) => send(Step::ReadAuthCert(read), command),
                Read::Failed(status) => failed(&Step::SelectAuthCert, status),
                Read::Done(certificate) => send(
                    Step::SelectSignCert { certificate },
                    select_ef(fid::JPKI_SIGN_CERT),
                ),
            },
            Step::SelectSignCert { certificate } => {
                let signature_certificate_present = match status {
                    StatusWord::OK => true,
                    StatusWord::FILE_NOT_FOUND => false,
                    other => return failed(&Step::SelectSignCert { certificate }, Some(other)),
                };
                send(
                    Step::SelectPinKey {
                        certificate,
                        signature_certificate_present,
                    },
                    select_ef(fid::JPKI_AUTH_PIN),
                )
            }
            Step::SelectPinKey {
                certificate,
                signature_certificate_present,
            } => match status {
                StatusWord::OK => send_built(
                    Step::QueryPin {
                        certificate,
                        signature_certificate_present,
                    },
                    Verify::retry_query(PinTarget::CurrentEf).map(Command::Verify),
                ),
                StatusWord::FILE_NOT_FOUND => Progress::Done(CardFinding::Probed {
                    auth_certificate: certificate,
                    signature_certificate_present,
                    pin: PinState::NotSet,
                }),
                other => failed(
                    &Step::SelectPinKey {
                        certificate,
                        signature_certificate_present,
                    },
                    Some(other),
                ),
            },
            Step::QueryPin {
                certificate,
                signature_certificate_present,
            } => {
                let pin = match (status.tries_left(), status) {
                    (Some(0), _) => PinState::Locked,
                    (Some(tries), _) => PinState::Available(tries),
                    (
                        None,
                        StatusWord::REFERENCE_DATA_NOT_USABLE
                        | StatusWord::AUTHENTICATION_METHOD_BLOCKED,
                    ) => PinState::Locked,
                    // VERIFY without data never answers 9000 (DESIGN.md §2).
                    (None, StatusWord::OK) => {
                        return Progress::Done(CardFinding::Failed {
                            step: "暗証番号状態確認",
                            status: Some(status),
                        })
                    }
                    // 6A88 reference data not found, 6A82, 6982, 6985 …: no usable PIN here.
                    (None, _) => PinState::NotSet,
                };
                Progress::Done(CardFinding::Probed {
                    auth_certificate: certificate,
                    signature_certificate_present,
                    pin,
                })
            }
            Step::SelectCardFaceAp { number } => match status {
                StatusWord::OK => send(
                    Step::SelectCollationKeyB { number },
                    select_ef(fid::FACE_MATCH_B),
                ),
                StatusWord::FILE_NOT_FOUND => Progress::Done(CardFinding::NoCardFacePhoto),
                other => failed(&Step::SelectCardFaceAp { number }, Some(other)),
            },
            Step::SelectCollationKeyB { number } => match status {
                StatusWord::OK => send_built(Step::VerifyCollationB, verify(number.as_slice())),
                other => failed(&Step::SelectCollationKeyB { number }, Some(other)),
            },
            Step::VerifyCollationB => match (status, status.tries_left()) {
                (StatusWord::OK, _) => {
                    send(Step::SelectCardFaceRecord, select_ef(fid::FACE_RECORD))
                }
                (_, Some(0))
                | (
                    StatusWord::REFERENCE_DATA_NOT_USABLE
                    | StatusWord::AUTHENTICATION_METHOD_BLOCKED,
                    _,
                ) => Progress::Done(CardFinding::CardFaceLocked),
                (_, Some(tries_left)) => {
                    Progress::Done(CardFinding::CardFaceNumberRefused { tries_left })
                }
                (other, None) => failed(&step, Some(other)),
            },
            Step::SelectCardFaceRecord => match (status, FileRead::start()) {
                (StatusWord::OK, Some((read, command))) => {
                    send(Step::ReadCardFaceRecord(read), command)
                }
                (other, _) => failed(&step, Some(other)),
            },
            Step::ReadCardFaceRecord(read) => match read_on(read, data, status) {
                Read::Next(read, command) => send(Step::ReadCardFaceRecord(read), command),
                Read::Failed(status) => failed(&Step::SelectCardFaceRecord, status),
                Read::Done(record) => match card_data::card_face_photo(&record) {
                    Ok(Some(photo)) => Progress::Done(CardFinding::CardFacePhoto(photo)),
                    Ok(None) => Progress::Done(CardFinding::NoCardFacePhoto),
                    Err(_) => failed(&Step::SelectCardFaceRecord, None),
                },
            },
            Step::SelectJpkiForPin(pin) => match status {
                StatusWord::OK => send(
                    Step::SelectPinKeyForVerify(pin),
                    select_ef(fid::JPKI_AUTH_PIN),
                ),
                other => failed(&Step::SelectJpkiForPin(pin), Some(other)),
            },
            Step::SelectPinKeyForVerify(pin) => match status {
                StatusWord::OK => send_built(Step::VerifyPin, verify(pin.as_bytes())),
                StatusWord::FILE_NOT_FOUND => Progress::Done(CardFinding::PinNotSet),
                other => failed(&Step::SelectPinKeyForVerify(pin), Some(other)),
            },
            Step::VerifyPin => match (status, status.tries_left()) {
                (StatusWord::OK, _) => Progress::Done(CardFinding::PinVerified),
                (_, Some(0))
                | (
                    StatusWord::REFERENCE_DATA_NOT_USABLE
                    | StatusWord::AUTHENTICATION_METHOD_BLOCKED,
                    _,
                ) => Progress::Done(CardFinding::PinLocked),
                (_, Some(tries_left)) => Progress::Done(CardFinding::PinWrong { tries_left }),
                (other, None) => failed(&step, Some(other)),
            },
            Step::SelectAuthKey(challenge) => match status {
                StatusWord::OK => send_built(
                    Step::Sign,
                    ComputeDigitalSignature::new(
                        KeyTarget::CurrentEf,
                        card_data::sha256_digest_info(challenge.as_bytes()),
                    )
                    .map(Command::ComputeDigitalSignature),
                ),
                other => failed(&Step::SelectAuthKey(challenge), Some(other)),
            },
            Step::Sign => {
                if status.is_success() && !data.is_empty() {
                    Progress::Done(CardFinding::Signed {
                        signature: data.to_vec(),
                    })
                } else {
                    failed(&step, Some(status))
                }
            }
        }
    }
}

fn send(step: Step, command: Command) -> Progress {
    Progress::Send(CardDialogue { step }, command)
}

/// Sends a command whose fields were checked when it was built; one that could not be built is
/// the reader's own failure at that step, never sent.
fn send_built(step: Step, command: Result<Command, CommandError>) -> Progress {
    match command {
        Ok(command) => send(step, command),
        Err(_) => failed(&step, None),
    }
}

fn select_app(application: Application) -> Command {
    Command::Select(Select::application(application))
}

fn select_ef(fid: u16) -> Command {
    Command::Select(Select::ef(fid))
}

/// VERIFY of the selected key EF with `secret` (ASCII).
fn verify(secret: &[u8]) -> Result<Command, CommandError> {
    Verify::new(PinTarget::CurrentEf, PinBytes::new(secret.to_vec())).map(Command::Verify)
}

fn failed(step: &Step, status: Option<StatusWord>) -> Progress {
    Progress::Done(CardFinding::Failed {
        step: step.label(),
        status,
    })
}

enum Read {
    Next(FileRead, Command),
    Done(Vec<u8>),
    Failed(Option<StatusWord>),
}

fn read_on(mut read: FileRead, data: &[u8], status: StatusWord) -> Read {
    if !status.is_success() {
        return Read::Failed(Some(status));
    }
    match read.advance(data) {
        ReadProgress::Next(command) => Read::Next(read, command),
        ReadProgress::Done(bytes) => Read::Done(bytes),
        ReadProgress::Malformed => Read::Failed(None),
    }
}
