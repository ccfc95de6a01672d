//! Lexer (winnow) and precedence-climbing parser for expressions, and the evaluator.

use winnow::token::take_while;
use winnow::Parser as _;

use super::number::number;
use super::{constant, ExprError};

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    /// A parameter or constant (upper case), with its byte offset in the source text.
    Name(String, usize),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// The functions JoSIM knows, plus `ABS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Log,
    Log10,
    Sqrt,
    Cbrt,
    Abs,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "SIN" => Func::Sin,
            "COS" => Func::Cos,
            "TAN" => Func::Tan,
            "ASIN" => Func::Asin,
            "ACOS" => Func::Acos,
            "ATAN" => Func::Atan,
            "SINH" => Func::Sinh,
            "COSH" => Func::Cosh,
            "TANH" => Func::Tanh,
            "ASINH" => Func::Asinh,
            "ACOSH" => Func::Acosh,
            "ATANH" => Func::Atanh,
            "EXP" => Func::Exp,
            "LOG" | "LN" => Func::Log,
            "LOG10" => Func::Log10,
            "SQRT" => Func::Sqrt,
            "CBRT" => Func::Cbrt,
            "ABS" => Func::Abs,
            _ => return None,
        })
    }

    fn apply(self, x: f64) -> f64 {
        match self {
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Asin => x.asin(),
            Func::Acos => x.acos(),
            Func::Atan => x.atan(),
            Func::Sinh => x.sinh(),
            Func::Cosh => x.cosh(),
            Func::Tanh => x.tanh(),
            Func::Asinh => x.asinh(),
            Func::Acosh => x.acosh(),
            Func::Atanh => x.atanh(),
            Func::Exp => x.exp(),
            Func::Log => x.ln(),
            Func::Log10 => x.log10(),
            Func::Sqrt => x.sqrt(),
            Func::Cbrt => x.cbrt(),
            Func::Abs => x.abs(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
    Open(char),
    Close(char),
}

fn ident<'i>(input: &mut &'i str) -> winnow::Result<&'i str> {
    let head = take_while(1, |c: char| c.is_ascii_alphabetic() || c == '_');
    let tail = take_while(0.., |c: char| c.is_ascii_alphanumeric() || c == '_');
    let mut name = (head, tail).take();
    name.parse_next(input)
}

/// Splits `text` into tokens with their byte offsets.
fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let mut rest = text;
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        let at = text.len() - rest.len();
        let Some(c) = rest.chars().next() else {
            return Ok(out);
        };
        let tok = match c {
            '+' | '-' | '*' | '/' | '^' => {
                rest = &rest[1..];
                Tok::Op(c)
            }
            '(' | '[' | '{' => {
                rest = &rest[1..];
                Tok::Open(c)
            }
            ')' | ']' | '}' => {
                rest = &rest[1..];
                Tok::Close(c)
            }
            c if c.is_ascii_digit() || c == '.' => match number(&mut rest) {
                Ok(v) => Tok::Num(v),
                Err(_) => {
                    return Err(ExprError::Syntax {
                        message: "bad number".into(),
                        at,
                    })
                }
            },
            c if c.is_ascii_alphabetic() || c == '_' => match ident(&mut rest) {
                Ok(name) => Tok::Ident(name.to_ascii_uppercase()),
                Err(_) => return Err(bad_name(at)),
            },
            other => {
                return Err(ExprError::Syntax {
                    message: format!("unexpected character `{other}`"),
                    at,
                })
            }
        };
        out.push((tok, at));
    }
}

fn bad_name(at: usize) -> ExprError {
    ExprError::Syntax {
        message: "bad name".into(),
        at,
    }
}

/// Deepest nesting of parentheses, unary signs and `^` an expression may have: the
/// parser recurses once per level, and a deeper expression would overflow the stack.
pub const MAX_DEPTH: usize = 256;

/// Most operators one expression may hold: a chain `a*b*c*…` becomes a tree as deep as
/// it is long, which evaluating (and dropping) walks recursively.
pub const MAX_OPERATORS: usize = 1000;

struct Climber<'t> {
    toks: &'t [(Tok, usize)],
    pos: usize,
    end: usize,
    /// Current nesting level (see [`MAX_DEPTH`]).
    depth: usize,
}

impl Climber<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map(|(_, a)| *a).unwrap_or(self.end)
    }

    fn binary(&mut self, min_prec: u8) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(c)) = self.peek() {
            let (op, prec) = match c {
                '+' => (Op::Add, 1),
                '-' => (Op::Sub, 1),
                '*' => (Op::Mul, 2),
                '/' => (Op::Div, 2),
                _ => break,
            };
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(ExprError::Syntax {
                message: format!("expression nested more than {MAX_DEPTH} levels deep"),
                at: self.here(),
            });
        }
        self.depth += 1;
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some(Tok::Op('-')) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(Tok::Op('+')) => {
                self.pos += 1;
                self.unary()
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Expr, ExprError> {
        let base = self.atom()?;
        if let Some(Tok::Op('^')) = self.peek() {
            self.pos += 1;
            let exp = self.unary()?;
            return Ok(Expr::Bin(Op::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn group(&mut self, open: char, open_at: usize) -> Result<Expr, ExprError> {
        let inner = self.binary(1)?;
        let want = match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        match self.peek() {
            Some(Tok::Close(c)) if *c == want => {
                self.pos += 1;
                Ok(inner)
            }
            _ => Err(ExprError::Syntax {
                message: format!("`{open}` is not closed"),
                at: open_at,
            }),
        }
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        let at = self.here();
        let Some((tok, _)) = self.toks.get(self.pos) else {
            return Err(ExprError::Syntax {
                message: "expression ends too early".into(),
                at,
            });
        };
        self.pos += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(*v)),
            Tok::Open(c) => self.group(*c, at),
            Tok::Ident(name) => {
                if let Some(Tok::Open(c)) = self.peek() {
                    let c = *c;
                    let Some(func) = Func::from_name(name) else {
                        return Err(ExprError::UnknownFunction {
                            name: name.clone(),
                            at,
                        });
                    };
                    let open_at = self.here();
                    self.pos += 1;
                    let arg = self.group(c, open_at)?;
                    return Ok(Expr::Call(func, Box::new(arg)));
                }
                Ok(Expr::Name(name.clone(), at))
            }
            Tok::Op(c) => Err(ExprError::Syntax {
                message: format!("operator `{c}` has no left operand"),
                at,
            }),
            Tok::Close(c) => Err(ExprError::Syntax {
                message: format!("unexpected `{c}`"),
                at,
            }),
        }
    }
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(ExprError::Syntax {
            message: "empty expression".into(),
            at: 0,
        });
    }
    if let Some((_, at)) = toks
        .iter()
        .filter(|(t, _)| matches!(t, Tok::Op(_)))
        .nth(MAX_OPERATORS)
    {
        return Err(ExprError::Syntax {
            message: format!("expression has more than {MAX_OPERATORS} operators"),
            at: *at,
        });
    }
    let mut p = Climber {
        toks: &toks,
        pos: 0,
        end: text.len(),
        depth: 0,
    };
    let e = p.binary(1)?;
    if p.pos < toks.len() {
        let at = p.here();
        let message = match &toks[p.pos].0 {
            Tok::Close(c) => format!("unmatched `{c}`"),
            _ => "expected an operator".to_string(),
        };
        return Err(ExprError::Syntax { message, at });
    }
    Ok(e)
}

impl Expr {
    /// Evaluates with `params` consulted first for each name, then JoSIM's constants.
    pub fn eval(&self, params: &impl Fn(&str) -> Option<f64>) -> Result<f64, ExprError> {
        Ok(match self {
            Expr::Num(v) => *v,
            Expr::Name(name, at) => match params(name).or_else(|| constant(name)) {
                Some(v) => v,
                None => {
                    return Err(ExprError::UnknownName {
                        name: name.clone(),
                        at: *at,
                    })
                }
            },
            Expr::Neg(e) => -e.eval(params)?,
            Expr::Call(f, e) => f.apply(e.eval(params)?),
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(params)?, b.eval(params)?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div => a / b,
                    Op::Pow => a.powf(b),
                }
            }
        })
    }

    /// Every name the expression refers to, with its offset, in order of appearance.
    pub fn names(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Expr::Num(_) => {}
            Expr::Name(n, at) => out.push((n.as_str(), *at)),
            Expr::Neg(e) | Expr::Call(_, e) => e.collect_names(out),
            Expr::Bin(_, a, b) => {
                a.collect_names(out);
                b.collect_names(out);
            }
        }
    }
}
