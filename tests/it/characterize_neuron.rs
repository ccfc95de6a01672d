//! The neuron with thermal noise: input pulses to fire fall with the threshold
//! current, the output rate rises with it.

use nmgen::analysis::Progress;
use nmgen::characterize::{characterize_neuron, NeuronPlan};
use nmgen::engine::Engine;

#[test]
fn fewer_pulses_to_fire_and_more_output_with_higher_threshold() {
    let plan = NeuronPlan {
        thresholds: vec![260e-6, 280e-6, 300e-6, 320e-6],
        rates: vec![20e9],
        window: 1e-9,
        seeds: vec![1, 2, 3],
        temperature: 4.2,
        fire_pulses: 10,
    };
    let report = characterize_neuron(&plan, &Engine::default(), Progress::Hidden).unwrap();
    assert_eq!(report.fire.len(), 4);
    let means: Vec<f64> = report
        .fire
        .iter()
        .map(|f| f.mean.expect("fires within 10 pulses from 260 µA"))
        .collect();
    for w in means.windows(2) {
        assert!(w[1] < w[0], "pulses to fire must fall with th: {means:?}");
    }
    // JoSIM (docs/neuro-design.md): ~8.5 pulses at 260 µA, 1 at 320 µA
    assert!(means[0] >= 6.0 && means[3] <= 2.0, "{means:?}");
    let outs: Vec<f64> = report.rates.iter().map(|r| r.out_mean).collect();
    assert_eq!(outs.len(), 4);
    for w in outs.windows(2) {
        assert!(w[1] > w[0], "output must rise with th: {outs:?}");
    }
    // below ~315 µA one input pulse gives at most one output pulse; at 320 µA the fire
    // junction is close to running on its own (spontaneous pulses, docs/neuro-design.md)
    for r in report.rates.iter().filter(|r| r.th_ua < 315.0) {
        assert!(r.out_max <= r.n_in, "{r:?}");
    }
    assert!(report.rates_csv().lines().count() == 5);
    assert!(report.rates_svg().unwrap().starts_with("<svg"));
    assert!(report.fire_svg().unwrap().starts_with("<svg"));
}
