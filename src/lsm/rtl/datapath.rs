//! Datapath modules: input latch, word lines, crossbar, ADC, accumulators, LIF, counters,
//! readout.

use super::{fill, sext, zext, Widths, HEADER};
use crate::lsm::spec::Leak;

pub fn spike_in(w: &Widths) -> String {
    let t = r#"
// Input stage: latches one beat (this time step's input spikes) on the valid/ready handshake.
module lsm_spike_in (
    input  wire          clk,
    input  wire          rst,
    input  wire          accept,
    input  wire [@NI1@:0] in_spikes,
    input  wire          in_last,
    output reg  [@NI1@:0] x,
    output reg           last
);
    always @(posedge clk) begin
        if (rst) begin
            x <= @NI@'d0;
            last <= 1'b0;
        end else if (accept) begin
            x <= in_spikes;
            last <= in_last;
        end
    end
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[("NI", w.ni.to_string()), ("NI1", (w.ni - 1).to_string())],
        )
}

pub fn wordline(w: &Widths) -> String {
    let pad = w.ra - w.ni - w.nn;
    let active = if pad == 0 {
        "{s_prev, x}".to_string()
    } else {
        format!("{{{pad}'d0, s_prev, x}}")
    };
    let t = r#"
// Word-line drivers: the active rows are this step's input spikes (rows 0..@NI1@) and the
// previous step's reservoir spikes (rows @NI@..); only the active word lines of the
// selected row group (@K@ rows) are driven.
module lsm_wordline (
    input  wire [@NI1@:0] x,
    input  wire [@NN1@:0] s_prev,
    input  wire [@GW1@:0] group,
    output wire [@K1@:0] wl
);
    wire [@RA1@:0] active;
    wire [@K1@:0] rows [0:@G1@];
    assign active = @ACTIVE@;
    genvar g;
    generate
        for (g = 0; g < @G@; g = g + 1) begin : gen_group
            assign rows[g] = active[g*@K@ +: @K@];
        end
    endgenerate
    assign wl = rows[group];
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("NI1", (w.ni - 1).to_string()),
                ("NI", w.ni.to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("GW1", (w.gw - 1).to_string()),
                ("K1", (w.k - 1).to_string()),
                ("K", w.k.to_string()),
                ("RA1", (w.ra - 1).to_string()),
                ("G1", (w.g - 1).to_string()),
                ("G", w.g.to_string()),
                ("ACTIVE", active),
            ],
        )
}

pub fn crossbar(w: &Widths) -> String {
    let word = w.k * w.nn * w.lb;
    let t = r#"
// Resistive crossbar, read row-serially: one memory word holds the G+ (G-) level codes of
// one row group of @K@ word lines x @NN@ columns, @LB@ bits per device. Each column sums
// (G+ - G-) over the driven word lines of the group.
module lsm_crossbar (
    input  wire [@GW1@:0] group,
    input  wire [@K1@:0] wl,
    output wire [@PART1@:0] partial
);
    reg [@WORD1@:0] gpos [0:@G1@];
    reg [@WORD1@:0] gneg [0:@G1@];
    initial begin
        $readmemh("gpos.hex", gpos);
        $readmemh("gneg.hex", gneg);
    end
    wire [@WORD1@:0] pos_word;
    wire [@WORD1@:0] neg_word;
    assign pos_word = gpos[group];
    assign neg_word = gneg[group];
    // Loops (not generate blocks) keep the simulation model small for wide crossbars.
    reg [@PART1@:0] sums;
    reg [@PW1@:0] sum;
    integer c;
    integer j;
    always @* begin
        sums = @PART@'d0;
        for (c = 0; c < @NN@; c = c + 1) begin
            sum = @PW@'d0;
            for (j = 0; j < @K@; j = j + 1) begin
                if (wl[j]) begin
                    sum = sum + {@PAD@'d0, pos_word[(j*@NN@ + c)*@LB@ +: @LB@]}
                              - {@PAD@'d0, neg_word[(j*@NN@ + c)*@LB@ +: @LB@]};
                end
            end
            sums[c*@PW@ +: @PW@] = sum;
        end
    end
    assign partial = sums;
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("GW1", (w.gw - 1).to_string()),
                ("K1", (w.k - 1).to_string()),
                ("PART1", (w.nn * w.pw - 1).to_string()),
                ("PART", (w.nn * w.pw).to_string()),
                ("WORD1", (word - 1).to_string()),
                ("G1", (w.g - 1).to_string()),
                ("PW1", (w.pw - 1).to_string()),
                ("PW", w.pw.to_string()),
                ("PAD", (w.pw - w.lb).to_string()),
                ("NN", w.nn.to_string()),
                ("LB", w.lb.to_string()),
                ("K", w.k.to_string()),
            ],
        )
}

pub fn adc(w: &Widths) -> String {
    let body = if w.aout == w.pw {
        format!(
            "    // The {}-bit partial sums cannot exceed the ADC range: no clipping.\n    assign code = partial;\n",
            w.pw
        )
    } else {
        fill(
            r#"    genvar c;
    generate
        for (c = 0; c < @NN@; c = c + 1) begin : gen_col
            wire [@PW1@:0] p;
            wire in_range;
            assign p = partial[c*@PW@ +: @PW@];
            assign in_range = (&p[@PW1@:@A1@]) | ~(|p[@PW1@:@A1@]);
            assign code[c*@A@ +: @A@] = in_range ? p[@A1@:0]
                                      : (p[@PW1@] ? {1'b1, @A1@'d0} : {1'b0, {@A1@{1'b1}}});
        end
    endgenerate
"#,
            &[
                ("NN", w.nn.to_string()),
                ("PW1", (w.pw - 1).to_string()),
                ("PW", w.pw.to_string()),
                ("A1", (w.aout - 1).to_string()),
                ("A", w.aout.to_string()),
            ],
        )
    };
    format!(
        "{HEADER}
// Column ADCs: each signed partial sum is digitized to {} bits, saturating at the rails.
module lsm_adc (
    input  wire [{}:0] partial,
    output wire [{}:0] code
);
{body}endmodule
",
        w.aout,
        w.nn * w.pw - 1,
        w.nn * w.aout - 1
    )
}

pub fn accum(w: &Widths) -> String {
    let t = r#"
// Column accumulators: sum the ADC codes of the row groups read during one time step.
module lsm_accum (
    input  wire       clk,
    input  wire       clear,
    input  wire       en,
    input  wire [@CODE1@:0] code,
    output wire [@ACC1@:0] acc
);
    genvar c;
    generate
        for (c = 0; c < @NN@; c = c + 1) begin : gen_col
            reg  [@AW1@:0] a;
            wire [@A1@:0] q;
            assign q = code[c*@A@ +: @A@];
            always @(posedge clk) begin
                if (clear) a <= @AW@'d0;
                else if (en) a <= a + @QEXT@;
            end
            assign acc[c*@AW@ +: @AW@] = a;
        end
    endgenerate
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("CODE1", (w.nn * w.aout - 1).to_string()),
                ("ACC1", (w.nn * w.aw - 1).to_string()),
                ("NN", w.nn.to_string()),
                ("AW1", (w.aw - 1).to_string()),
                ("AW", w.aw.to_string()),
                ("A1", (w.aout - 1).to_string()),
                ("A", w.aout.to_string()),
                (
                    "QEXT",
                    sext(&format!("q[{}]", w.aout - 1), "q", w.aw - w.aout),
                ),
            ],
        )
}

fn leak_logic(w: &Widths) -> String {
    let vw = w.vw;
    match w.leak {
        Leak::Multiply {
            code, frac_bits, ..
        } => {
            let lf = frac_bits as usize;
            let prw = vw + lf + 1;
            format!(
                "            // leak: (v * {code}) >>> {lf}
            wire [{p1}:0] vx;
            wire [{p1}:0] prod;
            wire [{lf1}:0] unused_prod_lo;
            wire unused_prod_hi;
            assign vx = {vx};
            assign prod = vx * {prw}'d{code};
            assign {{unused_prod_hi, leaked, unused_prod_lo}} = prod;
",
                p1 = prw - 1,
                lf1 = lf - 1,
                vx = sext(&format!("v[{}]", vw - 1), "v", lf + 1),
            )
        }
        Leak::Shift { shift } => {
            let s = shift as usize;
            format!(
                "            // leak: v - (v >>> {s})
            wire [{v1}:0] vs;
            assign vs = {vs};
            assign leaked = v - vs;
",
                v1 = vw - 1,
                vs = sext(&format!("v[{}]", vw - 1), &format!("v[{}:{s}]", vw - 1), s),
            )
        }
    }
}

pub fn lif(w: &Widths) -> String {
    let acc_ext = if w.f == 0 {
        sext(&format!("a[{}]", w.aw - 1), "a", w.sumw - w.aw)
    } else {
        sext(
            &format!("a[{}]", w.aw - 1),
            &format!("{{a, {}'d0}}", w.f),
            w.sumw - w.aw - w.f,
        )
    };
    let t = r#"
// LIF array: v <= sat(leak(v)*(1 - s) + (acc << @F@)), s <= v > @THETA@ (hard reset: a neuron
// that fired starts the next step from 0). Membranes are @VW@-bit signed, @F@ fractional bits.
module lsm_lif (
    input  wire       clk,
    input  wire       clear,
    input  wire       en,
    input  wire [@ACC1@:0] acc,
    input  wire [@NIW1@:0] rb_index,
    output wire [@NN1@:0] spikes,
    output wire [@NN1@:0] fire,
    output wire [@VW1@:0] rb_membrane
);
    localparam [@VW1@:0] THETA = @VW@'d@THETA@;
    wire [@VW1@:0] v_all [0:@NN1@];
    genvar n;
    generate
        for (n = 0; n < @NN@; n = n + 1) begin : gen_neuron
            reg  [@VW1@:0] v;
            reg            s;
            wire [@AW1@:0] a;
            wire [@VW1@:0] leaked;
            wire [@VW1@:0] kept;
            wire [@SUM1@:0] sum;
            wire [@VW1@:0] vnext;
            wire in_range;
            wire above;
            assign a = acc[n*@AW@ +: @AW@];
@LEAK@            assign kept = s ? @VW@'d0 : leaked;
            assign sum = @KEXT@ + @AEXT@;
            assign in_range = (&sum[@SUM1@:@VW1@]) | ~(|sum[@SUM1@:@VW1@]);
            assign vnext = in_range ? sum[@VW1@:0]
                         : (sum[@SUM1@] ? {1'b1, @VW1@'d0} : {1'b0, {@VW1@{1'b1}}});
            assign above = $signed(vnext) > $signed(THETA);
            assign fire[n] = en & above;
            always @(posedge clk) begin
                if (clear) begin
                    v <= @VW@'d0;
                    s <= 1'b0;
                end else if (en) begin
                    v <= vnext;
                    s <= above;
                end
            end
            assign spikes[n] = s;
            assign v_all[n] = v;
        end
    endgenerate
    assign rb_membrane = v_all[rb_index];
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("LEAK", leak_logic(w)),
                (
                    "KEXT",
                    sext(&format!("kept[{}]", w.vw - 1), "kept", w.sumw - w.vw),
                ),
                ("AEXT", acc_ext),
                ("ACC1", (w.nn * w.aw - 1).to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("NN", w.nn.to_string()),
                ("VW1", (w.vw - 1).to_string()),
                ("VW", w.vw.to_string()),
                ("AW1", (w.aw - 1).to_string()),
                ("AW", w.aw.to_string()),
                ("SUM1", (w.sumw - 1).to_string()),
                ("THETA", w.theta.to_string()),
                ("F", w.f.to_string()),
            ],
        )
}

pub fn counter(w: &Widths) -> String {
    let t = r#"
// Spike counters, one per neuron, saturating at @MAX@.
module lsm_counter (
    input  wire       clk,
    input  wire       clear,
    input  wire [@NN1@:0] fire,
    input  wire [@NIW1@:0] rb_index,
    output wire [@CW1@:0] rb_count
);
    wire [@CW1@:0] c_all [0:@NN1@];
    genvar n;
    generate
        for (n = 0; n < @NN@; n = n + 1) begin : gen_neuron
            reg [@CW1@:0] cnt;
            always @(posedge clk) begin
                if (clear) cnt <= @CW@'d0;
                else if (fire[n] && cnt != @CW@'d@MAX@) cnt <= cnt + @CW@'d1;
            end
            assign c_all[n] = cnt;
        end
    endgenerate
    assign rb_count = c_all[rb_index];
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("NN1", (w.nn - 1).to_string()),
                ("NN", w.nn.to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("CW1", (w.cw - 1).to_string()),
                ("CW", w.cw.to_string()),
                ("MAX", ((1u64 << w.cw) - 1).to_string()),
            ],
        )
}

pub fn readout(w: &Widths) -> String {
    let t = r#"
// Readout: score[c] = bias[c] + sum_n w[c][n] * count[n] (int8 weights, int32 scores),
// accumulated one neuron per cycle for all @NC@ classes, then a sequential argmax
// (first maximum wins).
module lsm_readout (
    input  wire       clk,
    input  wire       rst,
    input  wire       mac_en,
    input  wire       arg_en,
    input  wire [@NIW1@:0] index,
    input  wire [@CW1@:0] count,
    input  wire [@CLW1@:0] cls,
    output reg  [@CLW1@:0] class_id,
    output reg  [31:0] class_score
);
    reg [@WROW1@:0] wmem [0:@NN1@];
    reg [31:0] bmem [0:@NC1@];
    initial begin
        $readmemh("readout_w.hex", wmem);
        $readmemh("readout_b.hex", bmem);
    end
    wire [@WROW1@:0] wrow;
    wire [31:0] score_all [0:@NC1@];
    wire [31:0] cand;
    assign wrow = wmem[index];
    genvar c;
    generate
        for (c = 0; c < @NC@; c = c + 1) begin : gen_class
            reg  [31:0] score;
            wire [7:0] wc;
            wire [31:0] prod;
            wire [31:0] base;
            assign wc = wrow[c*8 +: 8];
            assign prod = {{24{wc[7]}}, wc} * @CEXT@;
            assign base = (index == @NIW@'d0) ? bmem[c] : score;
            always @(posedge clk) begin
                if (mac_en) score <= base + prod;
            end
            assign score_all[c] = score;
        end
    endgenerate
    assign cand = score_all[cls];
    always @(posedge clk) begin
        if (rst) begin
            class_id <= @CLW@'d0;
            class_score <= 32'd0;
        end else if (arg_en && (cls == @CLW@'d0 || $signed(cand) > $signed(class_score))) begin
            class_id <= cls;
            class_score <= cand;
        end
    end
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("NIW1", (w.niw - 1).to_string()),
                ("NIW", w.niw.to_string()),
                ("CW1", (w.cw - 1).to_string()),
                ("CLW1", (w.clw - 1).to_string()),
                ("CLW", w.clw.to_string()),
                ("WROW1", (w.nc * 8 - 1).to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("NC1", (w.nc - 1).to_string()),
                ("NC", w.nc.to_string()),
                ("CEXT", zext("count", 32 - w.cw)),
            ],
        )
}
