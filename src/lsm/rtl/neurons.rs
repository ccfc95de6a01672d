//! Neuron-side modules: LIF array, spike counters, readout.

use super::{fill, sext, zext, Widths, HEADER};

fn leak_logic(w: &Widths) -> String {
    let vw = w.vw;
    let (code, lf) = w.leak.multiplier();
    let lf = lf as usize;
    let prw = vw + lf + 1;
    format!(
        "            // leak: trunc(v * {code} / 2^{lf}), rounded toward zero
            wire [{p1}:0] vx;
            wire [{p1}:0] prod;
            wire [{p1}:0] biased;
            wire [{lf1}:0] unused_prod_lo;
            wire unused_prod_hi;
            assign vx = {vx};
            assign prod = vx * {prw}'d{code};
            assign biased = prod + (prod[{p1}] ? {prw}'d{round} : {prw}'d0);
            assign {{unused_prod_hi, leaked, unused_prod_lo}} = biased;
",
        p1 = prw - 1,
        lf1 = lf - 1,
        round = (1u64 << lf) - 1,
        vx = sext(&format!("v[{}]", vw - 1), "v", lf + 1),
    )
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
    let (nc, mu, nb) = (w.nc, w.mu, w.nb);
    // One memory word holds every class's weight of one neuron; it is viewed as `nb`
    // blocks of `mu` classes (the last block padded with zero weights).
    let pad = nb * mu * 8 - nc * 8;
    let wpad = if pad == 0 {
        "wrow".to_string()
    } else {
        format!("{{{pad}'d0, wrow}}")
    };
    let mut units = String::new();
    for p in 0..mu {
        units.push_str(&format!(
            "    assign wsel[{p}] = wblk[{p}*8 +: 8];
    assign prod[{p}] = {{{{24{{wsel[{p}][7]}}}}, wsel[{p}]}} * {cext};
",
            cext = zext("count", 32 - w.cw)
        ));
    }
    let mut classes = String::new();
    for c in 0..nc {
        let (b, p) = (c / mu, c % mu);
        let sel = if nb == 1 {
            String::new()
        } else {
            format!(" && blk == {}'d{b}", w.bw)
        };
        classes.push_str(&format!(
            "    reg  [31:0] score_{c};
    always @(posedge clk) begin
        if (mac_en{sel}) score_{c} <= (index == {niw}'d0 ? bmem[{c}] : score_{c}) + prod[{p}];
    end
    assign score_all[{c}] = score_{c};
",
            niw = w.niw
        ));
    }
    let blk_port = if nb == 1 {
        String::new()
    } else {
        format!("    input  wire [{}:0] blk,\n", w.bw - 1)
    };
    let blocks = if nb == 1 {
        "    assign wblk = wpad;\n".to_string()
    } else {
        format!(
            "    wire [{wb1}:0] wblocks [0:{nb1}];
    genvar b;
    generate
        for (b = 0; b < {nb}; b = b + 1) begin : gen_block
            assign wblocks[b] = wpad[b*{wb} +: {wb}];
        end
    endgenerate
    assign wblk = wblocks[blk];
",
            wb = mu * 8,
            wb1 = mu * 8 - 1,
            nb1 = nb - 1
        )
    };
    let t = r#"
// Readout: score[c] = bias[c] + sum_n w[c][n] * count[n] (int8 weights, int32 scores) on
// @MU@ multiply-accumulate units: the @NC@ classes are scored @MU@ at a time (@NB@ block(s)),
// one neuron per cycle, then a sequential argmax (first maximum wins).
module lsm_readout (
    input  wire       clk,
    input  wire       rst,
    input  wire       mac_en,
    input  wire       arg_en,
@BLK_PORT@    input  wire [@NIW1@:0] index,
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
    wire [@WPAD1@:0] wpad;
    wire [@WB1@:0] wblk;
    wire [7:0] wsel [0:@MU1@];
    wire [31:0] prod [0:@MU1@];
    wire [31:0] score_all [0:@NC1@];
    wire [31:0] cand;
    assign wrow = wmem[index];
    assign wpad = @WPAD@;
@BLOCKS@@UNITS@@CLASSES@    assign cand = score_all[cls];
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
                ("BLK_PORT", blk_port),
                ("BLOCKS", blocks),
                ("UNITS", units),
                ("CLASSES", classes),
                ("WPAD1", (nb * mu * 8 - 1).to_string()),
                ("WPAD", wpad),
                ("WB1", (mu * 8 - 1).to_string()),
                ("MU1", (mu - 1).to_string()),
                ("MU", mu.to_string()),
                ("NB", nb.to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("CW1", (w.cw - 1).to_string()),
                ("CLW1", (w.clw - 1).to_string()),
                ("CLW", w.clw.to_string()),
                ("WROW1", (w.nc * 8 - 1).to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("NC1", (w.nc - 1).to_string()),
                ("NC", w.nc.to_string()),
            ],
        )
}
