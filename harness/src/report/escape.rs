//! Text into the report's HTML (エスケープ): escaping, and a label in both of the page's languages.

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A label in both languages; the page shows one at a time (the toggle switches). Both are
/// escaped.
pub(super) fn both(ja: &str, en: &str) -> String {
    format!(
        "<span class=\"ja\">{}</span><span class=\"en\">{}</span>",
        html_escape(ja),
        html_escape(en)
    )
}
