//! Hardware-aware training of rate-coded SFQ networks on labelled data sets
//! (docs/training.md):
//!
//! - [`response`]: the forward model's cells: the synapse pass curves of the pulse-level
//!   cell models and the neuron's rate response measured at pulse level;
//! - [`encoding`]: rate coding of features into input pulse trains;
//! - [`network`]: the rate-level forward model and its gradient;
//! - [`sfq`]: training currents and thresholds on it; [`baseline`]: the float MLP;
//! - [`emit`]: the trained network as a spec and per-layer weight CSVs;
//! - [`confusion`]: accuracy, Wilson interval, confusion matrix (text, SVG).

pub mod adam;
pub mod baseline;
pub mod confusion;
pub mod emit;
pub mod encoding;
pub mod finetune;
pub mod network;
pub mod response;
pub mod sfq;

pub use confusion::{Confusion, DecisionRule};
pub use encoding::RateCode;
pub use network::{SfqLayer, SfqNetwork};
pub use response::ForwardModel;
pub use sfq::{train_sfq, TrainSettings};

use crate::dataset::{Dataset, Scaling, Split};

/// A trained network with the split it was trained on and its scores.
#[derive(Debug, Clone)]
pub struct Trained {
    pub network: SfqNetwork,
    pub split: Split,
    pub scaling: Scaling,
    /// Forward-model confusion on the test split.
    pub model_test: Confusion,
    pub model_train_accuracy: f64,
    /// Float baseline confusion on the test split.
    pub baseline_test: Confusion,
    pub baseline_train_accuracy: f64,
    /// Pulse-level accuracy on the train split (fixed seeds) after fine-tuning, if run.
    pub pulse_train_accuracy: Option<f64>,
}

/// Scaled samples `(features in [0, 1], label)` of some indices.
pub fn scaled(data: &Dataset, scaling: &Scaling, idx: &[usize]) -> Vec<(Vec<f64>, usize)> {
    idx.iter()
        .map(|&i| (scaling.apply(&data.features[i]), data.labels[i]))
        .collect()
}

/// Splits (stratified, `test_fraction`, `split_seed`), fits the scaling on the train
/// part, trains the SFQ network and the float baseline, and scores both.
pub fn train_on(
    data: &Dataset,
    models: &ForwardModel,
    settings: &TrainSettings,
    test_fraction: f64,
    split_seed: u64,
) -> Result<Trained, String> {
    let split = Split::stratified(data, test_fraction, split_seed);
    let scaling = Scaling::fit(data, &split.train);
    let train = scaled(data, &scaling, &split.train);
    let test = scaled(data, &scaling, &split.test);
    let mut network = train_sfq(models, settings, data.classes.len(), &train);
    let mut pulse_train_accuracy = None;
    if settings.finetune_epochs > 0 {
        let (tuned, acc) =
            finetune::finetune(&network, models, settings, &train, settings.finetune_epochs)?;
        network = tuned;
        pulse_train_accuracy = Some(acc);
    }
    let mut model_test = Confusion::new(data.classes.clone());
    for (x, y) in &test {
        model_test.add(*y, sfq::predict(&network, models, &settings.code, x));
    }
    let model_train_accuracy = sfq::model_accuracy(&network, models, &settings.code, &train);
    let mut sizes = vec![data.feature_count()];
    sizes.extend(&settings.hidden);
    sizes.push(data.classes.len());
    let mlp = baseline::train_mlp(
        &sizes,
        &train,
        settings.epochs,
        settings.batch,
        0.01,
        settings.seed,
    );
    let mut baseline_test = Confusion::new(data.classes.clone());
    for (x, y) in &test {
        baseline_test.add(*y, mlp.predict(x));
    }
    let right = train
        .iter()
        .filter(|(x, y)| mlp.predict(x) == Some(*y))
        .count();
    Ok(Trained {
        network,
        pulse_train_accuracy,
        split,
        scaling,
        model_test,
        model_train_accuracy,
        baseline_test,
        baseline_train_accuracy: right as f64 / train.len().max(1) as f64,
    })
}
