//! The seed inputs of the mutation campaign: each names the files it needs (copied into
//! a fresh sandbox folder, one of them mutated) and the command that reads them.

use std::path::{Path, PathBuf};

/// What kind of input a seed mutates (the rows of the summary table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    SfqSpec,
    LsmSpec,
    Netlist,
    EventCsv,
    EventBin,
    WeightJson,
    CurveJson,
    WeightCsv,
    Flags,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::SfqSpec,
        Kind::LsmSpec,
        Kind::Netlist,
        Kind::EventCsv,
        Kind::EventBin,
        Kind::WeightJson,
        Kind::CurveJson,
        Kind::WeightCsv,
        Kind::Flags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::SfqSpec => "SFQ spec",
            Kind::LsmSpec => "LSM spec",
            Kind::Netlist => "netlist",
            Kind::EventCsv => "event CSV",
            Kind::EventBin => "N-MNIST .bin",
            Kind::WeightJson => "weight JSON",
            Kind::CurveJson => "curve JSON",
            Kind::WeightCsv => "weight CSV",
            Kind::Flags => "CLI flags",
        }
    }
}

/// One file of a seed's sandbox: its path inside the sandbox and its bytes.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A seed: the files of one command, which of them the campaign mutates (none for
/// [`Kind::Flags`], whose arguments are mutated instead) and the command line, run in
/// the sandbox. `heavy` seeds simulate for more than a moment and are left out of the
/// CI slice.
#[derive(Debug, Clone)]
pub struct Seed {
    pub kind: Kind,
    pub files: Vec<File>,
    pub mutated: Option<usize>,
    pub args: Vec<String>,
    pub heavy: bool,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn repo_file(rel: &str) -> File {
    let bytes = std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    File {
        path: PathBuf::from(rel),
        bytes,
    }
}

fn made(rel: &str, bytes: Vec<u8>) -> File {
    File {
        path: PathBuf::from(rel),
        bytes,
    }
}

fn args(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn seed(kind: Kind, files: Vec<File>, mutated: Option<usize>, cmd: &str, heavy: bool) -> Seed {
    Seed {
        kind,
        files,
        mutated,
        args: args(cmd),
        heavy,
    }
}

/// Files with `ext` directly in the repository folder `dir`, sorted.
fn listed(dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(ext).then(|| format!("{dir}/{name}"))
        })
        .collect();
    names.sort();
    names
}

/// A small labelled DVS event file in the `sample,label,t,x,y,p` form.
fn dvs_events() -> Vec<u8> {
    let mut s = String::from("sample,label,t,x,y,p\n");
    for sample in 0..4u32 {
        for k in 0..12u32 {
            let (x, y) = (9 + (k * 5 + sample) % 16, 9 + (k * 3 + 2 * sample) % 16);
            s += &format!("{sample},{},{},{x},{y},{}\n", sample % 3, k * 20_000, k % 2);
        }
    }
    s.into_bytes()
}

/// A small cochlea event file in the `t,channel` form.
fn cochlea_events() -> Vec<u8> {
    let mut s = String::from("# one N-TIDIGITS-like sample\nt,channel\n");
    for k in 0..40u32 {
        s += &format!("{},{}\n", k * 311, (k * 17) % 64);
    }
    s.into_bytes()
}

/// N-MNIST records: x, y (8 bits each), polarity (1 bit), time in µs (23 bits).
fn nmnist_events() -> Vec<u8> {
    let mut b = Vec::new();
    for k in 0..40u64 {
        let (x, y, p, t) = (9 + k % 16, 9 + (k * 7) % 16, k % 2, k * 7_000);
        let v = (x << 32) | (y << 24) | (p << 23) | t;
        b.extend_from_slice(&v.to_be_bytes()[3..]);
    }
    b
}

/// Every seed, in a fixed order.
pub fn seeds() -> Vec<Seed> {
    let mut seeds = Vec::new();
    // SFQ specs: build (parse, passes, netlist and cost), a pulse-level check, small sims
    for spec in [
        "examples/fanout.yaml",
        "examples/jtl_chain.yaml",
        "examples/pulse_logic.yaml",
        "examples/xor.yaml",
    ] {
        seeds.push(seed(
            Kind::SfqSpec,
            vec![repo_file(spec)],
            Some(0),
            &format!("build {spec} -o out"),
            false,
        ));
    }
    let iris = || {
        vec![
            repo_file("examples/iris.yaml"),
            repo_file("examples/iris_l1.csv"),
            repo_file("examples/iris_l2.csv"),
            repo_file("examples/iris_l3.csv"),
            repo_file("data/iris.csv"),
        ]
    };
    seeds.push(seed(
        Kind::SfqSpec,
        iris(),
        Some(0),
        "build examples/iris.yaml -o out",
        false,
    ));
    seeds.push(seed(
        Kind::SfqSpec,
        vec![repo_file("examples/xor.yaml")],
        Some(0),
        "check --level pulse examples/xor.yaml",
        false,
    ));
    for spec in ["examples/pulse_logic.yaml", "examples/jtl_chain.yaml"] {
        seeds.push(seed(
            Kind::SfqSpec,
            vec![repo_file(spec)],
            Some(0),
            &format!("--max-steps 200000 sim {spec} -o out"),
            true,
        ));
    }
    for spec in listed("tests/robustness", ".yaml") {
        let mut files = vec![repo_file(&spec)];
        if spec.ends_with("singular.yaml") {
            files.push(repo_file("tests/robustness/cells/singular.cir"));
        }
        seeds.push(seed(
            Kind::SfqSpec,
            files,
            Some(0),
            &format!("build {spec} -o out"),
            false,
        ));
    }
    // weight CSVs of a layered spec
    for layer in 1..=3 {
        seeds.push(seed(
            Kind::WeightCsv,
            iris(),
            Some(layer),
            "build examples/iris.yaml -o out",
            false,
        ));
    }
    // LSM specs: build (Verilog, $readmemh weights) and the Rust model on synthetic events
    for spec in [
        "examples/lsm_tidigits.yaml",
        "examples/lsm_nmnist.yaml",
        "examples/lsm_digits.yaml",
    ] {
        seeds.push(seed(
            Kind::LsmSpec,
            vec![repo_file(spec)],
            Some(0),
            &format!("build {spec} -o out"),
            false,
        ));
        seeds.push(seed(
            Kind::LsmSpec,
            vec![repo_file(spec)],
            Some(0),
            &format!("sim {spec} --no-verilator -o out"),
            true,
        ));
    }
    // netlists: the cell library, the JoSIM reference set, the robustness cases
    let mut netlists = listed("netlists", ".cir");
    netlists.extend(listed("tests/data/josim-reference/cases", ".cir"));
    netlists.extend(listed("tests/data/coldflux", ".cir"));
    netlists.extend(listed("tests/robustness", ".cir"));
    netlists.push("examples/xor_hand.cir".into());
    for netlist in netlists {
        // the two large adders simulate for seconds: local runs only
        let heavy = netlist.contains("ksa4bit") || netlist.contains("gen_pp");
        seeds.push(seed(
            Kind::Netlist,
            vec![repo_file(&netlist)],
            Some(0),
            &format!("--max-steps 200000 sim {netlist} -o out/out.csv"),
            heavy,
        ));
    }
    // event files, read by the Rust model of an LSM
    let tidigits = repo_file("examples/lsm_tidigits.yaml");
    let nmnist = repo_file("examples/lsm_nmnist.yaml");
    seeds.push(seed(
        Kind::EventCsv,
        vec![made("ev.csv", cochlea_events()), tidigits.clone()],
        Some(0),
        "sim examples/lsm_tidigits.yaml --events ev.csv --no-verilator -o out",
        false,
    ));
    seeds.push(seed(
        Kind::EventCsv,
        vec![made("ev.csv", dvs_events()), nmnist.clone()],
        Some(0),
        "sim examples/lsm_nmnist.yaml --events ev.csv --no-verilator -o out",
        false,
    ));
    seeds.push(seed(
        Kind::EventCsv,
        vec![made("ev.csv", dvs_events()), nmnist.clone()],
        Some(0),
        "train examples/lsm_nmnist.yaml --events ev.csv -o out",
        false,
    ));
    seeds.push(seed(
        Kind::EventBin,
        vec![made("ev.bin", nmnist_events()), nmnist.clone()],
        Some(0),
        "sim examples/lsm_nmnist.yaml --events ev.bin --no-verilator -o out",
        false,
    ));
    // weight and curve JSON of map-weights
    let curve = repo_file("tests/robustness/synapse_bom.json");
    seeds.push(seed(
        Kind::WeightJson,
        vec![repo_file("examples/xor_weights.json"), curve.clone()],
        Some(0),
        "map-weights examples/xor_weights.json --curve tests/robustness/synapse_bom.json -o out/mapped.yaml",
        false,
    ));
    seeds.push(seed(
        Kind::CurveJson,
        vec![repo_file("examples/xor_weights.json"), curve.clone()],
        Some(1),
        "map-weights examples/xor_weights.json --curve tests/robustness/synapse_bom.json -o out/mapped.yaml",
        false,
    ));
    // command lines: valid inputs, arguments mutated
    for cmd in [
        "build examples/pulse_logic.yaml -o out",
        "--max-steps 200000 sim examples/pulse_logic.yaml -o out",
        "--max-steps 200000 sim tests/data/josim-reference/cases/comp_jj.cir -o out/out.csv --seed 3",
        "check --level pulse examples/xor.yaml",
        "check examples/pulse_logic.yaml",
        "sim examples/lsm_nmnist.yaml --events ev.bin --no-verilator -o out",
        "map-weights examples/xor_weights.json --curve tests/robustness/synapse_bom.json -o out/mapped.yaml",
        "report examples/pulse_logic.yaml",
        "build examples/lsm_tidigits.yaml -o out",
    ] {
        seeds.push(seed(
            Kind::Flags,
            vec![
                repo_file("examples/pulse_logic.yaml"),
                repo_file("examples/xor.yaml"),
                repo_file("examples/lsm_nmnist.yaml"),
                repo_file("examples/lsm_tidigits.yaml"),
                repo_file("tests/data/josim-reference/cases/comp_jj.cir"),
                made("ev.bin", nmnist_events()),
                repo_file("examples/xor_weights.json"),
                curve.clone(),
            ],
            None,
            cmd,
            false,
        ));
    }
    seeds
}
