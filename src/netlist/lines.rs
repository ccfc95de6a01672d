//! Reading netlist text into logical lines of located tokens.
//!
//! As in JoSIM: blank lines and lines whose first non-blank character is `*` or `#`
//! are skipped, a line starting with `+` continues the previous one, `.include FILE`
//! is replaced by that file's lines (relative to the including file), `.end` stops
//! reading the current file, and everything is upper-cased (paths excepted).

use std::path::{Path, PathBuf};

use crate::diagnostic::{SourceError, SourceFile};

/// One whitespace-separated word, upper case, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The word in upper case.
    pub text: String,
    /// Index into [`Sources::files`].
    pub file: usize,
    /// Byte range in that file.
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Whether `text` maps byte for byte onto the source range (not true of tokens
    /// glued together from several words).
    pub fn exact(&self) -> bool {
        self.end - self.start == self.text.len()
    }

    /// The part `range` of this token (byte range into `text`), keeping its location.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Token {
        let (start, end) = if self.exact() {
            (self.start + range.start, self.start + range.end)
        } else {
            (self.start, self.end)
        };
        Token {
            text: self.text[range].to_string(),
            file: self.file,
            start,
            end,
        }
    }
}

/// One logical line (continuations joined).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub tokens: Vec<Token>,
}

impl Line {
    pub fn first(&self) -> &Token {
        &self.tokens[0]
    }
}

/// Every file read for one netlist, for locating errors.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// An error covering `tok`.
    pub fn error(&self, tok: &Token, message: impl Into<String>) -> SourceError {
        self.files[tok.file].error(tok.start..tok.end, message)
    }

    /// An error at byte `at` (of `tok.text`) inside `tok`, covering `len` bytes.
    pub fn error_in(
        &self,
        tok: &Token,
        at: usize,
        len: usize,
        message: impl Into<String>,
    ) -> SourceError {
        if tok.exact() && at < tok.text.len() {
            let start = tok.start + at;
            let end = (start + len.max(1)).min(tok.end);
            self.files[tok.file].error(start..end, message)
        } else {
            self.error(tok, message)
        }
    }

    /// The original spelling of a token (for paths).
    pub fn raw(&self, tok: &Token) -> &str {
        &self.files[tok.file].text[tok.start..tok.end]
    }

    pub fn path(&self, tok: &Token) -> &Path {
        &self.files[tok.file].path
    }
}

/// Reads `text` (the contents of `path`) and everything it includes.
pub fn read(path: &Path, text: &str) -> Result<(Sources, Vec<Line>), SourceError> {
    let mut sources = Sources::default();
    let mut lines = Vec::new();
    let mut stack = Vec::new();
    read_file(
        SourceFile::new(path, text),
        &mut sources,
        &mut lines,
        &mut stack,
    )?;
    Ok((sources, lines))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn read_file(
    file: SourceFile,
    sources: &mut Sources,
    lines: &mut Vec<Line>,
    stack: &mut Vec<PathBuf>,
) -> Result<(), SourceError> {
    let id = sources.files.len();
    let text = file.text.clone();
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    stack.push(canonical(&file.path));
    sources.files.push(file);
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let tokens = tokenize(raw_line, line_start, id);
        let Some(first) = tokens.first() else {
            continue;
        };
        if first.text.starts_with('*') || first.text.starts_with('#') {
            continue;
        }
        match first.text.as_str() {
            ".INCLUDE" | "INCLUDE" => {
                let Some(target) = tokens.get(1) else {
                    return Err(sources.error(first, ".include needs a file name"));
                };
                let target_path = dir.join(sources.raw(target));
                if stack.contains(&canonical(&target_path)) {
                    return Err(sources.error(
                        target,
                        format!("{} includes itself (include cycle)", target_path.display()),
                    ));
                }
                let included = match std::fs::read_to_string(&target_path) {
                    Ok(t) => {
                        crate::output::note_input(&target_path);
                        SourceFile::new(&target_path, t)
                    }
                    Err(e) => {
                        return Err(sources.error(
                            target,
                            format!("cannot read included file {}: {e}", target_path.display()),
                        ))
                    }
                };
                read_file(included, sources, lines, stack)?;
            }
            ".END" | "END" => break,
            _ if first.text.starts_with('+') => {
                let mut tokens = tokens;
                let plus = tokens.remove(0);
                if plus.text.len() > 1 {
                    tokens.insert(0, plus.slice(1..plus.text.len()));
                }
                match lines.last_mut() {
                    Some(prev) => prev.tokens.extend(tokens),
                    None => {
                        return Err(
                            sources.error(&plus, "continuation line `+` with no line before it")
                        )
                    }
                }
            }
            _ => lines.push(Line { tokens }),
        }
    }
    stack.pop();
    Ok(())
}

fn tokenize(raw_line: &str, line_start: usize, file: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in raw_line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(word(raw_line, s, i, line_start, file));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(word(raw_line, s, raw_line.len(), line_start, file));
    }
    out
}

fn word(raw_line: &str, s: usize, e: usize, line_start: usize, file: usize) -> Token {
    Token {
        text: raw_line[s..e].to_ascii_uppercase(),
        file,
        start: line_start + s,
        end: line_start + e,
    }
}
