//! Errors that point into a source file: the file, line and column, and the offending text.
//!
//! Every front end (spec YAML, JoSIM netlists, event files) reports bad input as a
//! [`SourceError`]. Its `Display` form is `path:line:col: message` followed by the
//! offending line, so it reads well in CI logs; through `miette` it renders the
//! usual labelled snippet on a terminal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A source text with its path, shared by the errors that point into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// The UTF-8 byte-order mark.
pub const BOM: char = '\u{feff}';

/// `text` without a leading byte-order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

impl SourceFile {
    /// A leading UTF-8 byte-order mark (written by some Windows editors) is dropped.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let text = match text.strip_prefix(BOM) {
            Some(rest) => Arc::from(rest),
            None => text,
        };
        SourceFile {
            path: path.into(),
            text,
        }
    }

    /// Reads a file; a missing or unreadable file is an error naming it.
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                crate::output::note_input(path);
                Ok(SourceFile::new(path, text))
            }
            Err(e) => Err(SourceError::file(
                path,
                format!("cannot read {}: {e}", path.display()),
            )),
        }
    }

    /// Byte offset of a 1-based (line, column) position, column counted in characters.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let col = column.saturating_sub(1);
                let within: usize = l.chars().take(col).map(char::len_utf8).sum();
                return offset + within;
            }
            offset += l.len();
        }
        self.text.len()
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// The whole line containing `offset`, without its newline.
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let end = self.text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches('\r')
    }

    /// An error at a byte range of this file.
    pub fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::at(self, span, message)
    }

    /// An error at a 1-based line and column, covering `len` bytes.
    pub fn error_at(
        &self,
        line: usize,
        column: usize,
        len: usize,
        message: impl Into<String>,
    ) -> SourceError {
        let start = self.offset_of(line, column);
        let end = (start + len).min(self.text.len());
        SourceError::at(self, start..end, message)
    }
}

/// Bad input, located in a file.
#[derive(Debug, Diagnostic)]
pub struct SourceError {
    /// The message alone, without location.
    pub message: String,
    /// `path:line:col`, or just the path when there is no position.
    pub location: String,
    /// The offending source line (empty when there is no position).
    pub excerpt: String,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    #[source_code]
    /// The whole text, shared with the file (a file with many warnings is not copied).
    pub src: Option<NamedSource<Arc<str>>>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

/// The longest excerpt of the offending line an error quotes (characters).
const MAX_EXCERPT: usize = 200;

/// The offending line, cut at [`MAX_EXCERPT`] characters (a 700 kB line is quoted by
/// its head).
fn excerpt_of(line: &str) -> String {
    match line.char_indices().nth(MAX_EXCERPT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

impl SourceError {
    /// An error at a byte range of `file`.
    pub fn at(file: &SourceFile, span: std::ops::Range<usize>, message: impl Into<String>) -> Self {
        let (line, column) = file.line_col(span.start);
        let excerpt = excerpt_of(file.line_text(span.start));
        let len = span.end.saturating_sub(span.start).max(1);
        SourceError {
            message: message.into(),
            location: format!("{}:{line}:{column}", file.path.display()),
            excerpt,
            path: file.path.clone(),
            line,
            column,
            src: Some(
                NamedSource::new(file.path.display().to_string(), file.text.clone())
                    .with_language("yaml"),
            ),
            span: Some(SourceSpan::new(
                span.start.into(),
                len.min(file.text.len().saturating_sub(span.start)),
            )),
            help: None,
        }
    }

    /// An error about a whole file (missing, unreadable).
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        SourceError {
            message: message.into(),
            location: path.display().to_string(),
            excerpt: String::new(),
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            src: None,
            span: None,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if !self.excerpt.is_empty() {
            write!(f, "\n  | {}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceError {}
