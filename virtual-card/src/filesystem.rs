//! The card's file system: which DFs and EFs exist, who may read each EF, and the EF contents
//! encoded from the card's data (DESIGN.md §2).
//!
//! Choices where the real card is not documented (also in fixtures/cards/README.md):
//! - A face-only card (顔認証マイナンバーカード) has no signature certificate, signature key or
//!   signature password EFs (SELECT → 6A82); its user-auth certificate and CA are readable.
//! - An infant's card without a photo keeps DF27 in the 券面AP record, with length 0.
//! - JPKI EF 0008 (certificate presence): byte 0 = user-auth cert, byte 1 = signature cert
//!   (8F present, 00 absent), byte 2 = 00; `8F 8F 00` when both are present.
//! - 券面AP DF24 holds the card's user-auth public key (SubjectPublicKeyInfo DER) and DF28 the
//!   card's RSA PKCS#1 v1.5 SHA-256 signature with that key over the values of DF22, DF23,
//!   DF25, DF26, DF27, DF29 and DF2A concatenated. DF25/DF26/DF2A (name, address and security
//!   code images) are blank 1×1 PNGs: the text itself is in the 入力補助AP.

use card_protocol::{fid, Application, FileId};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

use crate::ber::ff20_record;
use crate::model::{CardData, PinId};

/// Who may read an EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone.
    Always,
    /// After any one of these PINs is verified in this session.
    AnyOf(&'static [PinId]),
}

/// A private key of the JPKI AP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyId {
    Auth,
    Sign,
}

impl KeyId {
    /// The PIN that opens the key.
    pub(crate) fn pin(self) -> PinId {
        match self {
            KeyId::Auth => PinId::JpkiAuth,
            KeyId::Sign => PinId::JpkiSign,
        }
    }
}

/// An EF: a transparent file with its read condition, a PIN EF or a key EF (neither readable).
#[derive(Debug, Clone)]
pub(crate) enum Ef {
    /// A transparent EF.
    Binary {
        /// Its content.
        data: Vec<u8>,
        /// Who may read it.
        access: Access,
    },
    /// A PIN (or 照合番号) EF.
    Pin(PinId),
    /// A private key EF.
    Key(KeyId),
}

/// A DF (application) and its EFs.
#[derive(Debug, Clone)]
pub(crate) struct Df {
    /// Which application.
    pub(crate) application: Application,
    /// Its EFs by FID.
    pub(crate) files: Vec<(FileId, Ef)>,
}

impl Df {
    /// The EF with this FID.
    pub(crate) fn file(&self, fid: FileId) -> Option<&Ef> {
        self.files.iter().find(|(f, _)| *f == fid).map(|(_, ef)| ef)
    }
}

const TEXT_ACCESS: Access = Access::AnyOf(&[PinId::TextPin, PinId::TextMatchA, PinId::TextMatchB]);
const FACE_ACCESS: Access = Access::AnyOf(&[PinId::FaceMatchA, PinId::FaceMatchB]);

/// A blank 1×1 white PNG (stand-in for the card's text images).
const BLANK_PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0x0F, 0x00, 0x01,
    0x01, 0x01, 0x00, 0xB1, 0x38, 0xF6, 0x14, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn token_info() -> Vec<u8> {
    let mut info = b"JPKIAPICCTOKEN2".to_vec();
    info.resize(160, b' ');
    info
}

/// The card's DFs and EFs, with every EF's content encoded from the card's data.
pub(crate) fn build_applications(data: &CardData) -> Vec<Df> {
    let mut jpki = vec![
        (
            fid::JPKI_TOKEN_INFO,
            Ef::Binary {
                data: token_info(),
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_CERT_PRESENCE,
            Ef::Binary {
                data: vec![0x8F, if data.sign.is_some() { 0x8F } else { 0x00 }, 0x00],
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_AUTH_CERT,
            Ef::Binary {
                data: data.auth.cert_der.clone(),
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_AUTH_CA_CERT,
            Ef::Binary {
                data: data.auth.ca_cert_der.clone(),
                access: Access::Always,
            },
        ),
        (fid::JPKI_AUTH_KEY, Ef::Key(KeyId::Auth)),
        (fid::JPKI_AUTH_PIN, Ef::Pin(PinId::JpkiAuth)),
    ];
    if let Some(sign) = &data.sign {
        jpki.push((
            fid::JPKI_SIGN_CERT,
            Ef::Binary {
                data: sign.cert_der.clone(),
                access: Access::AnyOf(&[PinId::JpkiSign]),
            },
        ));
        jpki.push((
            fid::JPKI_SIGN_CA_CERT,
            Ef::Binary {
                data: sign.ca_cert_der.clone(),
                access: Access::Always,
            },
        ));
        jpki.push((fid::JPKI_SIGN_KEY, Ef::Key(KeyId::Sign)));
        jpki.push((fid::JPKI_SIGN_PIN, Ef::Pin(PinId::JpkiSign)));
    }

    let mut my_number = vec![0xFF, 0x10, 0x0C];
    my_number.extend_from_slice(data.holder.my_number.expose().as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    let birth = data.holder.birth.format("%Y%m%d").to_string().into_bytes();
    let basic_four = ff20_record(&[
        (0x22, data.holder.name.as_bytes().to_vec()),
        (0x23, data.holder.address.as_bytes().to_vec()),
        (0x24, birth.clone()),
        (0x25, vec![data.holder.sex.code()]),
    ]);
    let text = vec![
        (
            fid::TEXT_MY_NUMBER,
            Ef::Binary {
                data: my_number,
                access: TEXT_ACCESS,
            },
        ),
        (
            fid::TEXT_BASIC_FOUR,
            Ef::Binary {
                data: basic_four,
                access: TEXT_ACCESS,
            },
        ),
        (fid::TEXT_PIN, Ef::Pin(PinId::TextPin)),
        (fid::TEXT_MATCH_A, Ef::Pin(PinId::TextMatchA)),
        (fid::TEXT_MATCH_B, Ef::Pin(PinId::TextMatchB)),
    ];

    let face = vec![
        (
            fid::FACE_RECORD,
            Ef::Binary {
                data: face_record(data, birth),
                access: FACE_ACCESS,
            },
        ),
        (fid::FACE_MATCH_B, Ef::Pin(PinId::FaceMatchB)),
        (fid::FACE_MATCH_A, Ef::Pin(PinId::FaceMatchA)),
    ];

    vec![
        Df {
            application: Application::Jpki,
            files: jpki,
        },
        Df {
            application: Application::Text,
            files: text,
        },
        Df {
            application: Application::Face,
            files: face,
        },
        Df {
            application: Application::Juki,
            files: Vec::new(),
        },
    ]
}

fn face_record(data: &CardData, birth: Vec<u8>) -> Vec<u8> {
    let public_key = {
        use rsa::pkcs8::EncodePublicKey;
        data.auth
            .key
            .to_public_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    };
    let sex = vec![data.holder.sex.code()];
    let photo = data.photo.clone().unwrap_or_default();
    let expiry = data.expiry.format("%Y%m%d").to_string().into_bytes();
    let signed: [&[u8]; 7] = [
        &birth, &sex, &BLANK_PNG, &BLANK_PNG, &photo, &expiry, &BLANK_PNG,
    ];
    let mut hasher = Sha256::new();
    for part in signed {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let signature = data
        .auth
        .key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .unwrap_or_default();
    ff20_record(&[
        (0x22, birth),
        (0x23, sex),
        (0x24, public_key),
        (0x25, BLANK_PNG.to_vec()),
        (0x26, BLANK_PNG.to_vec()),
        (0x27, photo),
        (0x28, signature),
        (0x29, expiry),
        (0x2A, BLANK_PNG.to_vec()),
    ])
}
