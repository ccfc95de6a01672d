//! nmgen's integration tests, one binary: one module per area (`cargo test --test it
//! MODULE::` runs one area, e.g. `cargo test --test it pulse_levels::`), with the helpers
//! they share in [`util`].

mod util;

mod analysis_checks;
mod analysis_margins;
mod analysis_montecarlo;
mod analysis_plots;
mod analysis_slips;
mod analysis_stimulus;
mod analysis_sweep;
mod build_examples;
mod cells_bench;
mod characterize_neuron;
mod characterize_synapse;
mod characterize_weights;
mod cli_kinds;
mod cost_report;
mod junit_ci_files;
mod junit_report;
mod lsm_digits;
mod lsm_events;
mod lsm_fixed_point;
mod lsm_labels;
mod lsm_mlp;
mod lsm_model;
mod lsm_readout;
mod lsm_spec;
mod lsm_verilator;
mod netlist_broken;
mod netlist_corpus;
mod netlist_expr;
mod netlist_features;
mod passes;
mod pulse_cli;
mod pulse_levels;
mod pulse_models;
mod pulse_sim;
mod robustness;
mod sim_josim_reference;
mod sim_noise_switching;
mod sim_synapse_noise;
mod sim_voltage_mode;
mod slurm_cluster;
mod slurm_script;
mod spec_constructs;
mod spec_deep_example;
mod spec_errors;
mod spec_xor_equivalence;
mod train_dataset;
mod train_iris_circuit;
mod train_sfq;
mod vcd_sfq;
mod verify_cli;
mod xor_classification;
