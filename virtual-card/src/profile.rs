//! TODO(engine): filled in by the card-engine work.
