//! Operating margins, josim-tools / PSCAN2 style: for each parameter, the lowest
//! and highest multiplier at which every check still passes, each searched on
//! its own; the critical margin is the narrowest of them.

mod chart;
mod report;
mod search;

pub use report::{CriticalMargin, MarginReport, ParameterMargin};
pub use search::{search_bound, BoundStatus, Direction, MarginBound, MarginSearch, MIN_RESOLUTION};
