{% include "lsm/header.v" %}

// LIF array: v <= sat(leak(v)*(1 - s) + (acc << @{ w.f }@)), s <= v > @{ w.theta }@ (hard reset: a neuron
// that fired starts the next step from 0). Membranes are @{ w.vw }@-bit signed, @{ w.f }@ fractional bits.
// The @{ w.nn }@ membranes are one vector (neuron n: v[n*@{ w.vw }@ +: @{ w.vw }@]), the next state is
// computed in a loop: the simulation model stays small for wide arrays.
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
    reg [@{ w.nn * w.vw - 1 }@:0] v;
    reg [@{ w.nn - 1 }@:0] s;
    reg [@{ w.nn * w.vw - 1 }@:0] vnext;
    reg [@{ w.nn - 1 }@:0] above;
    reg [@{ w.aw - 1 }@:0] a;
    reg [@{ prod_w - 1 }@:0] prod;
    reg [@{ w.vw - 1 }@:0] kept;
    reg [@{ w.sumw - 1 }@:0] sum;
    reg [@{ w.vw - 1 }@:0] vn;
    integer n;
    // The next state matters only while en is high (once per time step); otherwise it
    // holds, so the simulation does not recompute it on every cycle of the step.
    always @* begin
        vnext = v;
        above = @{ w.nn }@'d0;
        a = @{ w.aw }@'d0;
        prod = @{ prod_w }@'d0;
        kept = @{ w.vw }@'d0;
        sum = @{ w.sumw }@'d0;
        vn = @{ w.vw }@'d0;
        if (en) for (n = 0; n < @{ w.nn }@; n = n + 1) begin
            a = acc[n*@{ w.aw }@ +: @{ w.aw }@];
            // leak: trunc(v * @{ leak_code }@ / 2^@{ leak_frac }@), rounded toward zero
            prod = @{ vx }@ * @{ prod_w }@'d@{ leak_code }@;
            prod = prod + (prod[@{ prod_w - 1 }@] ? @{ prod_w }@'d@{ round }@ : @{ prod_w }@'d0);
            kept = s[n] ? @{ w.vw }@'d0 : prod[@{ prod_w - 2 }@:@{ leak_frac }@];
            sum = @{ kept_ext }@ + @{ acc_ext }@;
            vn = ((&sum[@{ w.sumw - 1 }@:@{ w.vw - 1 }@]) | ~(|sum[@{ w.sumw - 1 }@:@{ w.vw - 1 }@])) ? sum[@{ w.vw - 1 }@:0]
                 : (sum[@{ w.sumw - 1 }@] ? {1'b1, @{ w.vw - 1 }@'d0} : {1'b0, {@{ w.vw - 1 }@{1'b1}}});
            vnext[n*@{ w.vw }@ +: @{ w.vw }@] = vn;
            above[n] = $signed(vn) > $signed(THETA);
        end
    end
    always @(posedge clk) begin
        if (clear) begin
            v <= @{ w.nn * w.vw }@'d0;
            s <= @{ w.nn }@'d0;
        end else if (en) begin
            v <= vnext;
            s <= above;
        end
    end
    assign fire = en ? above : @{ w.nn }@'d0;
    assign spikes = s;
    assign rb_membrane = v[rb_index*@{ w.vw }@ +: @{ w.vw }@];
endmodule
