//! How failures reach the user: located errors rendered with their source line,
//! exit status 2 for bad input, 1 for failed checks.

use std::io::IsTerminal;
use std::process::ExitCode;

use nmgen::diagnostic::SourceError;

/// Why a command failed.
pub enum Failure {
    /// Bad input: exit 2.
    Input(Box<SourceError>),
    /// Anything else that stops the command before it could judge the design: exit 2.
    Other(anyhow::Error),
    /// The design was judged and failed (a check or margin): exit 1.
    Failed(String),
}

impl From<SourceError> for Failure {
    fn from(e: SourceError) -> Self {
        Failure::Input(Box::new(e))
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl Failure {
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Input(e) => {
                if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
                    eprintln!("{:?}", miette::Report::new(*e));
                } else {
                    eprintln!("error: {e}");
                    if let Some(h) = &e.help {
                        eprintln!("  help: {h}");
                    }
                }
                ExitCode::from(2)
            }
            Failure::Other(e) => {
                eprintln!("error: {}", chain_message(&e));
                ExitCode::from(2)
            }
            Failure::Failed(msg) => {
                eprintln!("FAIL: {msg}");
                ExitCode::from(1)
            }
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text the message
/// already holds (errors that print their source, like `cannot write X: File exists`).
pub fn chain_message(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}
