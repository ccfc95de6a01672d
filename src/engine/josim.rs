//! The JoSIM engine: runs an installed `josim-cli` (or `josim`) on a netlist in a
//! private temporary folder, with a timeout, and reads its CSV back.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{EngineError, Run};
use crate::analysis::Traces;
use crate::diagnostic::SourceFile;

/// An installed JoSIM.
#[derive(Debug, Clone)]
pub struct Josim {
    pub program: PathBuf,
    pub timeout: Duration,
}

impl Josim {
    /// `explicit` if given, else `josim-cli` or `josim` on PATH.
    pub fn locate(explicit: Option<&Path>, timeout: Duration) -> Result<Josim, EngineError> {
        let program = match explicit {
            Some(p) if p.is_file() => p.to_path_buf(),
            Some(p) => return Err(EngineError::JosimMissing(format!("{} does not exist", p.display()))),
            None => ["josim-cli", "josim"]
                .iter()
                .find_map(|name| find_on_path(name))
                .ok_or_else(|| {
                    EngineError::JosimMissing(
                        "neither `josim-cli` nor `josim` is on PATH (pass --josim PATH, or use the built-in engine, the default)"
                            .into(),
                    )
                })?,
        };
        Ok(Josim { program, timeout })
    }

    /// Simulates one run: its text as written, or its edited circuit written flat.
    pub fn simulate(&self, run: &Run) -> Result<Traces, EngineError> {
        self.simulate_text(&run.netlist_text()?)
    }

    /// Simulates one netlist text.
    pub fn simulate_text(&self, text: &str) -> Result<Traces, EngineError> {
        let dir =
            tempfile::tempdir().map_err(|e| EngineError::Io(format!("temporary folder: {e}")))?;
        let cir = dir.path().join("netlist.cir");
        let csv = dir.path().join("out.csv");
        std::fs::write(&cir, text).map_err(|e| EngineError::Io(e.to_string()))?;
        let mut child = Command::new(&self.program)
            .current_dir(dir.path())
            .args(["-m", "1", "-o"])
            .arg(&csv)
            .arg(&cir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                EngineError::JosimMissing(format!("cannot run {}: {e}", self.program.display()))
            })?;
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() > self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(EngineError::Timeout(self.timeout));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(EngineError::Io(e.to_string())),
            }
        };
        let mut stderr = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut stderr);
        }
        if !status.success() {
            return Err(EngineError::Josim(format!(
                "{} exited with {status}: {}",
                self.program.display(),
                stderr.trim()
            )));
        }
        let text = std::fs::read_to_string(&csv)
            .map_err(|e| EngineError::Io(format!("JoSIM wrote no CSV: {e}")))?;
        crate::analysis::parse_josim_csv(&SourceFile::new(&csv, text))
            .map_err(|e| EngineError::Josim(e.to_string()))
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}
