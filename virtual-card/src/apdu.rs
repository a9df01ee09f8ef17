//! Typed ISO 7816-4 command and response APDUs: parsing (short and extended Lc/Le, cases 1–4),
//! the commands the My Number card answers, status words, and builders for clients and tests.
//!
//! Nothing here panics on wire input: malformed bytes become an [`ApduError`], which maps to a
//! [`StatusWord`] (6700 for a bad length).

use std::fmt;

/// Largest Le of a short APDU (Le byte 00 means 256).
pub const SHORT_LE_MAX: usize = 256;
/// Largest Le of an extended APDU (Le bytes 00 00 mean 65536).
pub const EXTENDED_LE_MAX: usize = 65_536;

/// A status word (SW1 SW2) ending every response.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000 normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6281 part of the returned data may be corrupted.
    pub const DATA_MAY_BE_CORRUPTED: StatusWord = StatusWord(0x6281);
    /// 6700 wrong length (Lc or Le, or a malformed APDU).
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6981 command incompatible with the file structure (e.g. READ BINARY on a PIN EF).
    pub const INCOMPATIBLE_FILE_STRUCTURE: StatusWord = StatusWord(0x6981);
    /// 6982 security status not satisfied (PIN not verified, or an access condition of NEVER).
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6983 authentication method blocked.
    pub const AUTHENTICATION_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    /// 6984 reference data not usable: the PIN is blocked.
    pub const REFERENCE_DATA_NOT_USABLE: StatusWord = StatusWord(0x6984);
    /// 6985 conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// 6986 command not allowed (no current EF).
    pub const NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
    /// 6A80 incorrect parameters in the command data field (e.g. a new PIN of the wrong format).
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// 6A81 function not supported.
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    /// 6A82 file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A86 incorrect parameters P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6A88 referenced data not found: used for a PIN that is not set on this card (the face-only
    /// card, 顔認証マイナンバーカード) and for a key or PIN named by short EF id that does not exist.
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// 6B00 wrong parameters P1-P2: offset outside the EF.
    pub const OFFSET_OUTSIDE_EF: StatusWord = StatusWord(0x6B00);
    /// 6D00 instruction code not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00 class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// 6F00 no precise diagnosis (internal error).
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);

    /// 63Cx: verification failed (or retry query), `tries_left` (0–15) tries remaining.
    pub fn verify_failed(tries_left: u8) -> StatusWord {
        StatusWord(0x63C0 | u16::from(tries_left.min(0x0F)))
    }

    /// SW1.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// The two bytes SW1 SW2.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// Builds a status word from SW1 and SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> StatusWord {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }

    /// True for 9000.
    pub fn is_ok(self) -> bool {
        self == StatusWord::OK
    }

    /// For 63Cx: the tries left (x).
    pub fn tries_left(self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// Why command bytes are not a well-formed APDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    /// Fewer than the 4 header bytes.
    #[error("APDU shorter than its 4-byte header ({0} bytes)")]
    TooShort(usize),
    /// The length fields do not match the number of bytes.
    #[error("Lc/Le do not match the APDU length ({0} bytes)")]
    LengthMismatch(usize),
    /// Extended Lc of 0.
    #[error("extended Lc of zero")]
    ZeroExtendedLc,
    /// Data too long for the chosen encoding when building.
    #[error("command data of {0} bytes is too long")]
    DataTooLong(usize),
    /// Le too large when building.
    #[error("Le of {0} is too large")]
    LeTooLarge(usize),
}

impl ApduError {
    /// The status word a card answers for this error.
    pub fn status_word(&self) -> StatusWord {
        StatusWord::WRONG_LENGTH
    }
}

/// A parsed command APDU (ISO 7816-4 §5.1).
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: Vec<u8>,
    /// Expected response length, decoded (short 00 = 256, extended 0000 = 65536); `None` when absent.
    pub le: Option<usize>,
    /// True when the extended length encoding was used.
    pub extended: bool,
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The data may carry a PIN: show its length only.
        f.debug_struct("CommandApdu")
            .field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .field("extended", &self.extended)
            .finish()
    }
}

impl CommandApdu {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> CommandApdu {
        CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> CommandApdu {
        self.data = data.into();
        self
    }

    /// Sets Le (1..=65536; 256 and below fit a short APDU).
    pub fn with_le(mut self, le: usize) -> CommandApdu {
        self.le = Some(le);
        self
    }

    /// Forces the extended length encoding.
    pub fn extended(mut self) -> CommandApdu {
        self.extended = true;
        self
    }

    /// Parses command bytes (ISO 7816-3 §12.1.3 cases 1, 2S, 3S, 4S, 2E, 3E, 4E).
    pub fn parse(bytes: &[u8]) -> Result<CommandApdu, ApduError> {
        let (header, body) = match bytes.split_first_chunk::<4>() {
            Some(split) => split,
            None => return Err(ApduError::TooShort(bytes.len())),
        };
        let [cla, ins, p1, p2] = *header;
        let mut apdu = CommandApdu::new(cla, ins, p1, p2);
        let n = bytes.len();
        match body {
            [] => {}
            [le] => apdu.le = Some(short_le(*le)),
            [0, rest @ ..] if rest.len() >= 2 => {
                // Extended: 00 then 2-byte Lc or Le.
                apdu.extended = true;
                let (len_bytes, after) = match rest.split_first_chunk::<2>() {
                    Some(split) => split,
                    None => return Err(ApduError::LengthMismatch(n)),
                };
                let first = usize::from(u16::from_be_bytes(*len_bytes));
                if after.is_empty() {
                    apdu.le = Some(extended_le(first));
                } else {
                    if first == 0 {
                        return Err(ApduError::ZeroExtendedLc);
                    }
                    let data = after.get(..first).ok_or(ApduError::LengthMismatch(n))?;
                    let tail = after.get(first..).ok_or(ApduError::LengthMismatch(n))?;
                    apdu.data = data.to_vec();
                    match tail {
                        [] => {}
                        [a, b] => {
                            apdu.le = Some(extended_le(usize::from(u16::from_be_bytes([*a, *b]))))
                        }
                        _ => return Err(ApduError::LengthMismatch(n)),
                    }
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let lc = usize::from(*lc);
                let data = rest.get(..lc).ok_or(ApduError::LengthMismatch(n))?;
                let tail = rest.get(lc..).ok_or(ApduError::LengthMismatch(n))?;
                apdu.data = data.to_vec();
                match tail {
                    [] => {}
                    [le] => apdu.le = Some(short_le(*le)),
                    _ => return Err(ApduError::LengthMismatch(n)),
                }
            }
            _ => return Err(ApduError::LengthMismatch(n)),
        }
        Ok(apdu)
    }

    /// Encodes the command. Uses the short form unless the data exceeds 255 bytes, Le exceeds 256,
    /// or [`CommandApdu::extended`] was asked for.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        let n = self.data.len();
        if n > 65_535 {
            return Err(ApduError::DataTooLong(n));
        }
        if let Some(le) = self.le {
            if le == 0 || le > EXTENDED_LE_MAX {
                return Err(ApduError::LeTooLarge(le));
            }
        }
        let extended = self.extended || n > 255 || self.le.is_some_and(|le| le > SHORT_LE_MAX);
        let mut out = Vec::with_capacity(4 + 3 + n + 2);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            if n > 0 {
                out.push(0);
                out.extend_from_slice(&(n as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if n == 0 {
                    out.push(0);
                }
                // 65536 is encoded as 00 00.
                out.extend_from_slice(&((le % EXTENDED_LE_MAX) as u16).to_be_bytes());
            }
        } else {
            if n > 0 {
                out.push(n as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                // 256 is encoded as 00.
                out.push((le % SHORT_LE_MAX) as u8);
            }
        }
        Ok(out)
    }
}

fn short_le(byte: u8) -> usize {
    if byte == 0 {
        SHORT_LE_MAX
    } else {
        usize::from(byte)
    }
}

fn extended_le(value: usize) -> usize {
    if value == 0 {
        EXTENDED_LE_MAX
    } else {
        value
    }
}

/// Instruction bytes the card knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instruction {
    /// A4 SELECT.
    Select,
    /// B0 READ BINARY.
    ReadBinary,
    /// 20 VERIFY.
    Verify,
    /// 24 CHANGE REFERENCE DATA.
    ChangeReferenceData,
    /// 2A PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE.
    ComputeDigitalSignature,
    /// C0 GET RESPONSE.
    GetResponse,
}

impl Instruction {
    /// The INS byte.
    pub fn code(self) -> u8 {
        match self {
            Instruction::Select => 0xA4,
            Instruction::ReadBinary => 0xB0,
            Instruction::Verify => 0x20,
            Instruction::ChangeReferenceData => 0x24,
            Instruction::ComputeDigitalSignature => 0x2A,
            Instruction::GetResponse => 0xC0,
        }
    }

    /// The instruction of an INS byte, if known.
    pub fn from_code(ins: u8) -> Option<Instruction> {
        Some(match ins {
            0xA4 => Instruction::Select,
            0xB0 => Instruction::ReadBinary,
            0x20 => Instruction::Verify,
            0x24 => Instruction::ChangeReferenceData,
            0x2A => Instruction::ComputeDigitalSignature,
            0xC0 => Instruction::GetResponse,
            _ => return None,
        })
    }
}

/// CLA of the interindustry commands (SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA).
pub const CLA_ISO: u8 = 0x00;
/// CLA of JPKI's proprietary COMPUTE DIGITAL SIGNATURE.
pub const CLA_PROPRIETARY: u8 = 0x80;

/// A file identifier (FID) of an EF, e.g. 000A.
pub type FileId = u16;

/// SELECT (A4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Select {
    /// `00 A4 04 0C Lc <AID>`: select a DF (application) by name.
    DfByName(Vec<u8>),
    /// `00 A4 02 0C 02 <FID>` (or P1=00/01): select an EF under the current DF.
    EfById(FileId),
    /// `00 A4 00 0C 02 3F 00`: select the MF (leaves any application).
    MasterFile,
}

impl Select {
    /// Parses a SELECT; errors are the status word to answer.
    pub fn parse(apdu: &CommandApdu) -> Result<Select, StatusWord> {
        // P2: 0C = no response data; 00 = return FCI (we answer without data).
        if apdu.p2 != 0x0C && apdu.p2 != 0x00 {
            return Err(StatusWord::WRONG_P1P2);
        }
        match apdu.p1 {
            0x04 => {
                if apdu.data.is_empty() || apdu.data.len() > 16 {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                Ok(Select::DfByName(apdu.data.clone()))
            }
            0x00..=0x02 => match apdu.data.as_slice() {
                [0x3F, 0x00] => Ok(Select::MasterFile),
                [] if apdu.p1 == 0x00 => Ok(Select::MasterFile),
                [hi, lo] => Ok(Select::EfById(u16::from_be_bytes([*hi, *lo]))),
                _ => Err(StatusWord::WRONG_LENGTH),
            },
            _ => Err(StatusWord::WRONG_P1P2),
        }
    }

    /// Builds the command APDU.
    pub fn to_apdu(&self) -> CommandApdu {
        match self {
            Select::DfByName(aid) => {
                CommandApdu::new(CLA_ISO, 0xA4, 0x04, 0x0C).with_data(aid.clone())
            }
            Select::EfById(fid) => {
                CommandApdu::new(CLA_ISO, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes())
            }
            Select::MasterFile => {
                CommandApdu::new(CLA_ISO, 0xA4, 0x00, 0x0C).with_data([0x3F, 0x00])
            }
        }
    }
}

/// Which EF a READ BINARY reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadTarget {
    /// The current EF.
    CurrentEf,
    /// The EF with this short EF identifier (P1 = 80|SFI); it becomes the current EF.
    ShortEf(u8),
}

/// READ BINARY (B0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBinary {
    /// Which EF.
    pub target: ReadTarget,
    /// Offset in the EF (15 bits, or 8 bits in the short-EF form).
    pub offset: usize,
    /// Bytes asked for (Le, decoded).
    pub le: usize,
}

impl ReadBinary {
    /// Parses a READ BINARY; errors are the status word to answer.
    pub fn parse(apdu: &CommandApdu) -> Result<ReadBinary, StatusWord> {
        if !apdu.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let le = apdu.le.ok_or(StatusWord::WRONG_LENGTH)?;
        if apdu.p1 & 0x80 != 0 {
            if apdu.p1 & 0x60 != 0 {
                return Err(StatusWord::WRONG_P1P2);
            }
            let sfi = apdu.p1 & 0x1F;
            if sfi == 0 {
                return Err(StatusWord::WRONG_P1P2);
            }
            Ok(ReadBinary {
                target: ReadTarget::ShortEf(sfi),
                offset: usize::from(apdu.p2),
                le,
            })
        } else {
            Ok(ReadBinary {
                target: ReadTarget::CurrentEf,
                offset: usize::from(u16::from_be_bytes([apdu.p1, apdu.p2])),
                le,
            })
        }
    }

    /// Builds the command APDU (extended if `le` > 256).
    pub fn to_apdu(&self) -> CommandApdu {
        let (p1, p2) = match self.target {
            ReadTarget::CurrentEf => {
                let offset = (self.offset & 0x7FFF) as u16;
                ((offset >> 8) as u8, (offset & 0xFF) as u8)
            }
            ReadTarget::ShortEf(sfi) => (0x80 | (sfi & 0x1F), (self.offset & 0xFF) as u8),
        };
        CommandApdu::new(CLA_ISO, 0xB0, p1, p2).with_le(self.le)
    }
}

/// Which reference data (PIN) a VERIFY or CHANGE REFERENCE DATA addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinTarget {
    /// P2 = 80: the current EF (a PIN EF).
    CurrentEf,
    /// P2 = 80|EF: the PIN EF with this short EF id in the current DF.
    ShortEf(u8),
}

impl PinTarget {
    fn from_p2(p2: u8) -> Result<PinTarget, StatusWord> {
        match p2 {
            0x80 => Ok(PinTarget::CurrentEf),
            0x81..=0x9F => Ok(PinTarget::ShortEf(p2 & 0x1F)),
            _ => Err(StatusWord::WRONG_P1P2),
        }
    }

    fn p2(self) -> u8 {
        match self {
            PinTarget::CurrentEf => 0x80,
            PinTarget::ShortEf(ef) => 0x80 | (ef & 0x1F),
        }
    }
}

/// A PIN value carried by a command. Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PinBytes(pub Vec<u8>);

impl fmt::Debug for PinBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for PinBytes {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// VERIFY (20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verify {
    /// Which PIN.
    pub target: PinTarget,
    /// The PIN, or `None` for the retry-counter query (no data).
    pub pin: Option<PinBytes>,
}

impl Verify {
    /// Parses a VERIFY; errors are the status word to answer.
    pub fn parse(apdu: &CommandApdu) -> Result<Verify, StatusWord> {
        if apdu.p1 != 0x00 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let target = PinTarget::from_p2(apdu.p2)?;
        let pin = if apdu.data.is_empty() {
            None
        } else {
            Some(PinBytes(apdu.data.clone()))
        };
        Ok(Verify { target, pin })
    }

    /// Builds `00 20 00 80 Lc <PIN>` (or the query without data when `pin` is `None`).
    pub fn to_apdu(&self) -> CommandApdu {
        let apdu = CommandApdu::new(CLA_ISO, 0x20, 0x00, self.target.p2());
        match &self.pin {
            Some(pin) => apdu.with_data(pin.0.clone()),
            None => apdu,
        }
    }
}

/// CHANGE REFERENCE DATA (24), `00 24 01 80 Lc <new PIN>` after a VERIFY of the same PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReferenceData {
    /// Which PIN.
    pub target: PinTarget,
    /// The new PIN.
    pub new_pin: PinBytes,
}

impl ChangeReferenceData {
    /// Parses a CHANGE REFERENCE DATA; only P1 = 01 (new data only, after VERIFY) is supported.
    pub fn parse(apdu: &CommandApdu) -> Result<ChangeReferenceData, StatusWord> {
        if apdu.p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let target = PinTarget::from_p2(apdu.p2)?;
        if apdu.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(ChangeReferenceData {
            target,
            new_pin: PinBytes(apdu.data.clone()),
        })
    }

    /// Builds the command APDU.
    pub fn to_apdu(&self) -> CommandApdu {
        CommandApdu::new(CLA_ISO, 0x24, 0x01, self.target.p2()).with_data(self.new_pin.0.clone())
    }
}

/// Which key a COMPUTE DIGITAL SIGNATURE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTarget {
    /// P2 = 80: the current EF (a key EF).
    CurrentEf,
    /// P2 = 80|EF: the key EF with this short EF id in the current DF (97 = auth key 0017,
    /// 9A = signature key 001A), no SELECT needed.
    ShortEf(u8),
}

/// COMPUTE DIGITAL SIGNATURE (`80 2A 00 80 Lc <DigestInfo> 00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputeDigitalSignature {
    /// Which key.
    pub target: KeyTarget,
    /// The DigestInfo (DER) the card pads with PKCS#1 v1.5 type 1 and signs.
    pub digest_info: Vec<u8>,
}

impl ComputeDigitalSignature {
    /// Parses the command. Only P1 = 00 (DigestInfo as sent) is supported: other schemes → 6A86.
    pub fn parse(apdu: &CommandApdu) -> Result<ComputeDigitalSignature, StatusWord> {
        if apdu.p1 != 0x00 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let target = match apdu.p2 {
            0x80 => KeyTarget::CurrentEf,
            0x81..=0x9F => KeyTarget::ShortEf(apdu.p2 & 0x1F),
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        if apdu.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(ComputeDigitalSignature {
            target,
            digest_info: apdu.data.clone(),
        })
    }

    /// Builds `80 2A 00 P2 Lc <DigestInfo> 00`.
    pub fn to_apdu(&self) -> CommandApdu {
        let p2 = match self.target {
            KeyTarget::CurrentEf => 0x80,
            KeyTarget::ShortEf(ef) => 0x80 | (ef & 0x1F),
        };
        CommandApdu::new(CLA_PROPRIETARY, 0x2A, 0x00, p2)
            .with_data(self.digest_info.clone())
            .with_le(SHORT_LE_MAX)
    }
}

/// A typed command the card understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// SELECT.
    Select(Select),
    /// READ BINARY.
    ReadBinary(ReadBinary),
    /// VERIFY.
    Verify(Verify),
    /// CHANGE REFERENCE DATA.
    ChangeReferenceData(ChangeReferenceData),
    /// COMPUTE DIGITAL SIGNATURE.
    ComputeDigitalSignature(ComputeDigitalSignature),
}

impl Command {
    /// Parses a command APDU: wrong CLA → 6E00, unknown INS → 6D00, bad parameters → 6A86/6700.
    pub fn parse(apdu: &CommandApdu) -> Result<Command, StatusWord> {
        if apdu.cla != CLA_ISO && apdu.cla != CLA_PROPRIETARY {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        let ins = Instruction::from_code(apdu.ins).ok_or(StatusWord::INS_NOT_SUPPORTED)?;
        let expected_cla = match ins {
            Instruction::ComputeDigitalSignature => CLA_PROPRIETARY,
            _ => CLA_ISO,
        };
        if apdu.cla != expected_cla {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        Ok(match ins {
            Instruction::Select => Command::Select(Select::parse(apdu)?),
            Instruction::ReadBinary => Command::ReadBinary(ReadBinary::parse(apdu)?),
            Instruction::Verify => Command::Verify(Verify::parse(apdu)?),
            Instruction::ChangeReferenceData => {
                Command::ChangeReferenceData(ChangeReferenceData::parse(apdu)?)
            }
            Instruction::ComputeDigitalSignature => {
                Command::ComputeDigitalSignature(ComputeDigitalSignature::parse(apdu)?)
            }
            // The card answers every command at once (no 61xx), so there is never a response
            // waiting: GET RESPONSE has nothing to return.
            Instruction::GetResponse => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        })
    }

    /// Builds the command APDU.
    pub fn to_apdu(&self) -> CommandApdu {
        match self {
            Command::Select(c) => c.to_apdu(),
            Command::ReadBinary(c) => c.to_apdu(),
            Command::Verify(c) => c.to_apdu(),
            Command::ChangeReferenceData(c) => c.to_apdu(),
            Command::ComputeDigitalSignature(c) => c.to_apdu(),
        }
    }
}

/// Builders of the command bytes clients send (the mock reader and tests use these).
pub mod build {
    use super::*;

    fn encode(apdu: CommandApdu) -> Vec<u8> {
        // The builders below only make APDUs whose lengths fit; fall back to an empty Vec is
        // impossible for them, but never panic.
        apdu.to_bytes().unwrap_or_default()
    }

    /// `00 A4 04 0C Lc <AID>`.
    pub fn select_df(aid: &[u8]) -> Vec<u8> {
        encode(Select::DfByName(aid.to_vec()).to_apdu())
    }

    /// `00 A4 02 0C 02 <FID>`.
    pub fn select_ef(fid: FileId) -> Vec<u8> {
        encode(Select::EfById(fid).to_apdu())
    }

    /// `00 B0 <offset> <Le>` (extended Le when `le` > 256).
    pub fn read_binary(offset: u16, le: usize) -> Vec<u8> {
        encode(
            ReadBinary {
                target: ReadTarget::CurrentEf,
                offset: usize::from(offset),
                le,
            }
            .to_apdu(),
        )
    }

    /// `00 B0 <80|SFI> <offset> <Le>`: read an EF of the current DF by short EF id.
    pub fn read_binary_short_ef(sfi: u8, offset: u8, le: usize) -> Vec<u8> {
        encode(
            ReadBinary {
                target: ReadTarget::ShortEf(sfi),
                offset: usize::from(offset),
                le,
            }
            .to_apdu(),
        )
    }

    /// `00 B0 <offset> 00 <Le hi> <Le lo>`: READ BINARY with an extended Le (up to 65536).
    pub fn read_binary_extended(offset: u16, le: usize) -> Vec<u8> {
        encode(
            ReadBinary {
                target: ReadTarget::CurrentEf,
                offset: usize::from(offset),
                le,
            }
            .to_apdu()
            .extended(),
        )
    }

    /// `00 20 00 80 Lc <PIN>` on the current PIN EF.
    pub fn verify(pin: &[u8]) -> Vec<u8> {
        encode(
            Verify {
                target: PinTarget::CurrentEf,
                pin: Some(PinBytes(pin.to_vec())),
            }
            .to_apdu(),
        )
    }

    /// `00 20 00 80`: the retry-counter query (answers 63Cx).
    pub fn verify_query() -> Vec<u8> {
        encode(
            Verify {
                target: PinTarget::CurrentEf,
                pin: None,
            }
            .to_apdu(),
        )
    }

    /// `00 20 00 <80|EF> Lc <PIN>`: VERIFY a PIN EF named by short EF id (no SELECT).
    pub fn verify_short_ef(ef: u8, pin: &[u8]) -> Vec<u8> {
        encode(
            Verify {
                target: PinTarget::ShortEf(ef),
                pin: Some(PinBytes(pin.to_vec())),
            }
            .to_apdu(),
        )
    }

    /// `00 24 01 80 Lc <new PIN>` (after VERIFY of the current PIN EF).
    pub fn change_reference_data(new_pin: &[u8]) -> Vec<u8> {
        encode(
            ChangeReferenceData {
                target: PinTarget::CurrentEf,
                new_pin: PinBytes(new_pin.to_vec()),
            }
            .to_apdu(),
        )
    }

    /// `80 2A 00 80 Lc <DigestInfo> 00` with the current key EF.
    pub fn compute_digital_signature(digest_info: &[u8]) -> Vec<u8> {
        encode(
            ComputeDigitalSignature {
                target: KeyTarget::CurrentEf,
                digest_info: digest_info.to_vec(),
            }
            .to_apdu(),
        )
    }

    /// `80 2A 00 <80|EF> Lc <DigestInfo> 00`: sign with the key EF named by short id (97 auth, 9A sign).
    pub fn compute_digital_signature_short_ef(ef: u8, digest_info: &[u8]) -> Vec<u8> {
        encode(
            ComputeDigitalSignature {
                target: KeyTarget::ShortEf(ef),
                digest_info: digest_info.to_vec(),
            }
            .to_apdu(),
        )
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

impl fmt::Debug for ResponseApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseApdu")
            .field("data_len", &self.data.len())
            .field("sw", &self.sw)
            .finish()
    }
}

/// Why response bytes are not a response APDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("response of {0} bytes has no status word")]
pub struct ResponseTooShort(pub usize);

impl ResponseApdu {
    /// A response with data.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> ResponseApdu {
        ResponseApdu { data, sw }
    }

    /// A response with only a status word.
    pub fn status(sw: StatusWord) -> ResponseApdu {
        ResponseApdu {
            data: Vec::new(),
            sw,
        }
    }

    /// Splits response bytes into data and SW1 SW2.
    pub fn parse(bytes: &[u8]) -> Result<ResponseApdu, ResponseTooShort> {
        match bytes.split_last_chunk::<2>() {
            Some((data, [sw1, sw2])) => Ok(ResponseApdu {
                data: data.to_vec(),
                sw: StatusWord::from_bytes(*sw1, *sw2),
            }),
            None => Err(ResponseTooShort(bytes.len())),
        }
    }

    /// Data followed by SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_case() {
        let c1 = CommandApdu::parse(&[0, 0x20, 0, 0x80]).unwrap();
        assert_eq!((c1.data.len(), c1.le), (0, None));
        let c2 = CommandApdu::parse(&[0, 0xB0, 0, 0, 0]).unwrap();
        assert_eq!(c2.le, Some(256));
        let c3 = CommandApdu::parse(&[0, 0xA4, 2, 0x0C, 2, 0, 0x0A]).unwrap();
        assert_eq!((c3.data.as_slice(), c3.le), (&[0u8, 0x0A][..], None));
        let c4 = CommandApdu::parse(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap();
        assert_eq!((c4.data.as_slice(), c4.le), (&[9u8][..], Some(256)));
        let c2e = CommandApdu::parse(&[0, 0xB0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!((c2e.le, c2e.extended), (Some(65536), true));
        let c3e = CommandApdu::parse(&[0, 0x20, 0, 0x80, 0, 0, 2, 1, 2]).unwrap();
        assert_eq!((c3e.data.as_slice(), c3e.le), (&[1u8, 2][..], None));
        let c4e = CommandApdu::parse(&[0, 0x20, 0, 0x80, 0, 0, 1, 7, 0x01, 0x00]).unwrap();
        assert_eq!((c4e.data.as_slice(), c4e.le), (&[7u8][..], Some(256)));
    }

    #[test]
    fn rejects_malformed_lengths() {
        for bad in [
            &[][..],
            &[0, 0xB0, 0][..],
            &[0, 0xB0, 0, 0, 0, 0][..],
            &[0, 0xA4, 2, 0x0C, 3, 0, 0x0A][..],
            &[0, 0xA4, 2, 0x0C, 1, 0, 0x0A, 0, 0][..],
            &[0, 0x20, 0, 0x80, 0, 0, 0, 1][..],
            &[0, 0x20, 0, 0x80, 0, 0, 2, 1][..],
        ] {
            assert!(CommandApdu::parse(bad).is_err(), "{bad:02X?}");
        }
    }

    #[test]
    fn round_trips_builders() {
        for (apdu, bytes) in [
            (build::select_ef(0x000A), vec![0, 0xA4, 2, 0x0C, 2, 0, 0x0A]),
            (build::read_binary(0x0102, 256), vec![0, 0xB0, 1, 2, 0]),
            (
                build::read_binary_extended(0, 65536),
                vec![0, 0xB0, 0, 0, 0, 0, 0],
            ),
            (
                build::read_binary_short_ef(0x0A, 4, 4),
                vec![0, 0xB0, 0x8A, 4, 4],
            ),
            (build::verify_query(), vec![0, 0x20, 0, 0x80]),
            (
                build::verify(b"1234"),
                vec![0, 0x20, 0, 0x80, 4, b'1', b'2', b'3', b'4'],
            ),
        ] {
            assert_eq!(apdu, bytes);
            assert!(CommandApdu::parse(&apdu).is_ok());
        }
        let long = CommandApdu::new(0, 0xB0, 0, 0)
            .with_data(vec![1; 300])
            .with_le(300);
        let parsed = CommandApdu::parse(&long.to_bytes().unwrap()).unwrap();
        assert_eq!(
            (parsed.data.len(), parsed.le, parsed.extended),
            (300, Some(300), true)
        );
    }

    #[test]
    fn status_words() {
        assert_eq!(StatusWord::verify_failed(2), StatusWord(0x63C2));
        assert_eq!(StatusWord(0x63C1).tries_left(), Some(1));
        assert_eq!(StatusWord::OK.tries_left(), None);
        let r = ResponseApdu::parse(&[1, 2, 0x90, 0]).unwrap();
        assert_eq!((r.data, r.sw), (vec![1, 2], StatusWord::OK));
        assert!(ResponseApdu::parse(&[0x90]).is_err());
    }

    #[test]
    fn pin_debug_is_redacted() {
        let v = Verify::parse(&CommandApdu::parse(&build::verify(b"1234")).unwrap()).unwrap();
        assert!(!format!("{v:?}").contains("1234"));
        assert!(!format!("{v:?}").contains("49, 50"));
    }
}
