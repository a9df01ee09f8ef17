//! A small element tree over quick-xml, for reading result and request files by element name
//! (receipt systems do not rely on element order). Decodes the bytes with the encoding the XML
//! declaration names (UTF-8 or Shift_JIS).

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;

/// One element: its name, its text (concatenated, trimmed) and its child elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlElement {
    /// Element name.
    pub name: String,
    /// Text content directly inside the element, entity references resolved, ASCII whitespace
    /// trimmed at both ends (a full-width space is kept).
    pub text: String,
    /// Child elements, in document order.
    pub children: Vec<XmlElement>,
}

impl XmlElement {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names, e.g. `["MessageBody", "ResultList"]`.
    pub fn path(&self, names: &[&str]) -> Option<&XmlElement> {
        names.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The first element named `name` in this subtree (depth first, this element included).
    pub fn find(&self, name: &str) -> Option<&XmlElement> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// Every element name in this subtree (depth first).
    pub fn all_names(&self) -> Vec<&str> {
        let mut names = vec![self.name.as_str()];
        for c in &self.children {
            names.extend(c.all_names());
        }
        names
    }
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlDocument {
    /// The `encoding` of the XML declaration, as written (None when absent).
    pub declared_encoding: Option<String>,
    /// The root element.
    pub root: XmlElement,
}

/// Why bytes are not a document we can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The declared encoding is unknown or the bytes do not decode with it.
    #[error("bad encoding: {0}")]
    Encoding(String),
    /// Not well-formed XML.
    #[error("malformed XML: {0}")]
    Malformed(String),
}

/// Parses `bytes`: reads the declaration's encoding (default UTF-8), decodes, builds the tree.
pub fn parse_document(bytes: &[u8]) -> Result<XmlDocument, XmlError> {
    let declared_encoding = declared_encoding(bytes)?;
    let encoding = match &declared_encoding {
        None => encoding_rs::UTF_8,
        Some(label) => encoding_rs::Encoding::for_label(label.as_bytes())
            .ok_or_else(|| XmlError::Encoding(format!("unknown encoding {label:?}")))?,
    };
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| XmlError::Encoding(format!("bytes are not valid {}", encoding.name())))?;
    let root = parse_tree(&text)?;
    Ok(XmlDocument {
        declared_encoding,
        root,
    })
}

fn declared_encoding(bytes: &[u8]) -> Result<Option<String>, XmlError> {
    // The declaration is ASCII in every encoding we accept: read it from the raw bytes.
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Decl(decl)) => {
                return match decl.encoding() {
                    None => Ok(None),
                    Some(Ok(enc)) => Ok(Some(enc.into_owned())),
                    Some(Err(e)) => Err(XmlError::Malformed(e.to_string())),
                };
            }
            Ok(Event::Text(t)) if t.xml10_content().trim_ascii().is_empty() => {}
            Ok(Event::Comment(_)) => {}
            Ok(_) => return Ok(None),
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
        buf.clear();
    }
}

fn parse_tree(text: &str) -> Result<XmlElement, XmlError> {
    let mut reader = Reader::from_str(text);
    let malformed = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    let mut stack: Vec<XmlElement> = Vec::new();
    let mut root: Option<XmlElement> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(malformed(&"content after the root element"));
                }
                let name = start.name().as_ref().to_owned();
                stack.push(XmlElement {
                    name,
                    ..XmlElement::default()
                });
            }
            Event::Empty(start) => {
                let name = start.name().as_ref().to_owned();
                let element = XmlElement {
                    name,
                    ..XmlElement::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(malformed(&"second root element")),
                }
            }
            Event::End(_) => {
                let mut done = stack
                    .pop()
                    .ok_or_else(|| malformed(&"unbalanced end tag"))?;
                done.text = done
                    .text
                    .trim_matches(|c: char| c.is_ascii_whitespace())
                    .to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::CData(c) => {
                let content = c.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::GeneralRef(r) => {
                let resolved: Cow<'_, str> =
                    match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                        Some(c) => Cow::Owned(c.to_string()),
                        None => {
                            let name = r.xml10_content();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => Cow::Borrowed(s),
                                None => return Err(malformed(&format!("unknown entity &{name};"))),
                            }
                        }
                    };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(&"unclosed element"));
    }
    root.ok_or_else(|| malformed(&"no root element"))
}

fn push_text(stack: &mut [XmlElement], content: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(e) => {
            e.text.push_str(content);
            Ok(())
        }
        None if content.trim_ascii().is_empty() => Ok(()),
        None => Err(XmlError::Malformed("text outside the root element".into())),
    }
}
