//! The response APDU: response data followed by the status word (ISO/IEC 7816-4:2005 §5.1,
//! Table 2 "response APDU").

use std::fmt;

use crate::status::StatusWord;

/// A response APDU. Debug shows the data's length only: the data may be a My Number, a name or
/// a certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data (empty when the card answers a status word only).
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

/// Why bytes are not a response APDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// Fewer than the 2 bytes of the status word.
    #[error("response of {0} bytes has no status word")]
    TooShort(usize),
}

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
    pub fn parse(bytes: &[u8]) -> Result<ResponseApdu, ResponseError> {
        match bytes.split_last_chunk::<2>() {
            Some((data, [sw1, sw2])) => Ok(ResponseApdu {
                data: data.to_vec(),
                sw: StatusWord::from_bytes(*sw1, *sw2),
            }),
            None => Err(ResponseError::TooShort(bytes.len())),
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
    fn parse_and_encode() {
        let r = ResponseApdu::parse(&[1, 2, 0x90, 0]).unwrap();
        assert_eq!((r.data.clone(), r.sw), (vec![1, 2], StatusWord::OK));
        assert_eq!(r.to_bytes(), vec![1, 2, 0x90, 0]);
        assert_eq!(
            ResponseApdu::parse(&[0x63, 0xC2]).unwrap(),
            ResponseApdu::status(StatusWord::verify_failed(2))
        );
        assert_eq!(
            ResponseApdu::parse(&[0x90]),
            Err(ResponseError::TooShort(1))
        );
        assert_eq!(ResponseApdu::parse(&[]), Err(ResponseError::TooShort(0)));
        let secret = ResponseApdu::new(b"123456789012".to_vec(), StatusWord::OK);
        assert!(!format!("{secret:?}").contains("49, 50"));
    }
}
