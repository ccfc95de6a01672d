//! Running Verilator: lint, build the testbench binary (cached by source hash), run it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::LsmError;

static BUILD_LOCK: Mutex<()> = Mutex::new(());

fn tool_output(cmd: &mut Command, tool: &str) -> Result<(bool, String), LsmError> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LsmError::NoVerilator(e.to_string())
        } else {
            LsmError::Tool {
                tool: tool.into(),
                message: e.to_string(),
                log: String::new(),
            }
        }
    })?;
    let mut log = String::from_utf8_lossy(&out.stdout).into_owned();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), log))
}

/// `verilator --version`, or an error when it is not installed.
pub fn version() -> Result<String, LsmError> {
    let (ok, log) = tool_output(Command::new("verilator").arg("--version"), "verilator")?;
    if !ok {
        return Err(LsmError::NoVerilator(log));
    }
    Ok(log.trim().to_string())
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), LsmError> {
    std::fs::create_dir_all(dir).map_err(|e| LsmError::io(dir, e))?;
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).map_err(|e| LsmError::io(&p, e))?;
    }
    Ok(())
}

/// `verilator --lint-only -Wall` on the RTL (top `lsm_top`); returns the log when clean,
/// a [`LsmError::Tool`] carrying the warnings otherwise.
pub fn lint(rtl: &[(String, String)], dir: &Path) -> Result<String, LsmError> {
    let files: Vec<(String, Vec<u8>)> = rtl
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect();
    write_all(dir, &files)?;
    let mut cmd = Command::new("verilator");
    cmd.current_dir(dir)
        .args(["--lint-only", "-Wall", "--top-module", "lsm_top"])
        .args(rtl.iter().map(|(n, _)| n.as_str()));
    let (ok, log) = tool_output(&mut cmd, "verilator --lint-only")?;
    if !ok || log.contains("%Warning") || log.contains("%Error") {
        return Err(LsmError::Tool {
            tool: "verilator --lint-only -Wall".into(),
            message: "lint not clean".into(),
            log,
        });
    }
    Ok(log)
}

/// A compiled testbench binary.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub binary: PathBuf,
    /// Seconds spent compiling (0 when the cached build was reused).
    pub build_seconds: f64,
    pub cached: bool,
}

/// Compiles the testbench (`lsm_tb` top, `--binary --timing --trace`) under
/// `work_dir/build-<hash>`; a build with the same sources is reused.
pub fn compile(sources: &[(String, String)], work_dir: &Path) -> Result<Compiled, LsmError> {
    let mut h = Sha256::new();
    h.update(version()?.as_bytes());
    for (n, t) in sources {
        h.update(n.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    let hash: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = work_dir.join(format!("build-{hash}"));
    let binary = dir.join("obj_dir").join("Vlsm_tb");
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if dir.join("ok").exists() && binary.exists() {
        return Ok(Compiled {
            binary,
            build_seconds: 0.0,
            cached: true,
        });
    }
    let start = Instant::now();
    let files: Vec<(String, Vec<u8>)> = sources
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect();
    write_all(&dir, &files)?;
    let mut cmd = Command::new("verilator");
    cmd.current_dir(&dir)
        .args([
            "--binary",
            "--timing",
            "--trace",
            "-Wno-fatal",
            "--top-module",
            "lsm_tb",
            "-Mdir",
            "obj_dir",
            "-j",
            "2",
            "-CFLAGS",
            "-O0",
        ])
        .args(sources.iter().map(|(n, _)| n.as_str()));
    let (ok, log) = tool_output(&mut cmd, "verilator --binary")?;
    if !ok || !binary.exists() {
        return Err(LsmError::Tool {
            tool: "verilator --binary".into(),
            message: "testbench build failed".into(),
            log,
        });
    }
    std::fs::write(dir.join("ok"), hash.as_bytes()).map_err(|e| LsmError::io(&dir, e))?;
    Ok(Compiled {
        binary,
        build_seconds: start.elapsed().as_secs_f64(),
        cached: false,
    })
}

/// Result of one testbench run.
#[derive(Debug, Clone)]
pub struct TbRun {
    pub passed: bool,
    pub log: String,
    pub vcd: PathBuf,
    pub run_seconds: f64,
}

/// Runs the testbench in `run_dir` with the memory images and stimulus files.
pub fn run(
    compiled: &Compiled,
    run_dir: &Path,
    files: &[(String, Vec<u8>)],
    beats: usize,
    samples: usize,
) -> Result<TbRun, LsmError> {
    write_all(run_dir, files)?;
    let start = Instant::now();
    let mut cmd = Command::new(&compiled.binary);
    cmd.current_dir(run_dir)
        .arg(format!("+beats={beats}"))
        .arg(format!("+samples={samples}"));
    let (ok, log) = tool_output(&mut cmd, "testbench")?;
    let run_seconds = start.elapsed().as_secs_f64();
    let passed = ok && log.contains("LSM_TB PASS");
    Ok(TbRun {
        passed,
        log,
        vcd: run_dir.join("lsm.vcd"),
        run_seconds,
    })
}
