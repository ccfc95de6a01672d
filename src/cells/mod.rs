//! The built-in SFQ cell library.
