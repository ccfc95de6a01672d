//! A progress bar on a terminal, hidden in CI and when stderr is redirected.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether to draw a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// On stderr when it is a terminal and `CI` is not set.
    #[default]
    Auto,
    Hidden,
}

impl Progress {
    /// Whether `Auto` would draw here.
    pub fn visible(self) -> bool {
        match self {
            Progress::Hidden => false,
            Progress::Auto => std::env::var_os("CI").is_none() && std::io::stderr().is_terminal(),
        }
    }

    pub fn bar(self, total: u64, done: u64, what: &str) -> ProgressBar {
        if !self.visible() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {bar:40.cyan/blue} {pos}/{len} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar.set_position(done);
        bar
    }
}
