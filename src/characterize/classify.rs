//! Rate-coded classification: a design's inputs switched on or off per pattern
//! (an inactive input gets no pulses), simulated with thermal noise over seeds,
//! output pulses counted. A pattern of class 1 must give more output pulses in
//! every seed than any pattern of class 0 in any seed; the margin is the gap.

use serde::{Deserialize, Serialize};

use super::bench::{count_pulses, BenchRun};
use super::CharacterizeError;
use crate::analysis::Progress;
use crate::engine::Engine;
use crate::spec::Design;

/// Which inputs are active, and the expected class (true = high output rate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    pub name: String,
    pub active: Vec<String>,
    pub expected: bool,
}

/// The four XOR patterns of inputs `a`, `b`: (0,0), (0,1), (1,0), (1,1).
pub fn xor_patterns(a: &str, b: &str) -> Vec<Pattern> {
    let p = |name: &str, active: &[&str], expected| Pattern {
        name: name.to_string(),
        active: active.iter().map(|s| s.to_string()).collect(),
        expected,
    };
    vec![
        p("00", &[], false),
        p("01", &[b], true),
        p("10", &[a], true),
        p("11", &[a, b], false),
    ]
}

/// Output pulse counts of one pattern, one per seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternResult {
    pub pattern: Pattern,
    pub counts: Vec<usize>,
    pub mean: f64,
    pub min: usize,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    pub output: String,
    pub seeds: Vec<u64>,
    pub temperature: Option<f64>,
    /// Pulses per active input (after any truncation).
    pub input_pulses: usize,
    pub patterns: Vec<PatternResult>,
    /// Lowest count of any class-1 pattern minus the highest of any class-0 pattern.
    pub margin: i64,
    /// The decision threshold halfway between the two classes (pulses).
    pub threshold: f64,
    /// Every seed of every pattern on the right side of the threshold (margin > 0).
    pub correct: bool,
}

/// Runs every pattern over the seeds. `pulses` keeps only the first pulses of each
/// active input (a shorter, faster run) and then stops 300 ps after the last one.
#[allow(clippy::too_many_arguments)]
pub fn rate_classification(
    design: &Design,
    output: &str,
    patterns: &[Pattern],
    seeds: &[u64],
    temperature: Option<f64>,
    pulses: Option<usize>,
    engine: &Engine,
    progress: Progress,
) -> Result<ClassificationReport, CharacterizeError> {
    if !design.outputs.iter().any(|o| o == output) {
        return Err(CharacterizeError::NoOutput(output.to_string()));
    }
    if seeds.is_empty() || patterns.is_empty() {
        return Err(CharacterizeError::Plan(
            "need at least one pattern and one seed".into(),
        ));
    }
    for name in patterns.iter().flat_map(|p| &p.active) {
        if !design.inputs.iter().any(|i| &i.name == name) {
            return Err(CharacterizeError::NoInput(name.clone()));
        }
    }
    let mut input_pulses = 0;
    let mut results = Vec::new();
    for pattern in patterns {
        let mut d = design.clone();
        let mut last: f64 = 0.0;
        for input in &mut d.inputs {
            if pattern.active.contains(&input.name) {
                if let Some(n) = pulses {
                    input.pulses.truncate(n);
                }
                input_pulses = input_pulses.max(input.pulses.len());
                last = last.max(input.pulses.last().copied().unwrap_or(0.0));
            } else {
                input.pulses.clear();
            }
        }
        if pulses.is_some() {
            d.technology.tstop = d.technology.tstop.min(last + 300e-12);
        }
        let runs: Vec<BenchRun> = seeds
            .iter()
            .map(|&seed| BenchRun {
                parameters: Vec::new(),
                temperature,
                seed,
            })
            .collect();
        let counts = count_pulses(engine, &d, output, &runs, progress)?;
        results.push(PatternResult {
            pattern: pattern.clone(),
            mean: counts.iter().sum::<usize>() as f64 / counts.len() as f64,
            min: counts.iter().copied().min().unwrap_or(0),
            max: counts.iter().copied().max().unwrap_or(0),
            counts,
        });
    }
    let low_of_high = results
        .iter()
        .filter(|r| r.pattern.expected)
        .map(|r| r.min)
        .min();
    let high_of_low = results
        .iter()
        .filter(|r| !r.pattern.expected)
        .map(|r| r.max)
        .max();
    let (margin, threshold) = match (low_of_high, high_of_low) {
        (Some(h), Some(l)) => (h as i64 - l as i64, (h + l) as f64 / 2.0),
        (Some(h), None) => (h as i64, h as f64 / 2.0),
        (None, Some(l)) => (-(l as i64), l as f64 + 0.5),
        (None, None) => (0, 0.0),
    };
    Ok(ClassificationReport {
        output: output.to_string(),
        seeds: seeds.to_vec(),
        temperature,
        input_pulses,
        patterns: results,
        margin,
        threshold,
        correct: margin > 0,
    })
}

/// The XOR of inputs `a`, `b` read on `output`: [`rate_classification`] with [`xor_patterns`].
#[allow(clippy::too_many_arguments)]
pub fn xor_classification(
    design: &Design,
    inputs: (&str, &str),
    output: &str,
    seeds: &[u64],
    temperature: Option<f64>,
    pulses: Option<usize>,
    engine: &Engine,
    progress: Progress,
) -> Result<ClassificationReport, CharacterizeError> {
    rate_classification(
        design,
        output,
        &xor_patterns(inputs.0, inputs.1),
        seeds,
        temperature,
        pulses,
        engine,
        progress,
    )
}

impl ClassificationReport {
    /// One line per pattern: counts mean / min / max, and the margin.
    pub fn to_table(&self) -> String {
        let mut s = format!(
            "{:>8} {:>8} {:>8} {:>5} {:>5}  counts per seed\n",
            "pattern", "expected", "mean", "min", "max"
        );
        for r in &self.patterns {
            let counts: Vec<String> = r.counts.iter().map(|c| c.to_string()).collect();
            s.push_str(&format!(
                "{:>8} {:>8} {:>8.2} {:>5} {:>5}  {}\n",
                r.pattern.name,
                u8::from(r.pattern.expected),
                r.mean,
                r.min,
                r.max,
                counts.join(" ")
            ));
        }
        s.push_str(&format!(
            "margin {} pulses ({:.2} of {} input pulses), threshold {:.1}: {}\n",
            self.margin,
            self.margin as f64 / self.input_pulses.max(1) as f64,
            self.input_pulses,
            self.threshold,
            if self.correct {
                "all patterns classified"
            } else {
                "MISCLASSIFIED"
            }
        ));
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}
