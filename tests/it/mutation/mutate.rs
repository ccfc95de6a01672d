//! Mutators: deterministic edits of a file's bytes or of a command line, drawn from a
//! seeded ChaCha stream, of the kinds a hostile or careless user produces.

use rand::{Rng, RngCore};

/// Numbers at the edges of every type a field may be parsed into, and a few that are
/// not numbers at all (`1x` is 10⁶ in SPICE's suffixes).
pub const EXTREMES: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "-0",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1x",
    "0",
    "-1",
    "1e-320",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "1000000000",
    "1e30",
    "1e-30",
    "0x10",
    "1e",
    "2.5e-17",
    "99999999999999999999999999999",
    "0.0000000000000000000000000001",
];

/// The names of the file mutations (the summary counts inputs per mutation, too).
pub const FILE_MUTATIONS: &[&str] = &[
    "byte flip",
    "token swap",
    "number extreme",
    "line deleted",
    "line duplicated",
    "deep nesting",
    "truncated",
    "line spliced",
    "odd bytes",
    "huge repeat",
];

fn is_separator(b: u8) -> bool {
    b.is_ascii_whitespace() || b",:;[]{}()=\"'".contains(&b)
}

/// Byte ranges of the tokens (runs of non-separators).
fn tokens(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (start, is_separator(b)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out
}

/// The numeric prefix of a token (`-1.5e3` of `-1.5e3ps`), if it starts with one.
fn numeric_prefix(tok: &[u8]) -> Option<usize> {
    let digits = tok
        .iter()
        .position(|b| !(b.is_ascii_digit() || b".-+eE".contains(b)))
        .unwrap_or(tok.len());
    tok[..digits]
        .iter()
        .any(u8::is_ascii_digit)
        .then_some(digits)
}

/// Byte ranges of the lines, each with its newline.
fn lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

fn splice(bytes: &[u8], (s, e): (usize, usize), with: &[u8]) -> Vec<u8> {
    [&bytes[..s], with, &bytes[e..]].concat()
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.random_range(0..items.len())])
}

/// Applies the mutation `which` (an index into [`FILE_MUTATIONS`]) to `bytes`.
pub fn mutate_file(rng: &mut impl RngCore, bytes: &[u8], which: usize, binary: bool) -> Vec<u8> {
    let toks = tokens(bytes);
    let lns = lines(bytes);
    let mut out = match which {
        0 => {
            let mut b = bytes.to_vec();
            for _ in 0..rng.random_range(1..=4) {
                if !b.is_empty() {
                    let i = rng.random_range(0..b.len());
                    b[i] ^= 1 << rng.random_range(0..8);
                }
            }
            b
        }
        1 => match (pick(rng, &toks), pick(rng, &toks)) {
            (Some(&a), Some(&b)) if a != b => {
                let (first, second) = if a.0 < b.0 { (a, b) } else { (b, a) };
                let mut o = bytes[..first.0].to_vec();
                o.extend_from_slice(&bytes[second.0..second.1]);
                o.extend_from_slice(&bytes[first.1..second.0]);
                o.extend_from_slice(&bytes[first.0..first.1]);
                o.extend_from_slice(&bytes[second.1..]);
                o
            }
            _ => bytes.to_vec(),
        },
        2 if binary => {
            // a record field at its extreme: 0xff or 0x00 runs
            let mut b = bytes.to_vec();
            if !b.is_empty() {
                let i = rng.random_range(0..b.len());
                let fill = if rng.random_bool(0.5) { 0xff } else { 0 };
                for x in b.iter_mut().skip(i).take(rng.random_range(1..6)) {
                    *x = fill;
                }
            }
            b
        }
        2 => {
            let numeric: Vec<(usize, usize)> = toks
                .iter()
                .filter_map(|&(s, e)| numeric_prefix(&bytes[s..e]).map(|n| (s, s + n)))
                .collect();
            let extreme = pick(rng, EXTREMES).unwrap().as_bytes();
            match pick(rng, &numeric).or(pick(rng, &toks)) {
                Some(&range) => splice(bytes, range, extreme),
                None => bytes.to_vec(),
            }
        }
        3 => match pick(rng, &lns) {
            Some(&range) => splice(bytes, range, b""),
            None => bytes.to_vec(),
        },
        4 => match pick(rng, &lns) {
            Some(&(s, e)) => {
                let times = *pick(rng, &[1usize, 2, 50, 5000]).unwrap();
                splice(bytes, (e, e), &bytes[s..e].repeat(times))
            }
            None => bytes.to_vec(),
        },
        5 => {
            let depth = *pick(rng, &[64usize, 300, 3000, 30000]).unwrap();
            let (open, close) =
                *pick(rng, &[("(", ")"), ("[", "]"), ("{", "}"), ("- ", "")]).unwrap();
            match pick(rng, &toks) {
                Some(&(s, e)) => {
                    let with = [
                        open.repeat(depth).as_bytes(),
                        &bytes[s..e],
                        close.repeat(depth).as_bytes(),
                    ]
                    .concat();
                    splice(bytes, (s, e), &with)
                }
                None => bytes.to_vec(),
            }
        }
        6 => bytes[..rng.random_range(0..=bytes.len())].to_vec(),
        7 => match (pick(rng, &lns), pick(rng, &lns)) {
            (Some(&(s, e)), Some(&(at, _))) => splice(bytes, (at, at), &bytes[s..e]),
            _ => bytes.to_vec(),
        },
        8 => {
            let odd: &[&[u8]] = &[
                "\u{feff}".as_bytes(),
                b"\0",
                b"\xff\xfe",
                b"\xc3",
                b"\r",
                b"\t",
                b"\r\n",
                "\u{00b5}".as_bytes(),
                "\u{2212}".as_bytes(),
            ];
            let with = *pick(rng, odd).unwrap();
            let at = rng.random_range(0..=bytes.len());
            splice(bytes, (at, at), with)
        }
        _ => match pick(rng, &toks) {
            Some(&(s, e)) => {
                let times = *pick(rng, &[1000usize, 100_000]).unwrap();
                let sep: &[u8] = if rng.random_bool(0.5) { b" " } else { b"" };
                let unit = [&bytes[s..e], sep].concat();
                splice(bytes, (s, e), &unit.repeat(times))
            }
            None => bytes.to_vec(),
        },
    };
    if out.len() > 4 << 20 {
        out.truncate(4 << 20);
    }
    out
}

/// Flags any command may be given, and values for them.
const FLAGS: &[&str] = &[
    "--seed",
    "--temperature",
    "--engine",
    "--level",
    "--events",
    "--vcd",
    "--junit",
    "--report",
    "-o",
    "--curve-inh",
    "--no-verilator",
    "--sweep",
    "--shard",
];
const VALUES: &[&str] = &[
    "",
    ".",
    "out",
    "out/x",
    "examples",
    "examples/pulse_logic.yaml",
    "ev.bin",
    "missing.yaml",
    "builtin",
    "josim",
    "pulse",
    "circuit",
    "5/3",
    "0/0",
    "-",
    "--",
];

/// The mutations of a command line.
pub const FLAG_MUTATIONS: &[&str] = &[
    "argument replaced",
    "argument deleted",
    "argument duplicated",
    "flag inserted",
    "output is an input",
];

/// Arguments that keep a run short (no Verilator, a step limit, the pulse level): the
/// mutations leave them alone, so that a mutated command line is not merely a long run.
fn protected(a: &[String], i: usize) -> bool {
    let keep = ["--no-verilator", "--max-steps", "--level"];
    keep.contains(&a[i].as_str()) || (i > 0 && keep[1..].contains(&a[i - 1].as_str()))
}

/// Applies the command-line mutation `which` (an index into [`FLAG_MUTATIONS`]).
pub fn mutate_args(rng: &mut impl RngCore, args: &[String], which: usize) -> Vec<String> {
    let mut a = args.to_vec();
    let free: Vec<usize> = (0..a.len()).filter(|&i| !protected(&a, i)).collect();
    let value = |rng: &mut dyn RngCore| -> String {
        if rng.random_bool(0.5) {
            EXTREMES[rng.random_range(0..EXTREMES.len())].to_string()
        } else {
            VALUES[rng.random_range(0..VALUES.len())].to_string()
        }
    };
    match which {
        0 => {
            let i = free[rng.random_range(0..free.len())];
            a[i] = value(rng);
        }
        1 => {
            let i = free[rng.random_range(0..free.len())];
            a.remove(i);
        }
        2 => {
            let i = free[rng.random_range(0..free.len())];
            let dup = a[i].clone();
            a.insert(i, dup);
        }
        3 => {
            let i = free[rng.random_range(0..free.len())] + 1;
            let flag = FLAGS[rng.random_range(0..FLAGS.len())].to_string();
            let v = value(rng);
            a.insert(i, v);
            a.insert(i, flag);
        }
        _ => {
            // `-o` names the file (or folder) the command reads
            let input = a
                .iter()
                .find(|x| x.contains('.') && !x.starts_with('-') && *x != "out/out.csv")
                .cloned();
            if let (Some(input), Some(o)) = (input, a.iter().position(|x| x == "-o")) {
                if o + 1 < a.len() {
                    a[o + 1] = input;
                }
            }
        }
    }
    a
}
