{% include "lsm/header.v" %}

// LIF array: v <= sat(leak(v)*(1 - s) + (acc << @{ w.f }@)), s <= v > @{ w.theta }@ (hard reset: a neuron
// that fired starts the next step from 0). Membranes are @{ w.vw }@-bit signed, @{ w.f }@ fractional bits.
module lsm_lif (
    input  wire       clk,
    input  wire       clear,
    input  wire       en,
    input  wire [@{ w.nn * w.aw - 1 }@:0] acc,
    input  wire [@{ w.niw - 1 }@:0] rb_index,
    output wire [@{ w.nn - 1 }@:0] spikes,
    output wire [@{ w.nn - 1 }@:0] fire,
    output wire [@{ w.vw - 1 }@:0] rb_membrane
);
    localparam [@{ w.vw - 1 }@:0] THETA = @{ w.vw }@'d@{ w.theta }@;
    wire [@{ w.vw - 1 }@:0] v_all [0:@{ w.nn - 1 }@];
    genvar n;
    generate
        for (n = 0; n < @{ w.nn }@; n = n + 1) begin : gen_neuron
            reg  [@{ w.vw - 1 }@:0] v;
            reg            s;
            wire [@{ w.aw - 1 }@:0] a;
            wire [@{ w.vw - 1 }@:0] leaked;
            wire [@{ w.vw - 1 }@:0] kept;
            wire [@{ w.sumw - 1 }@:0] sum;
            wire [@{ w.vw - 1 }@:0] vnext;
            wire in_range;
            wire above;
            assign a = acc[n*@{ w.aw }@ +: @{ w.aw }@];
            // leak: trunc(v * @{ leak_code }@ / 2^@{ leak_frac }@), rounded toward zero
            wire [@{ prod_w - 1 }@:0] vx;
            wire [@{ prod_w - 1 }@:0] prod;
            wire [@{ prod_w - 1 }@:0] biased;
            wire [@{ leak_frac - 1 }@:0] unused_prod_lo;
            wire unused_prod_hi;
            assign vx = @{ vx }@;
            assign prod = vx * @{ prod_w }@'d@{ leak_code }@;
            assign biased = prod + (prod[@{ prod_w - 1 }@] ? @{ prod_w }@'d@{ round }@ : @{ prod_w }@'d0);
            assign {unused_prod_hi, leaked, unused_prod_lo} = biased;
            assign kept = s ? @{ w.vw }@'d0 : leaked;
            assign sum = @{ kept_ext }@ + @{ acc_ext }@;
            assign in_range = (&sum[@{ w.sumw - 1 }@:@{ w.vw - 1 }@]) | ~(|sum[@{ w.sumw - 1 }@:@{ w.vw - 1 }@]);
            assign vnext = in_range ? sum[@{ w.vw - 1 }@:0]
                         : (sum[@{ w.sumw - 1 }@] ? {1'b1, @{ w.vw - 1 }@'d0} : {1'b0, {@{ w.vw - 1 }@{1'b1}}});
            assign above = $signed(vnext) > $signed(THETA);
            assign fire[n] = en & above;
            always @(posedge clk) begin
                if (clear) begin
                    v <= @{ w.vw }@'d0;
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
