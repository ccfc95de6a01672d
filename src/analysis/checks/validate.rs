//! Settings that parse but make no sense (negative windows, unknown outputs,
//! pulse 0, classes that cannot be compared) become located `SourceError`s.

use serde_saphyr::{Location, Spanned};

use super::{Check, Expected, NamedMap, StimulusSetting, Window};
use crate::diagnostic::{SourceError, SourceFile};

/// The names a check may refer to.
#[derive(Debug, Clone, Default)]
pub struct KnownNames {
    /// Observed outputs (as named in the spec).
    pub outputs: Vec<String>,
    /// Stimulus inputs; `None` accepts any stimulus name.
    pub inputs: Option<Vec<String>>,
    /// The simulation time step: a window must end within a run of at most
    /// `sim::max_steps()` such steps. `None`: not checked.
    pub tstep: Option<f64>,
}

/// A `SourceError` at a value's location in `file`.
pub(crate) fn error_at(file: &SourceFile, loc: &Location, message: String) -> SourceError {
    if loc.line() == 0 {
        return SourceError::file(&file.path, message);
    }
    let span = loc.span();
    match span.byte_offset() {
        Some(start) => {
            let start = start as usize;
            let len = span.byte_len().unwrap_or(1).max(1) as usize;
            let end = flow_end(&file.text, start).unwrap_or(start + len);
            file.error(start..end, message)
        }
        None => file.error_at(loc.line() as usize, loc.column() as usize, 1, message),
    }
}

/// The end of a flow collection (`[..]`, `{..}`) starting at `start`, on its line.
fn flow_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    let close = match rest.chars().next()? {
        '[' => ']',
        '{' => '}',
        _ => return None,
    };
    let open = rest.chars().next()?;
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        if c == '\n' {
            return None;
        }
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(start + i + 1);
            }
        }
    }
    None
}

struct Ctx<'a> {
    file: &'a SourceFile,
    known: &'a KnownNames,
    errors: Vec<SourceError>,
}

impl Ctx<'_> {
    fn err(&mut self, loc: &Location, message: String) {
        let e = error_at(self.file, loc, message);
        self.errors.push(e);
    }

    fn window(&mut self, w: &Spanned<Window>) {
        self.window_value(&w.referenced, &w.value);
    }

    fn window_value(&mut self, loc: &Location, w: &Window) {
        if !(w.start.0.is_finite() && w.end.0.is_finite()) {
            self.err(loc, "window bounds must be finite times".into());
        } else if w.start.0 < 0.0 {
            self.err(loc, format!("window {w} starts before t = 0"));
        } else if w.end.0 <= w.start.0 {
            self.err(
                loc,
                format!("window {w} is empty or negative: its end must come after its start"),
            );
        } else if let Some(why) = self
            .known
            .tstep
            .and_then(|h| crate::sim::too_many_steps(h, w.end.0))
        {
            self.err(
                loc,
                format!("window {w} ends beyond the longest run the simulator takes: {why}"),
            );
        }
    }

    fn output(&mut self, name: &Spanned<String>) {
        if !self.known.outputs.iter().any(|o| o == &name.value) {
            let list = self.known.outputs.join(", ");
            self.err(
                &name.referenced,
                format!("unknown output `{}` (outputs: {list})", name.value),
            );
        }
    }

    fn stimulus(&mut self, stimulus: &NamedMap<Spanned<StimulusSetting>>) {
        let Some(inputs) = &self.known.inputs else {
            return;
        };
        let inputs = inputs.clone();
        for (name, _) in &stimulus.0 {
            if !inputs.iter().any(|i| i == &name.value) {
                self.err(
                    &name.referenced,
                    format!(
                        "unknown input `{}` (inputs: {})",
                        name.value,
                        inputs.join(", ")
                    ),
                );
            }
        }
    }
}

impl Ctx<'_> {
    fn accuracy(&mut self, a: &super::Accuracy) {
        for o in &a.outputs.value {
            self.output(o);
        }
        if a.outputs.value.len() < 2 {
            self.err(
                &a.outputs.referenced,
                "an accuracy check needs one output per class (at least two)".into(),
            );
        }
        if let Some(inputs) = self.known.inputs.clone() {
            for i in &a.inputs.value {
                if !inputs.contains(&i.value) {
                    self.err(
                        &i.referenced,
                        format!(
                            "unknown input `{}` (inputs: {})",
                            i.value,
                            inputs.join(", ")
                        ),
                    );
                }
            }
        }
        self.window(&a.window);
        if !(a.rate.value.0 > 0.0 && a.rate.value.0.is_finite()) {
            self.err(
                &a.rate.referenced,
                "the rate must be greater than zero".into(),
            );
        }
        if !(0.0..=1.0).contains(&a.minimum.value.0) {
            self.err(
                &a.minimum.referenced,
                "the minimum accuracy is a fraction in [0, 1] (e.g. `90%`)".into(),
            );
        }
        if let Some(s) = &a.split {
            if !(s.value.test_fraction > 0.0 && s.value.test_fraction < 1.0) {
                self.err(
                    &s.referenced,
                    "test_fraction must be between 0 and 1".into(),
                );
            }
        }
        if let Some(n) = &a.samples {
            if n.value == 0 {
                self.err(&n.referenced, "at least one sample is needed".into());
            }
        }
        if let Some(s) = &a.scale {
            if s.value.min.len() != a.inputs.value.len()
                || s.value.max.len() != a.inputs.value.len()
            {
                self.err(
                    &s.referenced,
                    format!(
                        "scale needs `min` and `max` with one value per input ({})",
                        a.inputs.value.len()
                    ),
                );
            }
        }
    }
}

/// Checks every setting; all problems are returned, not just the first.
pub fn validate(
    checks: &[Check],
    file: &SourceFile,
    known: &KnownNames,
) -> Result<(), Vec<SourceError>> {
    let mut cx = Ctx {
        file,
        known,
        errors: Vec::new(),
    };
    for check in checks {
        match check {
            Check::TruthTable(t) => {
                if let Some(w) = &t.window {
                    cx.window(w);
                }
                if t.patterns.value.is_empty() {
                    cx.err(
                        &t.patterns.referenced,
                        "a truth table needs at least one pattern".into(),
                    );
                }
                for p in &t.patterns.value {
                    if let Some(w) = &p.value.window {
                        cx.window(w);
                    }
                    let has_window = p.value.window.is_some() || t.window.is_some();
                    cx.stimulus(&p.value.stimulus);
                    if p.value.expect.is_empty() {
                        cx.err(
                            &p.referenced,
                            "a pattern needs at least one expected output".into(),
                        );
                    }
                    for (name, expected) in &p.value.expect.0 {
                        cx.output(name);
                        match &expected.value {
                            Expected::Count(_) if !has_window => cx.err(
                                &expected.referenced,
                                format!(
                                    "no window for the count of `{}`: give the pattern or the table a `window`",
                                    name.value
                                ),
                            ),
                            Expected::Count(_) => {}
                            Expected::Windows(list) => {
                                if list.is_empty() {
                                    cx.err(&expected.referenced, "empty list of count windows".into());
                                }
                                for cw in list {
                                    cx.window_value(&expected.referenced, &cw.window);
                                }
                            }
                        }
                    }
                }
            }
            Check::Timing(t) => {
                cx.output(&t.output);
                if t.pulse.value == 0 {
                    cx.err(&t.pulse.referenced, "pulses are counted from 1".into());
                }
                if t.after.value.0 < 0.0 {
                    cx.err(
                        &t.after.referenced,
                        format!("`after` {} is before t = 0", t.after.value),
                    );
                }
                if t.before.value.0 <= t.after.value.0 {
                    cx.err(
                        &t.before.referenced,
                        format!(
                            "`before` {} must come after `after` {}",
                            t.before.value, t.after.value
                        ),
                    );
                }
            }
            Check::Accuracy(a) => cx.accuracy(a),
            Check::RateClasses(r) => {
                cx.output(&r.output);
                if let Some(w) = &r.window {
                    cx.window(w);
                }
                if !(r.margin.value.0 >= 0.0 && r.margin.value.0.is_finite()) {
                    cx.err(
                        &r.margin.referenced,
                        format!("margin {} must be a rate ≥ 0", r.margin.value),
                    );
                }
                let mut classes: Vec<&str> = Vec::new();
                for p in &r.patterns.value {
                    if let Some(w) = &p.value.window {
                        cx.window(w);
                    } else if r.window.is_none() {
                        cx.err(
                            &p.referenced,
                            "no window: give the pattern or the check a `window`".into(),
                        );
                    }
                    cx.stimulus(&p.value.stimulus);
                    if !classes.contains(&p.value.class.value.as_str()) {
                        classes.push(&p.value.class.value);
                    }
                }
                if classes.len() < 2 {
                    cx.err(
                        &r.patterns.referenced,
                        format!(
                            "rate classes need patterns of at least two classes (found {})",
                            classes.len()
                        ),
                    );
                }
            }
        }
    }
    if cx.errors.is_empty() {
        Ok(())
    } else {
        Err(cx.errors)
    }
}
