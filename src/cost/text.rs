//! The cost report as a table a designer reads.

use std::fmt::Write as _;

use super::CostReport;

fn ua(a: f64) -> String {
    format!("{:.1}", a * 1e6)
}

fn aj(j: f64) -> String {
    format!("{:.2}", j * 1e18)
}

pub fn render(r: &CostReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}: cost at bias = {}", r.design, r.bias);
    let dynamic = r.inference.is_some();
    let _ = write!(
        s,
        "{:<12} {:<8} {:>9} {:>10} {:>12} {:>12}",
        "cell", "role", "instances", "junctions", "ΣIc (µA)", "ΣIb (µA)"
    );
    if dynamic {
        let _ = write!(s, " {:>10} {:>12}", "2π slips", "energy (aJ)");
    }
    s.push('\n');
    for k in &r.kinds {
        let _ = write!(
            s,
            "{:<12} {:<8} {:>9} {:>10} {:>12} {:>12}",
            k.cell,
            k.role,
            k.instances,
            k.junctions,
            ua(k.critical_current),
            ua(k.bias_current)
        );
        if dynamic {
            let _ = write!(
                s,
                " {:>10} {:>12}",
                k.switchings.unwrap_or(0),
                aj(k.switching_energy.unwrap_or(0.0))
            );
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "total: {} junctions, bias current ΣI_b = {} µA",
        r.junctions,
        ua(r.bias_current)
    );
    let _ = writeln!(
        s,
        "static power of resistive biasing: P = V_b·ΣI_b = {} mV × {} µA = {:.3} µW",
        r.bias_voltage * 1e3,
        ua(r.bias_current),
        r.static_power * 1e6
    );
    match &r.inference {
        None => {
            let _ = writeln!(
                s,
                "switching energy and latency: run `nmgen report SPEC --simulate`"
            );
        }
        Some(i) => {
            let _ = writeln!(
                s,
                "per inference ({} engine, one run of the stimulus, no thermal noise): {} junction switchings, switching energy Σ n·Ic·Φ0 = {} aJ",
                i.engine,
                i.switchings,
                aj(i.switching_energy)
            );
            match (i.first_input, i.last_output, i.latency) {
                (Some(a), Some(b), Some(l)) => {
                    let _ = writeln!(
                        s,
                        "latency: first input pulse {:.1} ps → last output pulse {:.1} ps = {:.1} ps",
                        a * 1e12,
                        b * 1e12,
                        l * 1e12
                    );
                }
                _ => {
                    let _ = writeln!(s, "latency: no input or no output pulse in the run");
                }
            }
        }
    }
    s
}
