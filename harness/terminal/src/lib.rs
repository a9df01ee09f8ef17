//! The verification terminal (資格確認端末): accounts, the 顔認証付きカードリーダー操作 screen,
//! reader mode control, visual confirmation, audit log, and its web UI.
