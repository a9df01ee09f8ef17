//! The My Number card (マイナンバーカード) at the APDU level: the one vocabulary shared by the card
//! emulator, the reader, the transports, the slots and the fuzz targets.
//!
//! - [`apdu`]: the ISO/IEC 7816-4 command APDU with its length fields (short and extended).
//! - [`command`]: the commands the card answers as types, each with one `encode` and one `parse`.
//! - [`status`]: [`StatusWord`] with named constants, `tries_left()` and a Japanese/English meaning.
//! - [`response`]: [`ResponseApdu`] (data and status word).
//! - [`ids`]: the applications (AIDs) and files (FIDs) of the card.
//! - [`secret`]: [`PinBytes`], the redacted reference data carried by VERIFY and CHANGE REFERENCE DATA.
//! - [`trace`]: one human-readable line per command/response pair, with secrets masked.
//!
//! Sources: ISO/IEC 7816-4:2005 (= JIS X 6320-4:2009; clause numbers below are of that edition) for
//! the interindustry commands; for what the My Number card does beyond it, the facts reported by
//! open-source clients collected in DESIGN.md §2 (e.g. OpenSC `card-jpki.c`, jpki/myna).
//!
//! Nothing here panics on input from the wire: malformed bytes are typed errors that name the
//! status word a card answers for them.

pub mod apdu;
pub mod command;
pub mod ids;
pub mod response;
pub mod secret;
pub mod status;
pub mod trace;

pub use apdu::{ApduError, CommandApdu};
pub use command::{
    ChangeReferenceData, Command, CommandError, ComputeDigitalSignature, DfName, GetResponse,
    KeyTarget, PinTarget, ReadBinary, ReadTarget, Select, Verify,
};
pub use ids::{aid, fid, Application, FileId};
pub use response::{ResponseApdu, ResponseError};
pub use secret::PinBytes;
pub use status::{Meaning, StatusWord};
pub use trace::{TraceLine, Tracer};
