//! The LU's column ordering on the largest reference netlists: AMD joins COLAMD
//! and nested dissection as a candidate above `AMD_FROM` unknowns and is kept
//! only where its factors are no fuller and no longer-chained than COLAMD's.

use std::path::Path;
use std::sync::Arc;

use nmgen::sim::solver::AMD_FROM;
use nmgen::sim::{simulate_with, FaerLu, OrderingChoice, SimOptions};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

/// The first 20 ps of a corpus netlist with `lu` (the ordering is chosen at the
/// first factorisation); `(ordering in use, unknowns, nnz(L+U), chain)`.
fn factorised(name: &str, mut lu: FaerLu) -> (Option<&'static str>, usize, usize, usize) {
    let circuit = nmgen::netlist::load(&Path::new(CASES).join(format!("{name}.cir")))
        .expect("corpus netlist loads");
    let options = SimOptions {
        stop: Some(Arc::new(|t: f64, _: &[f64]| t > 20e-12)),
        ..SimOptions::default()
    };
    simulate_with(&circuit, &options, &mut lu).expect("simulates");
    (lu.ordering_in_use(), lu.unknowns(), lu.lu_nnz(), lu.chain())
}

#[test]
fn amd_is_kept_where_it_is_sparser_and_shorter_chained_than_colamd() {
    let (chosen, n, nnz, chain) = factorised("ex_gen_pp_ipht", FaerLu::new());
    let (_, _, colamd_nnz, colamd_chain) = factorised(
        "ex_gen_pp_ipht",
        FaerLu::with_ordering(OrderingChoice::Colamd),
    );
    assert!(n > AMD_FROM);
    assert_eq!(chosen, Some("AMD"));
    assert!(
        nnz < colamd_nnz,
        "{nnz} entries against COLAMD's {colamd_nnz}"
    );
    assert!(
        chain < colamd_chain,
        "chain {chain} against COLAMD's {colamd_chain}"
    );
}

#[test]
fn nested_dissection_stays_where_its_chain_is_shortest() {
    let (chosen, n, _, chain) = factorised("ex_ksa4bit", FaerLu::new());
    let (_, _, _, colamd_chain) =
        factorised("ex_ksa4bit", FaerLu::with_ordering(OrderingChoice::Colamd));
    assert!(n > AMD_FROM);
    assert_eq!(chosen, Some("nested dissection"));
    assert!(chain < colamd_chain);
}

#[test]
fn small_circuits_keep_two_candidates() {
    let (chosen, n, _, _) = factorised("coldflux_tb_DFF", FaerLu::new());
    assert!(n <= AMD_FROM);
    assert!(
        matches!(chosen, Some("COLAMD" | "nested dissection")),
        "{chosen:?}"
    );
}
