//! Running Verilator: lint, build the testbench binary (cached by a hash of what the binary
//! depends on, shared across output folders, safe under concurrent use), run it.
//!
//! Two flows build the same testbench text:
//! - [`Flow::Harness`] (what `nmgen sim` uses): the clock is a port of `lsm_tb`
//!   (`+define+LSM_CLOCK_PORT`) driven by a small C++ harness, so Verilator runs without
//!   `--timing` (no coroutines), without tracing unless a waveform is asked for, and the
//!   generated C++ is compiled as one translation unit beside Verilator's runtime;
//! - [`Flow::Timing`]: the self-clocked testbench with `--binary --timing --trace` (as in the
//!   `run_verilator.sh` that `nmgen build` writes), C++ at `-O0`; it always dumps `lsm.vcd`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::LsmError;

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// The C++ harness of [`Flow::Harness`].
pub const HARNESS: &str = include_str!("../../templates/lsm/harness.cpp");

/// A waveform dump of the testbench run (opt-in: the comparison reads `lsm_out.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Trace {
    #[default]
    None,
    /// `lsm.vcd` (Verilator `--trace`).
    Vcd,
    /// `lsm.fst` (Verilator `--trace-fst`), compressed; GTKWave opens it.
    Fst,
}

impl Trace {
    /// The waveform's file name in the run directory.
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            Trace::None => None,
            Trace::Vcd => Some("lsm.vcd"),
            Trace::Fst => Some("lsm.fst"),
        }
    }
}

/// How the testbench is built and clocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// C++ harness drives the clock (no `--timing`); a waveform only when asked for.
    Harness { trace: Trace },
    /// Self-clocked testbench, `--binary --timing --trace`, C++ at `-O0`; dumps `lsm.vcd`.
    Timing,
}

impl Default for Flow {
    /// The harness flow without a waveform.
    fn default() -> Self {
        Flow::Harness { trace: Trace::None }
    }
}

impl Flow {
    /// The waveform the runs of this flow dump.
    pub fn trace(self) -> Trace {
        match self {
            Flow::Harness { trace } => trace,
            Flow::Timing => Trace::Vcd,
        }
    }

    /// Verilator's arguments (before the source files).
    fn verilator_args(self) -> Vec<&'static str> {
        let common = ["-Wno-fatal", "--top-module", "lsm_tb", "-Mdir", "obj_dir"];
        match self {
            Flow::Harness { trace } => {
                let mut a = vec![
                    "--cc",
                    "--exe",
                    "+define+LSM_CLOCK_PORT",
                    "--x-assign",
                    "fast",
                    "--x-initial",
                    "fast",
                ];
                match trace {
                    Trace::None => {}
                    Trace::Vcd => a.push("--trace"),
                    Trace::Fst => a.push("--trace-fst"),
                }
                a.extend(common);
                a.push("lsm_main.cpp");
                a
            }
            Flow::Timing => {
                let mut a = vec!["--binary", "--timing", "--trace"];
                a.extend(common);
                a.extend(["-j", "2", "-CFLAGS", "-O0"]);
                a
            }
        }
    }

    /// `make` variables of the harness flow: the model's C++ as one translation unit
    /// (`VM_PARALLEL_BUILDS=0`, built beside the runtime on the second core), `-O1` for the
    /// per-cycle code, `-O0` for the rest.
    const MAKE_VARS: [&'static str; 4] = [
        "VM_PARALLEL_BUILDS=0",
        "OPT_FAST=-O1",
        "OPT_SLOW=-O0",
        "OPT_GLOBAL=-O0",
    ];
}

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
    pub flow: Flow,
    /// Seconds spent compiling (0 when the cached build was reused).
    pub build_seconds: f64,
    pub cached: bool,
    /// Verilator's runtime objects came from the cache (or the whole build did).
    pub runtime_cached: bool,
}

/// The cache key: everything the binary depends on (Verilator's version, the flow and its
/// flags, the harness, the sources; the memory images are read at run time).
fn build_key(version: &str, flow: Flow, sources: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    h.update(version.as_bytes());
    h.update([0]);
    for a in flow.verilator_args() {
        h.update(a.as_bytes());
        h.update([0]);
    }
    if matches!(flow, Flow::Harness { .. }) {
        for v in Flow::MAKE_VARS {
            h.update(v.as_bytes());
            h.update([0]);
        }
        h.update(HARNESS.as_bytes());
        h.update([0]);
    }
    for (n, t) in sources {
        h.update(n.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compiles the testbench (`lsm_tb` top) under `work_dir/build-<key>`; a build with the
/// same key is reused, from this or any other output folder. A build happens in a staging
/// directory that is renamed into place once complete, so concurrent `nmgen sim` runs never
/// see a half-built model (the loser of a race uses the winner's build).
pub fn compile(
    sources: &[(String, String)],
    work_dir: &Path,
    flow: Flow,
) -> Result<Compiled, LsmError> {
    let key = build_key(&version()?, flow, sources);
    let dir = work_dir.join(format!("build-{key}"));
    let binary_in = |d: &Path| d.join("obj_dir").join("Vlsm_tb");
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if dir.join("ok").exists() && binary_in(&dir).exists() {
        return Ok(Compiled {
            binary: binary_in(&dir),
            flow,
            build_seconds: 0.0,
            cached: true,
            runtime_cached: true,
        });
    }
    let start = Instant::now();
    std::fs::create_dir_all(work_dir).map_err(|e| LsmError::io(work_dir, e))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!("staging-{key}-"))
        .tempdir_in(work_dir)
        .map_err(|e| LsmError::io(work_dir, e))?;
    let mut files: Vec<(String, Vec<u8>)> = sources
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect();
    if matches!(flow, Flow::Harness { .. }) {
        files.push(("lsm_main.cpp".into(), HARNESS.as_bytes().to_vec()));
    }
    write_all(staging.path(), &files)?;
    let mut cmd = Command::new("verilator");
    cmd.current_dir(staging.path())
        .args(flow.verilator_args())
        .args(sources.iter().map(|(n, _)| n.as_str()));
    let (ok, mut log) = tool_output(&mut cmd, "verilator")?;
    let failed = |log: String| LsmError::Tool {
        tool: "verilator".into(),
        message: "testbench build failed".into(),
        log,
    };
    if !ok {
        return Err(failed(log));
    }
    let mut runtime_cached = false;
    if matches!(flow, Flow::Harness { .. }) {
        let obj_dir = staging.path().join("obj_dir");
        let runtime = Runtime::of(&obj_dir, work_dir, flow)?;
        runtime_cached = runtime.copy_into(&obj_dir);
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get().min(2));
        let mut make = Command::new("make");
        make.current_dir(staging.path().join("obj_dir"))
            .args(["-s", "-f", "Vlsm_tb.mk", "-j", &jobs.to_string()])
            .args(Flow::MAKE_VARS);
        let (ok, make_log) = tool_output(&mut make, "make")?;
        log.push_str(&make_log);
        if !ok {
            return Err(failed(log));
        }
        if !runtime_cached {
            runtime.store_from(&obj_dir, work_dir);
        }
    }
    if !binary_in(staging.path()).exists() {
        return Err(failed(log));
    }
    let ok_file = staging.path().join("ok");
    std::fs::write(&ok_file, key.as_bytes()).map_err(|e| LsmError::io(&ok_file, e))?;
    let staged = staging.keep();
    if std::fs::rename(&staged, &dir).is_err() {
        // Another process renamed its build into place first: use that one.
        let _ = std::fs::remove_dir_all(&staged);
        if !(dir.join("ok").exists() && binary_in(&dir).exists()) {
            return Err(LsmError::io(
                &dir,
                std::io::Error::other("cannot move the Verilator build into the cache"),
            ));
        }
    }
    Ok(Compiled {
        binary: binary_in(&dir),
        flow,
        build_seconds: start.elapsed().as_secs_f64(),
        cached: false,
        runtime_cached,
    })
}

/// Verilator's runtime objects (`verilated.o`, `verilated_threads.o`, the trace writer):
/// the same for every design, so they are compiled once per Verilator version, trace
/// format and flags, kept in `work_dir/runtime-<key>` and copied into each new build
/// (after verilating, so `make` finds them newer than the makefile and skips them).
struct Runtime {
    objects: Vec<String>,
    dir: PathBuf,
}

impl Runtime {
    /// The runtime objects the verilated makefiles in `obj_dir` list.
    fn of(obj_dir: &Path, work_dir: &Path, flow: Flow) -> Result<Runtime, LsmError> {
        let classes = obj_dir.join("Vlsm_tb_classes.mk");
        let text = std::fs::read_to_string(&classes).map_err(|e| LsmError::io(&classes, e))?;
        let mut objects = Vec::new();
        let mut global = false;
        for line in text.lines() {
            if line.starts_with("VM_GLOBAL_") {
                global = true;
                continue;
            }
            let name = line.trim().trim_end_matches('\\').trim();
            if global && !name.is_empty() {
                objects.push(format!("{name}.o"));
            }
            global &= line.ends_with('\\');
        }
        let mut h = Sha256::new();
        h.update(version()?.as_bytes());
        for a in flow.verilator_args().iter().chain(&Flow::MAKE_VARS) {
            h.update(a.as_bytes());
            h.update([0]);
        }
        for o in &objects {
            h.update(o.as_bytes());
            h.update([0]);
        }
        let key: String = h
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Runtime {
            objects,
            dir: work_dir.join(format!("runtime-{key}")),
        })
    }

    /// Copies the cached objects into `obj_dir`; false when there is no complete cache.
    fn copy_into(&self, obj_dir: &Path) -> bool {
        if self.objects.is_empty() || !self.dir.join("ok").exists() {
            return false;
        }
        let copied = self
            .objects
            .iter()
            .all(|o| std::fs::copy(self.dir.join(o), obj_dir.join(o)).is_ok());
        if !copied {
            // make compiles whatever is missing or stale
            for o in &self.objects {
                let _ = std::fs::remove_file(obj_dir.join(o));
            }
        }
        copied
    }

    /// Keeps the objects `make` just compiled in `obj_dir` (staged, then renamed into place;
    /// a failure only means the next build compiles them again).
    fn store_from(&self, obj_dir: &Path, work_dir: &Path) {
        if self.objects.is_empty() || self.dir.join("ok").exists() {
            return;
        }
        let Ok(staging) = tempfile::Builder::new()
            .prefix("staging-runtime-")
            .tempdir_in(work_dir)
        else {
            return;
        };
        let copied = self
            .objects
            .iter()
            .all(|o| std::fs::copy(obj_dir.join(o), staging.path().join(o)).is_ok());
        if copied && std::fs::write(staging.path().join("ok"), b"").is_ok() {
            let staged = staging.keep();
            if std::fs::rename(&staged, &self.dir).is_err() {
                let _ = std::fs::remove_dir_all(&staged);
            }
        }
    }
}

/// Result of one testbench run.
#[derive(Debug, Clone)]
pub struct TbRun {
    pub passed: bool,
    pub log: String,
    /// What the macro put out (`lsm_out.txt`, see [`super::tb_out`]).
    pub outputs: PathBuf,
    /// The waveform, when the flow dumps one.
    pub waveform: Option<PathBuf>,
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
    let waveform = compiled.flow.trace().file_name();
    if let Some(name) = waveform {
        cmd.arg(format!("+dumpfile={name}"));
    }
    let (ok, log) = tool_output(&mut cmd, "testbench")?;
    let run_seconds = start.elapsed().as_secs_f64();
    let passed = ok && log.contains("LSM_TB PASS");
    Ok(TbRun {
        passed,
        log,
        outputs: run_dir.join("lsm_out.txt"),
        waveform: waveform.map(|n| run_dir.join(n)),
        run_seconds,
    })
}
