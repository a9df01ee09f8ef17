//! What a host adds to the terminal's pages.

use crate::screen::MenuLink;

/// What a host adds to the terminal's pages.
#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// Links to the host's own pages, shown on メニュー below 顔認証付きカードリーダー操作.
    pub menu_links: Vec<MenuLink>,
}
