//! vpcd frame codec (2-byte big-endian length + payload). Pure.
