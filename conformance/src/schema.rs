//! The vocabulary of the element tables: value shapes, presence, content.

/// A value's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Any non-empty text.
    Text,
    /// A calendar date `yyyyMMdd`.
    Date,
    /// A date and time `yyyyMMddHHmmss`.
    DateTime,
    /// Exactly this many ASCII digits.
    Digits(usize),
    /// 保険者番号: 8 characters — 8 digits, or a 6-digit 国民健康保険 number right-aligned with two
    /// half-width spaces (MYCLINIC face file `"  123456"`; sanox.org road26: 「数字の8ケタにする,
    /// あるいは先頭に空白を入れて8ケタにする」).
    InsurerNumber,
    /// 郵便番号 `123-4567` (MYCLINIC face file).
    PostNumber,
    /// Half-width katakana and half-width spaces (SPEC NameKana "half size"; MYCLINIC
    /// 「（半角カナ）」 and face file `ｼﾝﾘｮｳ ﾀﾛｳ`).
    HalfWidthKana,
    /// One of these codes.
    Code(&'static [&'static str]),
}

/// One element of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Element name.
    pub name: &'static str,
    /// Japanese name in the specification (for messages and reports).
    pub label: &'static str,
    /// Always present in this container ([`Need::Required`]) or present only with a value.
    pub need: Need,
    /// What it holds.
    pub content: Content,
}

/// Whether an element must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always present.
    Required,
    /// Present only when there is a value; never empty.
    Optional,
    /// Required or forbidden depending on the outcome (checked by the rules, not the table).
    ByOutcome,
}

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A value of this shape.
    Value(Shape),
    /// Child elements from this table (each at most once).
    Group(&'static [Field]),
    /// Repeated child elements named `item`, each holding the `fields` table.
    List {
        /// The repeated element.
        item: &'static str,
        /// Its table.
        fields: &'static [Field],
    },
}

/// A table entry.
pub(crate) const fn f(
    name: &'static str,
    label: &'static str,
    need: Need,
    content: Content,
) -> Field {
    Field {
        name,
        label,
        need,
        content,
    }
}
