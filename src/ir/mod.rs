//! The network IR.
