//! Reading a result file the way its consumers do: the XML declaration from the raw bytes, the
//! bytes decoded with the encoding the declaration names, and an element tree whose text is kept
//! exactly as written (leading spaces of a space-padded InsurerNumber matter).
//!
//! This is deliberately a separate reader from the writer's crate: it shares no code with it.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One element as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The element name.
    pub name: String,
    /// Character data directly inside the element, references resolved, not trimmed.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Written as `<X/>`.
    pub self_closing: bool,
}

impl Element {
    /// Children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// True when the element holds nothing: no child element and no character data other than
    /// whitespace.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty() && self.text.trim().is_empty()
    }
}

/// The XML declaration's pseudo-attributes as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declaration {
    /// `version`
    pub version: Option<String>,
    /// `encoding`
    pub encoding: Option<String>,
    /// `standalone`
    pub standalone: Option<String>,
}

/// A decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The declaration, when the file starts with one.
    pub declaration: Option<Declaration>,
    /// The encoding the bytes were decoded with (`UTF-8` or `Shift_JIS`).
    pub encoding: &'static str,
    /// The decoded text.
    pub text: String,
    /// The root element.
    pub root: Element,
}

/// Why the bytes are not a document that can be checked further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The declared encoding is not one a result file may use.
    #[error("the XML declaration names encoding {0:?}; result files are UTF-8 or Shift_JIS")]
    UnknownEncoding(String),
    /// The bytes are not valid in the declared (or default) encoding.
    #[error("the bytes are not valid {0}")]
    NotDecodable(&'static str),
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Malformed(String),
}

/// The encodings a result file may declare, by the label written in the declaration
/// (CharacterCodeIdentifier 0 / 1; `Shift_JIS` is decoded as CP932, which is what the WHATWG
/// `Shift_JIS` decoder of encoding_rs implements).
pub fn encoding_for_label(label: &str) -> Option<(&'static str, &'static encoding_rs::Encoding)> {
    if label.eq_ignore_ascii_case("UTF-8") {
        Some(("UTF-8", encoding_rs::UTF_8))
    } else if label.eq_ignore_ascii_case("Shift_JIS") {
        Some(("Shift_JIS", encoding_rs::SHIFT_JIS))
    } else {
        None
    }
}

/// Reads the declaration, decodes, and builds the element tree.
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let declaration = read_declaration(bytes)?;
    let label = declaration
        .as_ref()
        .and_then(|d| d.encoding.clone())
        .unwrap_or_else(|| "UTF-8".to_owned());
    let (name, encoding) =
        encoding_for_label(&label).ok_or_else(|| ReadError::UnknownEncoding(label.clone()))?;
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ReadError::NotDecodable(name))?
        .into_owned();
    let root = read_tree(&text)?;
    Ok(Document {
        declaration,
        encoding: name,
        text,
        root,
    })
}

fn malformed(e: impl std::fmt::Display) -> ReadError {
    ReadError::Malformed(e.to_string())
}

fn read_declaration(bytes: &[u8]) -> Result<Option<Declaration>, ReadError> {
    // The declaration is ASCII in both encodings, so it can be read before decoding.
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    match reader.read_event_into(&mut buf) {
        Ok(Event::Decl(decl)) => {
            let attr = |v: Option<Result<std::borrow::Cow<'_, str>, _>>| match v {
                None => Ok(None),
                Some(Ok(s)) => Ok(Some(s.into_owned())),
                Some(Err(e)) => Err(malformed(e)),
            };
            Ok(Some(Declaration {
                version: decl.version().ok().map(|v| v.into_owned()),
                encoding: attr(decl.encoding())?,
                standalone: attr(decl.standalone())?,
            }))
        }
        Ok(_) => Ok(None),
        Err(e) => Err(malformed(e)),
    }
}

fn read_tree(text: &str) -> Result<Element, ReadError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let close = |stack: &mut Vec<Element>, root: &mut Option<Element>, done: Element| match stack
        .last_mut()
    {
        Some(parent) => {
            parent.children.push(done);
            Ok(())
        }
        None if root.is_none() => {
            *root = Some(done);
            Ok(())
        }
        None => Err(malformed("more than one root element")),
    };
    loop {
        match reader.read_event().map_err(malformed)? {
            Event::Start(start) => {
                if root.is_some() && stack.is_empty() {
                    return Err(malformed("content after the root element"));
                }
                stack.push(Element {
                    name: start.name().as_ref().to_owned(),
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let element = Element {
                    name: start.name().as_ref().to_owned(),
                    self_closing: true,
                    ..Element::default()
                };
                close(&mut stack, &mut root, element)?;
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| malformed("unbalanced end tag"))?;
                close(&mut stack, &mut root, done)?;
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(c) => push_text(&mut stack, &c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| malformed(format!("unknown entity &{name};")))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unclosed element"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn push_text(stack: &mut [Element], content: &str) -> Result<(), ReadError> {
    match stack.last_mut() {
        Some(e) => {
            e.text.push_str(content);
            Ok(())
        }
        None if content.trim().is_empty() => Ok(()),
        None => Err(malformed("text outside the root element")),
    }
}

/// How the lines of a text end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEndings {
    /// A single line (nothing to judge).
    None,
    /// Every line ends in CR LF.
    Crlf,
    /// Every line ends in LF alone.
    Lf,
    /// Both, or a bare CR.
    Mixed,
}

/// Classifies the line endings of `text` (as decoded, before any XML normalisation).
pub fn line_endings(text: &str) -> LineEndings {
    let bytes = text.as_bytes();
    let (mut crlf, mut lf, mut bare_cr) = (0usize, 0usize, 0usize);
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' if i > 0 && bytes.get(i - 1) == Some(&b'\r') => crlf += 1,
            b'\n' => lf += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => bare_cr += 1,
            _ => {}
        }
    }
    match (crlf, lf, bare_cr) {
        (0, 0, 0) => LineEndings::None,
        (_, 0, 0) => LineEndings::Crlf,
        (0, _, 0) => LineEndings::Lf,
        _ => LineEndings::Mixed,
    }
}
