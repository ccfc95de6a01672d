//! The `accuracy` check: a rate-coded classifier scored over a labelled data set.
//!
//! ```yaml
//! - accuracy:
//!     name: iris test split
//!     data: ../data/iris.csv        # relative to the spec file
//!     split: { part: test, test_fraction: 0.3, seed: 1 }
//!     inputs: [x_0, x_1, x_2, x_3]  # one network input per feature, in column order
//!     outputs: [o_0_out, o_1_out, o_2_out]   # one per class, in label order
//!     rate: 14.286GHz               # rate of a feature at its maximum
//!     window: [50ps, 2050ps]        # the input trains' window
//!     scale: { min: [...], max: [...] }      # optional; default fitted on the train split
//!     samples: 45                   # optional: only the first N samples of the part
//!     minimum: 90%                  # the check fails below this accuracy
//! ```
//!
//! A sample's class is the output with the most pulses; a tie is wrong.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::Window;
use crate::analysis::units::Rate;
use crate::dataset::SplitPart;
use crate::spec::model::Fraction;

/// Which samples of the data set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    #[serde(default = "default_part")]
    pub part: SplitPart,
    #[serde(default = "default_fraction")]
    pub test_fraction: f64,
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_part() -> SplitPart {
    SplitPart::Test
}
fn default_fraction() -> f64 {
    0.3
}
fn default_seed() -> u64 {
    1
}

impl Default for SplitSpec {
    fn default() -> Self {
        SplitSpec {
            part: default_part(),
            test_fraction: default_fraction(),
            seed: default_seed(),
        }
    }
}

/// Per-feature min–max scaling written out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    pub min: Vec<f64>,
    pub max: Vec<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accuracy {
    #[serde(default)]
    pub name: Option<String>,
    pub data: Spanned<String>,
    #[serde(default)]
    pub split: Option<Spanned<SplitSpec>>,
    pub inputs: Spanned<Vec<Spanned<String>>>,
    pub outputs: Spanned<Vec<Spanned<String>>>,
    pub rate: Spanned<Rate>,
    pub window: Spanned<Window>,
    #[serde(default)]
    pub scale: Option<Spanned<ScaleSpec>>,
    #[serde(default)]
    pub samples: Option<Spanned<usize>>,
    pub minimum: Spanned<Fraction>,
}
