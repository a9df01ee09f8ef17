//! BER-TLV encoding of the card's records (ISO/IEC 7816-4:2005 §5.2.2: tag, BER length, value;
//! lengths of 128 bytes and more as 81 LL / 82 LL LL / 83 LL LL LL) and the `FF 20` record
//! layout of the 入力補助AP and 券面AP (DESIGN.md §2): DF21 first, holding the 2-byte big-endian
//! offset, from the start of the file, of each following item's tag.

/// BER length octets.
pub fn ber_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        0x100..=0xFFFF => vec![0x82, (len >> 8) as u8, len as u8],
        _ => vec![0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8],
    }
}

pub(crate) fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend(ber_length(value.len()));
    out.extend_from_slice(value);
    out
}

/// `FF 20 L { DF21 offsets, items... }`: DF21 holds the 2-byte offset of each item's tag.
pub(crate) fn ff20_record(items: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let encoded: Vec<Vec<u8>> = items.iter().map(|(t, v)| tlv(&[0xDF, *t], v)).collect();
    let offsets_len = 2 * items.len();
    let df21_len = tlv(&[0xDF, 0x21], &vec![0; offsets_len]).len();
    let content_len = df21_len + encoded.iter().map(Vec::len).sum::<usize>();
    let header_len = 2 + ber_length(content_len).len();
    let mut offsets = Vec::with_capacity(offsets_len);
    let mut at = header_len + df21_len;
    for e in &encoded {
        offsets.extend_from_slice(&(at.min(0xFFFF) as u16).to_be_bytes());
        at += e.len();
    }
    let mut content = tlv(&[0xDF, 0x21], &offsets);
    for e in encoded {
        content.extend(e);
    }
    tlv(&[0xFF, 0x20], &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ber_lengths() {
        assert_eq!(ber_length(5), vec![5]);
        assert_eq!(ber_length(200), vec![0x81, 200]);
        assert_eq!(ber_length(0x1234), vec![0x82, 0x12, 0x34]);
        assert_eq!(ber_length(0x12_3456), vec![0x83, 0x12, 0x34, 0x56]);
    }

    #[test]
    fn record_offsets_point_at_tags() {
        let rec = ff20_record(&[(0x22, vec![1; 3]), (0x23, vec![2; 300])]);
        // FF 20 82 LL LL, DF21 04 o1 o1 o2 o2
        assert_eq!(&rec[..2], &[0xFF, 0x20]);
        let o1 = usize::from(u16::from_be_bytes([rec[8], rec[9]]));
        let o2 = usize::from(u16::from_be_bytes([rec[10], rec[11]]));
        assert_eq!(&rec[o1..o1 + 2], &[0xDF, 0x22]);
        assert_eq!(&rec[o2..o2 + 2], &[0xDF, 0x23]);
    }
}
