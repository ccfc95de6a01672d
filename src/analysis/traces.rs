//! Waveforms: one time vector and named columns, as JoSIM prints them.

/// One named waveform column (`P(B1|XDUT)`, `V(3,0)`, `I(L1)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header as written, quotes removed (`P(B1|XDUT)`).
    pub name: String,
    /// One value per time point (SI units; phases in radians).
    pub values: Vec<f64>,
}

/// A set of waveforms sampled at common time points (seconds, ascending).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Traces {
    pub time: Vec<f64>,
    pub columns: Vec<Column>,
}

/// A column name in the form used for matching: quotes and spaces removed,
/// `.` and `|` treated alike, upper case (so `p(B1.XDUT)` finds `P(B1|XDUT)`).
pub fn normalize_column_name(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '.' {
                '|'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

impl Traces {
    /// The values of the column whose name matches `name` (see [`normalize_column_name`]).
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let wanted = normalize_column_name(name);
        self.columns
            .iter()
            .find(|c| normalize_column_name(&c.name) == wanted)
            .map(|c| c.values.as_slice())
    }

    /// Column names in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The phase columns (`P(...)`), in file order.
    pub fn phase_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .filter(|c| normalize_column_name(&c.name).starts_with("P("))
    }

    /// Number of time points.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}
