//! Compiler passes over the network IR.
