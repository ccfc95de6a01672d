//! The self-checking testbench and its stimulus / expectation files.
//!
//! The testbench reads `stim.hex` (one beat per line: `{last, spikes}`) and the expected
//! outputs computed by the bit-accurate model (`exp_raster.hex`, `exp_membrane.hex`,
//! `exp_count.hex`, `exp_class.hex`), drives the beats with pseudo-random stalls on the
//! valid/ready handshake, checks every output and prints `LSM_TB PASS` or `LSM_TB FAIL`
//! (then `$stop`). Plusargs: `+beats=<n> +samples=<n>`. It dumps `lsm.vcd`.

use super::{fill, Widths, HEADER};
use crate::lsm::events::SpikeTrain;
use crate::lsm::model::Raster;
use crate::lsm::spec::LsmDesign;
use crate::lsm::weights::push_hex;

/// Capacity of the testbench memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TbLimits {
    pub max_samples: usize,
    pub max_beats: usize,
}

impl TbLimits {
    pub fn of(d: &LsmDesign) -> TbLimits {
        let max_samples = 64;
        TbLimits {
            max_samples,
            max_beats: max_samples * d.time_steps,
        }
    }
}

pub fn testbench(d: &LsmDesign) -> String {
    let w = Widths::of(d);
    let lim = TbLimits::of(d);
    let ro = w.nc > 0;
    let t = r#"
// Self-checking testbench: drives the beats of stim.hex with random stalls and compares
// every output with the bit-accurate model's expectations.
module lsm_tb;
    reg clk = 1'b0;
    reg rst = 1'b1;
    reg in_valid = 1'b0;
    reg [@NI1@:0] in_spikes = @NI@'d0;
    reg in_last = 1'b0;
    wire in_ready;
    wire out_valid;
    wire [@NN1@:0] out_spikes;
    wire [15:0] out_step;
    wire rb_valid;
    wire [@NIW1@:0] rb_index;
    wire [@VW1@:0] rb_membrane;
    wire [@CW1@:0] rb_count;
@RO_WIRES@    wire sample_done;

    reg [@NI@:0] stim [0:@MAXB1@];
    reg [@NN1@:0] exp_raster [0:@MAXB1@];
    reg [@VW1@:0] exp_membrane [0:@MAXM1@];
    reg [@CW1@:0] exp_count [0:@MAXM1@];
    integer beats;
    integer samples;
    integer bi;
    integer oi;
    integer ri;
    integer si;
    integer errors;
    integer cycles;
    reg fired;
    reg [15:0] lfsr;

    lsm_top dut (
        .clk(clk),
        .rst(rst),
        .in_valid(in_valid),
        .in_ready(in_ready),
        .in_spikes(in_spikes),
        .in_last(in_last),
        .out_valid(out_valid),
        .out_spikes(out_spikes),
        .out_step(out_step),
        .rb_valid(rb_valid),
        .rb_index(rb_index),
        .rb_membrane(rb_membrane),
        .rb_count(rb_count),
@RO_PINS@        .sample_done(sample_done)
    );

    always #5 clk = ~clk;

    initial begin
        if (!$value$plusargs("beats=%d", beats)) beats = 0;
        if (!$value$plusargs("samples=%d", samples)) samples = 0;
        $readmemh("stim.hex", stim);
        $readmemh("exp_raster.hex", exp_raster);
        $readmemh("exp_membrane.hex", exp_membrane);
        $readmemh("exp_count.hex", exp_count);
@RO_READ@        $dumpfile("lsm.vcd");
        $dumpvars(0, lsm_tb);
        bi = 0;
        oi = 0;
        ri = 0;
        si = 0;
        errors = 0;
        cycles = 0;
        fired = 1'b0;
        lfsr = 16'hACE1;
        repeat (3) @(posedge clk);
        rst = 1'b0;
    end

    // Handshake bookkeeping on the rising edge.
    always @(posedge clk) begin
        fired <= in_valid & in_ready;
        if (in_valid & in_ready) bi <= bi + 1;
        cycles <= cycles + 1;
        if (cycles > @TIMEOUT@) begin
            $display("LSM_TB FAIL timeout after %0d cycles (beat %0d of %0d)", cycles, bi, beats);
            $stop;
        end
    end

    // Drive beats on the falling edge; valid is held until accepted, stalls are random.
    always @(negedge clk) begin
        if (!rst && (!in_valid || fired)) begin
            lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
            if (bi < beats && lfsr[1:0] != 2'b00) begin
                in_valid <= 1'b1;
                in_spikes <= stim[bi][@NI1@:0];
                in_last <= stim[bi][@NI@];
            end else begin
                in_valid <= 1'b0;
            end
        end
    end

    // Check outputs.
    always @(posedge clk) begin
        if (!rst) begin
            if (out_valid) begin
                if (out_spikes !== exp_raster[oi]) begin
                    errors = errors + 1;
                    $display("MISMATCH spikes beat %0d: got %h expected %h", oi, out_spikes, exp_raster[oi]);
                end
                oi = oi + 1;
            end
            if (rb_valid) begin
                if (rb_membrane !== exp_membrane[ri] || rb_count !== exp_count[ri]) begin
                    errors = errors + 1;
                    $display("MISMATCH sample %0d neuron %0d: membrane %0d expected %0d, count %0d expected %0d",
                             si, rb_index, $signed(rb_membrane), $signed(exp_membrane[ri]), rb_count, exp_count[ri]);
                end
                ri = ri + 1;
            end
@RO_CHECK@            if (sample_done) begin
                si = si + 1;
                if (si == samples) begin
                    if (errors == 0 && oi == beats) begin
                        $display("LSM_TB PASS beats=%0d samples=%0d cycles=%0d", oi, si, cycles);
                        $finish;
                    end else begin
                        $display("LSM_TB FAIL errors=%0d beats=%0d of %0d", errors, oi, beats);
                        $stop;
                    end
                end
            end
        end
    end
endmodule
"#;
    let ro_wires = if ro {
        format!(
            "    wire class_valid;\n    wire [{}:0] class_id;\n    wire [31:0] class_score;\n    reg [{}:0] exp_class [0:{}];\n",
            w.clw - 1,
            w.clw - 1,
            lim.max_samples - 1
        )
    } else {
        String::new()
    };
    let ro_pins = if ro {
        "        .class_valid(class_valid),\n        .class_id(class_id),\n        .class_score(class_score),\n"
    } else {
        ""
    };
    let ro_read = if ro {
        "        $readmemh(\"exp_class.hex\", exp_class);\n"
    } else {
        ""
    };
    let ro_check = if ro {
        r#"            if (class_valid) begin
                if (class_id !== exp_class[si]) begin
                    errors = errors + 1;
                    $display("MISMATCH sample %0d class %0d expected %0d (score %0d)", si, class_id, exp_class[si], $signed(class_score));
                end
            end
"#
    } else {
        ""
    };
    let cycles_per_beat = w.g + 8;
    let timeout =
        lim.max_beats * cycles_per_beat * 2 + lim.max_samples * (2 * w.nn + w.nc + 8) + 100;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("RO_WIRES", ro_wires),
                ("RO_PINS", ro_pins.to_string()),
                ("RO_READ", ro_read.to_string()),
                ("RO_CHECK", ro_check.to_string()),
                ("TIMEOUT", timeout.to_string()),
                ("NI1", (w.ni - 1).to_string()),
                ("NI", w.ni.to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("VW1", (w.vw - 1).to_string()),
                ("CW1", (w.cw - 1).to_string()),
                ("MAXB1", (lim.max_beats - 1).to_string()),
                ("MAXM1", (lim.max_samples * w.nn - 1).to_string()),
                ("MAXS1", (lim.max_samples - 1).to_string()),
            ],
        )
}

fn hex_bits(out: &mut String, bits: impl IntoIterator<Item = bool>) {
    let b: Vec<bool> = bits.into_iter().collect();
    push_hex(out, &b);
    out.push('\n');
}

fn hex_int(out: &mut String, v: i64, width: usize) {
    hex_bits(out, (0..width).map(|b| (v >> b) & 1 == 1));
}

/// Stimulus and expectation files for the testbench: `(file name, bytes)`.
pub fn expect_files(
    d: &LsmDesign,
    trains: &[SpikeTrain],
    rasters: &[Raster],
    classes: &[usize],
) -> Vec<(String, Vec<u8>)> {
    let w = Widths::of(d);
    let (mut stim, mut raster, mut mem, mut cnt, mut cls) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    for (train, r) in trains.iter().zip(rasters) {
        let n = train.steps.len();
        for (t, x) in train.steps.iter().enumerate() {
            hex_bits(&mut stim, x.iter().copied().chain([t + 1 == n]));
            hex_bits(&mut raster, r.spikes[t].iter().copied());
        }
        for (v, c) in r.final_membrane().iter().zip(&r.counts) {
            hex_int(&mut mem, *v, w.vw);
            hex_int(&mut cnt, *c as i64, w.cw);
        }
    }
    for &c in classes {
        hex_int(&mut cls, c as i64, w.clw);
    }
    let mut files = vec![
        ("stim.hex".to_string(), stim.into_bytes()),
        ("exp_raster.hex".to_string(), raster.into_bytes()),
        ("exp_membrane.hex".to_string(), mem.into_bytes()),
        ("exp_count.hex".to_string(), cnt.into_bytes()),
    ];
    if w.nc > 0 {
        files.push(("exp_class.hex".to_string(), cls.into_bytes()));
    }
    files
}
