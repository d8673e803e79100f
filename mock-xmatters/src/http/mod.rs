//! The HTTP edge: the xMatters API routes and the `/mock` hooks.

pub mod error;
