//! The pulse level as a [`SampleLevel`]: each sample's design (its inputs carrying the
//! sample's rate-coded pulses) is lowered to a [`PulseNet`] with the measured cell
//! models and run through the event-driven simulator with the sample's seed.

use super::accuracy::{LevelError, SampleLevel};
use crate::pulse::{CellModels, PulseNet, Simulator};
use crate::spec::Design;

/// The pulse-level simulator with one set of cell models.
pub struct PulseLevel {
    pub models: CellModels,
}

impl SampleLevel for PulseLevel {
    fn describe(&self) -> String {
        format!(
            "pulse level, cell models measured at {} K",
            self.models.temperature_k
        )
    }

    /// The models were measured with thermal noise at their temperature, so the
    /// temperature is not an input here; the seed picks the random stream (synapse
    /// passes, neuron threshold noise, delay jitter), seed 0 without one.
    fn output_counts(
        &self,
        design: &Design,
        outputs: &[String],
        assignment: &[(String, f64)],
        _temperature: Option<f64>,
        seed: Option<u64>,
    ) -> Result<Vec<usize>, LevelError> {
        let net = PulseNet::from_design(design, &self.models, assignment)?;
        let outcome = Simulator::new(&net).run(seed.unwrap_or(0), design.technology.tstop);
        Ok(outputs
            .iter()
            .map(|o| outcome.pulses.get(o).map_or(0, <[f64]>::len))
            .collect())
    }
}
