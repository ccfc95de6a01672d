//! Datapath modules: input latch, word lines, crossbar, ADC, accumulators, LIF, counters,
//! readout.

use super::{fill, sext, Widths, HEADER};

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
            "    // The partial sums of these weights stay within the ADC rails: it cannot clip,\n    // so the saturation logic is left out ({}-bit codes pass through).\n    assign code = partial;\n",
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
