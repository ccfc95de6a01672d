//! The YAML network specification.
