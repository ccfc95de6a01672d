//! SPICE/JoSIM expressions: `+ - * / ^`, parentheses (`()`, `[]`, `{}`), unary minus,
//! JoSIM's functions and constants, numbers with engineering suffixes, and parameter
//! names, all case-insensitive.
//!
//! `^` is right-associative and binds tighter than unary minus (`-2^2` is -4), as in
//! ordinary mathematics. Functions are JoSIM's (`sin cos tan asin acos atan sinh cosh
//! tanh asinh acosh atanh exp log log10 sqrt cbrt`; `log` is the natural logarithm)
//! plus `abs`. Constants are JoSIM's (`pi phi_zero boltzmann ev hbar c mu0 eps0 sigma`);
//! a parameter of the same name takes precedence, as in JoSIM.

mod number;
mod parse;

pub use number::{parse_number, suffix_scale};
pub use parse::{parse, Expr};

/// An expression that could not be parsed or evaluated. `at` is the byte offset in the
/// expression text where the problem is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExprError {
    #[error("{message}")]
    Syntax { message: String, at: usize },
    #[error("undefined parameter `{name}`")]
    UnknownName { name: String, at: usize },
    #[error("unknown function `{name}`")]
    UnknownFunction { name: String, at: usize },
}

impl ExprError {
    /// Byte offset of the problem in the expression text.
    pub fn at(&self) -> usize {
        match self {
            ExprError::Syntax { at, .. }
            | ExprError::UnknownName { at, .. }
            | ExprError::UnknownFunction { at, .. } => *at,
        }
    }
}

/// JoSIM's built-in constants, by upper-case name.
pub fn constant(name: &str) -> Option<f64> {
    Some(match name {
        "PI" => std::f64::consts::PI,
        "PHI_ZERO" => 2.067833831170082e-15,
        "BOLTZMANN" => 1.38064852e-23,
        "EV" => 1.6021766208e-19,
        "HBAR" => 1.0545718001391127e-34,
        "C" => 299792458.0,
        "MU0" => 12.566370614e-7,
        "EPS0" => 8.854187817e-12,
        "SIGMA" => 3.291059757e-16,
        _ => return None,
    })
}

/// Evaluates `text`. `params` is asked for every name (upper case) before the built-in
/// constants are tried.
pub fn eval(text: &str, params: &impl Fn(&str) -> Option<f64>) -> Result<f64, ExprError> {
    parse(text)?.eval(params)
}
