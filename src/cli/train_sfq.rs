//! `nmgen train-sfq DATA`: hardware-aware training of a rate-coded SFQ network on a
//! labelled data set; writes the spec (with an accuracy check), per-layer weight
//! CSVs, a report and the forward model's confusion matrix.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use clap::Args;
use nmgen::output::Artifact;
use nmgen::pulse::CellModels;
use nmgen::train::{self, ForwardModel, TrainSettings};

use super::Failure;

#[derive(Args, Debug)]
pub struct TrainSfqArgs {
    /// The labelled data set (scikit-learn CSV: header `n,features,class names…`, rows of features and a label).
    pub data: PathBuf,
    /// The pulse-level cell-model file (default: the shipped models/default.json).
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Neurons per hidden layer, e.g. `8,8`.
    #[arg(long, value_delimiter = ',', default_value = "8,8")]
    pub hidden: Vec<usize>,
    /// Training seed (weights' initialisation and batch order).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Fraction of each class held out for the test split.
    #[arg(long, default_value_t = 0.3)]
    pub test_fraction: f64,
    /// Seed of the stratified split.
    #[arg(long, default_value_t = 1)]
    pub split_seed: u64,
    #[arg(long, default_value_t = 300)]
    pub epochs: usize,
    /// Threshold current range of the neurons in µA, e.g. `--th-range 260 305`.
    #[arg(long, value_delimiter = ',', num_args = 2, default_values_t = [260.0, 305.0])]
    pub th_range: Vec<f64>,
    /// Epochs of fine-tuning against the pulse-level simulator (0: none).
    #[arg(long, default_value_t = 30)]
    pub finetune_epochs: usize,
    /// Input window length, e.g. 2ns (the window starts at 50 ps).
    #[arg(long, default_value = "2ns")]
    pub window: String,
    /// Rate of a feature at its maximum, e.g. 14.286GHz.
    #[arg(long, default_value = "14.286GHz")]
    pub rate: String,
    /// Samples of the test split the spec's accuracy check simulates (default: all).
    #[arg(long)]
    pub check_samples: Option<usize>,
    /// Minimum accuracy the spec's check asks for.
    #[arg(long, default_value_t = 0.9)]
    pub minimum: f64,
    /// Name of the spec (default: the data file's stem).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(short, long, default_value = "out")]
    pub out: PathBuf,
}

/// `target` relative to the folder `from` (both made absolute first).
fn relative(target: &Path, from: &Path) -> PathBuf {
    let abs = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_os_string())
            .collect::<Vec<_>>()
    };
    let (t, f) = (abs(target), abs(from));
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

fn quantity(text: &str, what: &str) -> anyhow::Result<f64> {
    nmgen::spec::parse_quantity(text)
        .ok_or_else(|| anyhow::anyhow!("{what}: `{text}` is not a value (e.g. 2ns, 14.286GHz)"))
}

pub fn run(a: &TrainSfqArgs) -> Result<(), Failure> {
    let data = nmgen::dataset::read(&a.data)?;
    let cells = match &a.models {
        Some(p) => CellModels::read(p)?,
        None => nmgen::pulse::default_models()?,
    };
    if !(a.test_fraction > 0.0 && a.test_fraction < 1.0) {
        return Err(anyhow::anyhow!("--test-fraction must be between 0 and 1").into());
    }
    if a.hidden.is_empty() || a.hidden.contains(&0) {
        return Err(anyhow::anyhow!("--hidden needs at least one layer of ≥ 1 neuron").into());
    }
    let name = a.name.clone().unwrap_or_else(|| data.name.clone());
    let mut settings = TrainSettings::new(a.hidden.clone(), a.seed);
    settings.epochs = a.epochs;
    settings.code.rate_max = quantity(&a.rate, "--rate")?;
    settings.code.end = settings.code.start + quantity(&a.window, "--window")?;
    let models = ForwardModel::new(cells, settings.code.end - settings.code.start);
    settings.finetune_epochs = a.finetune_epochs;
    if !(a.th_range.len() == 2 && a.th_range[0] < a.th_range[1]) {
        return Err(anyhow::anyhow!(
            "--th-range needs two currents in µA, low high (e.g. 260 305)"
        )
        .into());
    }
    settings.th_range_ua = (a.th_range[0], a.th_range[1]);
    let t = train::train_on(&data, &models, &settings, a.test_fraction, a.split_seed)
        .map_err(|e| anyhow::anyhow!("training: {e}"))?;

    let inputs = train::emit::input_names(data.feature_count());
    let outputs = train::emit::output_names(&t.network);
    let data_ref = relative(&a.data, &a.out);
    let first = t.split.test[0];
    let x = t.scaling.apply(&data.features[first]);
    let mut extra = format!(
        "# stimulus: test sample {first} (row of {}), class {}\nstimulus:\n",
        a.data.display(),
        data.classes[data.labels[first]]
    );
    for (i, name) in inputs.iter().enumerate() {
        let p = settings.code.pulses(i, x[i]);
        if !p.is_empty() {
            let times: Vec<String> = p.iter().map(|t| format!("{:.3}ps", t * 1e12)).collect();
            let _ = writeln!(extra, "  {name}: {{ times: [{}] }}", times.join(", "));
        }
    }
    let fmt_list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        extra,
        "noise: {{ temperature: 4.2, seeds: 1 }}\nchecks:\n  - accuracy:\n      name: {name} test split\n      \
         data: {}\n      split: {{ part: test, test_fraction: {}, seed: {} }}\n      inputs: [{}]\n      \
         outputs: [{}]\n      rate: {}\n      window: [{:.0}ps, {:.0}ps]\n      \
         scale: {{ min: [{}], max: [{}] }}\n{}      minimum: {}\n",
        data_ref.display().to_string().replace('\\', "/"),
        a.test_fraction,
        a.split_seed,
        inputs.join(", "),
        outputs.join(", "),
        a.rate,
        settings.code.start * 1e12,
        settings.code.end * 1e12,
        fmt_list(&t.scaling.min),
        fmt_list(&t.scaling.max),
        a.check_samples
            .map(|n| format!("      samples: {n}\n"))
            .unwrap_or_default(),
        a.minimum
    );
    let spec = train::emit::spec_text(&t.network, &name, train::emit::Weights::Csv(&name), &extra);
    // the written spec must build: the same spec with the weights inline
    let inline = train::emit::spec_text(&t.network, &name, train::emit::Weights::Inline, &extra);
    nmgen::characterize::design_from_yaml(&name, &inline)
        .context("the trained spec does not build")?;

    let report = report_text(&name, &data, &t, &settings, a);
    let mut files = vec![
        Artifact::new(format!("{name}.yaml"), spec),
        Artifact::new(format!("{name}_train.txt"), report.clone()),
        Artifact::new(
            format!("{name}_network.json"),
            serde_json::to_string_pretty(&t.network).unwrap_or_default() + "\n",
        ),
        Artifact::new(
            format!("{name}_model_confusion.svg"),
            t.model_test
                .to_svg(&format!("{name}: forward model, test split"))
                .map_err(|e| anyhow::anyhow!("confusion SVG: {e}"))?,
        ),
    ];
    for (file, text) in train::emit::layer_csvs(&t.network, &name) {
        files.push(Artifact::new(file, text));
    }
    print!("{report}");
    let written = nmgen::output::write_files(&a.out, &files)
        .with_context(|| format!("writing {}", a.out.display()))?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

fn report_text(
    name: &str,
    data: &nmgen::dataset::Dataset,
    t: &train::Trained,
    s: &TrainSettings,
    a: &TrainSfqArgs,
) -> String {
    let mut sizes = vec![data.feature_count().to_string()];
    sizes.extend(s.hidden.iter().map(|h| h.to_string()));
    sizes.push(data.classes.len().to_string());
    let synapses: usize = t
        .network
        .layers
        .iter()
        .flat_map(|l| l.currents.iter().flatten())
        .filter(|c| **c != 0.0)
        .count();
    let mut r = format!(
        "{name}: {} ({} samples, {} classes), split seed {} test fraction {}: {} train / {} test\n\
         network {} ({synapses} synapses), seed {}, {} epochs, window {:.0} ps, rate max {:.3} GHz\n",
        a.data.display(),
        data.len(),
        data.classes.len(),
        a.split_seed,
        a.test_fraction,
        t.split.train.len(),
        t.split.test.len(),
        sizes.join("→"),
        s.seed,
        s.epochs,
        s.code.window_ns() * 1e3,
        s.code.rate_max_ghz()
    );
    let _ = writeln!(
        r,
        "forward model:  train {:.1} %, test {}",
        100.0 * t.model_train_accuracy,
        t.model_test.summary()
    );
    let _ = writeln!(
        r,
        "float baseline: train {:.1} %, test {}",
        100.0 * t.baseline_train_accuracy,
        t.baseline_test.summary()
    );
    if let Some(acc) = t.pulse_train_accuracy {
        let _ = writeln!(
            r,
            "pulse level after {} fine-tuning epochs: train {:.1} %",
            s.finetune_epochs,
            100.0 * acc
        );
    }
    let _ = write!(r, "forward model, test split:\n{}", t.model_test.to_table());
    r
}
