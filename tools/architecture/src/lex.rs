//! A small Rust lexer: enough to find `mod` declarations, `use` trees and `crate::`/`super::`/
//! `self::` paths. Comments are dropped; string and char literals become one token each so their
//! contents never look like code (the Rust Reference, "Tokens" and "Comments").

/// One token of Rust source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An identifier or keyword (`r#` stripped).
    Ident(String),
    /// A string literal's contents (unescaped only as far as the path attribute needs).
    Str(String),
    /// `::`
    PathSep,
    /// Any other punctuation character.
    Punct(char),
    /// A number, char literal or lifetime: nothing this crate looks at.
    Other,
}

/// Splits `src` into tokens; never fails (an unterminated literal or comment ends the input).
pub fn lex(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            // Block comments nest.
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' {
            let (s, next) = quoted(&chars, i + 1);
            out.push(Token::Str(s));
            i = next;
        } else if (c == 'r' || c == 'b' || c == 'c') && raw_string_start(&chars, i).is_some() {
            let (hashes, body) = raw_string_start(&chars, i).unwrap_or((0, i));
            let mut k = body;
            let mut s = String::new();
            while k < chars.len() {
                if chars[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                s.push(chars[k]);
                k += 1;
            }
            out.push(Token::Str(s));
            i = k;
        } else if (c == 'b' || c == 'c') && at(i + 1) == '"' {
            let (s, next) = quoted(&chars, i + 2);
            out.push(Token::Str(s));
            i = next;
        } else if c == 'b' && at(i + 1) == '\'' {
            i = char_literal_end(&chars, i + 1);
            out.push(Token::Other);
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' || at(i + 2) == '\'' {
                i = char_literal_end(&chars, i);
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
            out.push(Token::Other);
        } else if c.is_alphabetic() || c == '_' {
            let mut k = i;
            if c == 'r' && at(i + 1) == '#' && (at(i + 2).is_alphabetic() || at(i + 2) == '_') {
                k += 2;
            }
            let start = k;
            while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                k += 1;
            }
            out.push(Token::Ident(chars[start..k].iter().collect()));
            i = k;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Other);
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::PathSep);
            i += 2;
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// Reads a `"…"` body starting after the opening quote; returns it and the index after the close.
fn quoted(chars: &[char], mut i: usize) -> (String, usize) {
    let mut s = String::new();
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    s.push(n);
                }
                i += 2;
            }
            '"' => return (s, i + 1),
            ch => {
                s.push(ch);
                i += 1;
            }
        }
    }
    (s, i)
}

/// `r"…"`, `r#"…"#`, `br"…"`, `cr#"…"#`: the number of hashes and the index of the body.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut k = i;
    if chars.get(k) == Some(&'b') || chars.get(k) == Some(&'c') {
        k += 1;
    }
    if chars.get(k) != Some(&'r') {
        return None;
    }
    k += 1;
    let mut hashes = 0;
    while chars.get(k) == Some(&'#') {
        hashes += 1;
        k += 1;
    }
    (chars.get(k) == Some(&'"')).then_some((hashes, k + 1))
}

/// The index after a char literal whose opening quote is at `i`.
fn char_literal_end(chars: &[char], i: usize) -> usize {
    let mut k = i + 1;
    while k < chars.len() {
        match chars[k] {
            '\\' => k += 2,
            '\'' => return k + 1,
            '\n' => return k,
            _ => k += 1,
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        lex(src)
            .into_iter()
            .filter_map(|t| match t {
                Token::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_and_literals_hide_their_contents() {
        let src = r####"
            // use crate::h1;
            /* use crate::h2; /* nested */ use crate::h3; */
            let s = "use crate::h4;"; let r = r#"crate::h5"#; let q = '"'; let l: &'a str = x;
            fn f<'a>(x: &'a u8) -> char { '\'' }
            use crate::real;
        "####;
        let ids = idents(src);
        for hidden in ["h1", "h2", "h3", "h4", "h5"] {
            assert!(
                !ids.contains(&hidden.to_string()),
                "{hidden} leaked: {ids:?}"
            );
        }
        assert!(ids.ends_with(&["use".into(), "crate".into(), "real".into()]));
    }

    #[test]
    fn path_separators_are_one_token() {
        assert_eq!(
            lex("super::x"),
            vec![
                Token::Ident("super".into()),
                Token::PathSep,
                Token::Ident("x".into())
            ]
        );
    }
}
