//! What a shard journal was computed from: nmgen's version and a SHA-256 over the
//! sweep plan and every input and setting that decides an item's result (the spec's
//! text, the engine and its options). A journal whose stamp differs from the run
//! resuming or collecting it is refused: its points belong to another circuit.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SweepPlan;

/// nmgen's version and the hash of a sweep's plan, inputs and settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The nmgen version that wrote the journal.
    pub nmgen: String,
    /// SHA-256 (hex) of the version, the plan and the labelled inputs.
    pub sha256: String,
}

impl Stamp {
    /// The stamp of `plan` computed by this nmgen from `inputs`: `(label, bytes)`
    /// pairs such as `("spec", spec file)` and `("engine", "builtin phase")`.
    pub fn new(plan: &SweepPlan, inputs: &[(&str, &[u8])]) -> Stamp {
        let mut h = Sha256::new();
        let version = env!("CARGO_PKG_VERSION");
        let field = |h: &mut Sha256, label: &str, bytes: &[u8]| {
            h.update((label.len() as u64).to_le_bytes());
            h.update(label.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(&mut h, "nmgen", version.as_bytes());
        let plan_json = serde_json::to_vec(plan).unwrap_or_default();
        field(&mut h, "plan", &plan_json);
        for (label, bytes) in inputs {
            field(&mut h, label, bytes);
        }
        Stamp {
            nmgen: version.to_string(),
            sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// The stamp of a plan alone (library callers without a spec file).
    pub fn of_plan(plan: &SweepPlan) -> Stamp {
        Stamp::new(plan, &[])
    }

    /// The first 12 hex digits, for messages.
    pub fn short(&self) -> &str {
        &self.sha256[..self.sha256.len().min(12)]
    }

    /// Why a journal stamped `self` cannot be used by a run stamped `run`.
    pub fn mismatch(&self, run: &Stamp) -> Option<String> {
        if self == run {
            return None;
        }
        let why = if self.nmgen != run.nmgen {
            format!(
                "it was written by nmgen {}, this is nmgen {}",
                self.nmgen, run.nmgen
            )
        } else {
            format!(
                "it was computed from another spec or other settings (stamp {}, this run {})",
                self.short(),
                run.short()
            )
        };
        Some(why)
    }
}
