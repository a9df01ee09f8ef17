//! Parametric synthetic faces (no real person): an identity drawn from a seed, rendered at an age,
//! a pose and a lighting onto a canvas with anti-aliased shapes and skin/hair texture.
//!
//! - `identity`: who the person is ([`FaceIdentity`], [`Sex`]) and how they look at an age;
//! - `conditions`: how one picture is taken ([`Pose`], [`Lighting`], [`Alteration`]);
//! - `layout`: where the features sit on the head;
//! - `render`: drawing the face into a frame ([`render_face`]);
//! - `alteration`: bandage, eyepatch and mask drawn over the face.
//!
//! This file only declares the parts and re-exports what other modules use.

mod alteration;
mod conditions;
mod identity;
mod layout;
mod render;

pub use conditions::{Alteration, Lighting, Pose};
pub use identity::{FaceIdentity, Sex};
pub use render::render_face;
