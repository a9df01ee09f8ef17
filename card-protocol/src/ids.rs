//! The applications (DFs, named by AID) and files (EFs, named by FID) of the My Number card.
//! All values from DESIGN.md §2 (reported by open-source clients such as OpenSC `card-jpki.c`
//! and jpki/myna); FIDs are per application, so the same number names different files in
//! different applications.

/// A file identifier (FID) of an EF, e.g. 000A.
pub type FileId = u16;

/// Application identifiers (DF names).
pub mod aid {
    /// JPKI AP (公的個人認証AP).
    pub const JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    /// 券面事項入力補助AP (text of the card face: My Number, basic four).
    pub const TEXT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
    /// 券面AP (card-face images and photo).
    pub const FACE: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
    /// 住基AP (resident registry).
    pub const JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];
}

/// File identifiers of the EFs.
pub mod fid {
    use super::FileId;
    /// JPKI: signature certificate (署名用電子証明書; needs the signature password).
    pub const JPKI_SIGN_CERT: FileId = 0x0001;
    /// JPKI: CA certificate of the signature certificate.
    pub const JPKI_SIGN_CA_CERT: FileId = 0x0002;
    /// JPKI: token info (160 bytes, label "JPKIAPICCTOKEN2" space-padded).
    pub const JPKI_TOKEN_INFO: FileId = 0x0006;
    /// JPKI: certificate presence (`8F 8F 00` when both certificates are present).
    pub const JPKI_CERT_PRESENCE: FileId = 0x0008;
    /// JPKI: user-auth certificate (利用者証明用電子証明書), readable without PIN.
    pub const JPKI_AUTH_CERT: FileId = 0x000A;
    /// JPKI: CA certificate of the user-auth certificate.
    pub const JPKI_AUTH_CA_CERT: FileId = 0x000B;
    /// JPKI: user-auth private key.
    pub const JPKI_AUTH_KEY: FileId = 0x0017;
    /// JPKI: user-auth PIN (4 digits, 3 tries).
    pub const JPKI_AUTH_PIN: FileId = 0x0018;
    /// JPKI: signature private key.
    pub const JPKI_SIGN_KEY: FileId = 0x001A;
    /// JPKI: signature password (6–16 of A–Z0–9, 5 tries).
    pub const JPKI_SIGN_PIN: FileId = 0x001B;
    /// 入力補助AP: My Number (個人番号), `FF 10 0C` + 12 ASCII digits + `FF FF`.
    pub const TEXT_MY_NUMBER: FileId = 0x0001;
    /// 入力補助AP: basic four (基本4情報), `FF 20 { DF21 … DF25 }`.
    pub const TEXT_BASIC_FOUR: FileId = 0x0002;
    /// 入力補助AP: PIN (4 digits, 3 tries).
    pub const TEXT_PIN: FileId = 0x0011;
    /// 入力補助AP: 照合番号A (the My Number).
    pub const TEXT_MATCH_A: FileId = 0x0014;
    /// 入力補助AP: 照合番号B.
    pub const TEXT_MATCH_B: FileId = 0x0015;
    /// 券面AP: card-face record (with the photo), `FF 20 { DF21 … DF2A }`.
    pub const FACE_RECORD: FileId = 0x0002;
    /// 券面AP: 照合番号B (birth date in 和暦 YYMMDD + expiry year YYYY + security code).
    pub const FACE_MATCH_B: FileId = 0x0012;
    /// 券面AP: 照合番号A (the 12-digit My Number).
    pub const FACE_MATCH_A: FileId = 0x0013;
}

/// An application of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Application {
    /// JPKI AP (公的個人認証AP).
    Jpki,
    /// 券面事項入力補助AP.
    Text,
    /// 券面AP.
    Face,
    /// 住基AP.
    Juki,
}

impl Application {
    /// Every application.
    pub const ALL: [Application; 4] = [
        Application::Jpki,
        Application::Text,
        Application::Face,
        Application::Juki,
    ];

    /// Its AID (DF name).
    pub fn aid(self) -> &'static [u8; 10] {
        match self {
            Application::Jpki => &aid::JPKI,
            Application::Text => &aid::TEXT,
            Application::Face => &aid::FACE,
            Application::Juki => &aid::JUKI,
        }
    }

    /// The application with this AID, if it is one of the card's.
    pub fn from_aid(name: &[u8]) -> Option<Application> {
        Application::ALL
            .into_iter()
            .find(|app| app.aid().as_slice() == name)
    }

    /// Its name as the public documents write it.
    pub fn name_ja(self) -> &'static str {
        match self {
            Application::Jpki => "公的個人認証AP",
            Application::Text => "券面事項入力補助AP",
            Application::Face => "券面AP",
            Application::Juki => "住基AP",
        }
    }

    /// Its name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Application::Jpki => "JPKI AP",
            Application::Text => "card-face text AP",
            Application::Face => "card-face AP",
            Application::Juki => "resident registry AP",
        }
    }

    /// The name of one of its EFs (Japanese, English), if the FID is one of the known files.
    pub fn file_name(self, fid: FileId) -> Option<(&'static str, &'static str)> {
        Some(match (self, fid) {
            (Application::Jpki, fid::JPKI_SIGN_CERT) => {
                ("署名用電子証明書", "signature certificate")
            }
            (Application::Jpki, fid::JPKI_SIGN_CA_CERT) => {
                ("署名用CA証明書", "signature CA certificate")
            }
            (Application::Jpki, fid::JPKI_TOKEN_INFO) => ("トークン情報", "token info"),
            (Application::Jpki, fid::JPKI_CERT_PRESENCE) => {
                ("証明書の有無", "certificate presence")
            }
            (Application::Jpki, fid::JPKI_AUTH_CERT) => {
                ("利用者証明用電子証明書", "user-auth certificate")
            }
            (Application::Jpki, fid::JPKI_AUTH_CA_CERT) => {
                ("利用者証明用CA証明書", "user-auth CA certificate")
            }
            (Application::Jpki, fid::JPKI_AUTH_KEY) => ("利用者証明用秘密鍵", "user-auth key"),
            (Application::Jpki, fid::JPKI_AUTH_PIN) => ("利用者証明用暗証番号", "user-auth PIN"),
            (Application::Jpki, fid::JPKI_SIGN_KEY) => ("署名用秘密鍵", "signature key"),
            (Application::Jpki, fid::JPKI_SIGN_PIN) => ("署名用暗証番号", "signature password"),
            (Application::Text, fid::TEXT_MY_NUMBER) => ("個人番号", "My Number"),
            (Application::Text, fid::TEXT_BASIC_FOUR) => ("基本4情報", "basic four"),
            (Application::Text, fid::TEXT_PIN) => ("券面事項入力補助用暗証番号", "text AP PIN"),
            (Application::Text, fid::TEXT_MATCH_A) => ("照合番号A", "match number A"),
            (Application::Text, fid::TEXT_MATCH_B) => ("照合番号B", "match number B"),
            (Application::Face, fid::FACE_RECORD) => {
                ("券面情報（顔写真）", "card-face record (photo)")
            }
            (Application::Face, fid::FACE_MATCH_B) => ("照合番号B", "match number B"),
            (Application::Face, fid::FACE_MATCH_A) => ("照合番号A", "match number A"),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aids_round_trip_and_files_are_named() {
        for app in Application::ALL {
            assert_eq!(Application::from_aid(app.aid()), Some(app));
        }
        assert_eq!(Application::from_aid(&[0xD3, 0x92]), None);
        assert_eq!(
            Application::Jpki.file_name(fid::JPKI_AUTH_CERT),
            Some(("利用者証明用電子証明書", "user-auth certificate"))
        );
        // The same FID names different files in different applications.
        assert_eq!(
            Application::Text.file_name(0x0001).map(|n| n.1),
            Some("My Number")
        );
        assert_eq!(
            Application::Jpki.file_name(0x0001).map(|n| n.1),
            Some("signature certificate")
        );
        assert_eq!(Application::Juki.file_name(0x0001), None);
    }
}
