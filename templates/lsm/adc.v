{% include "lsm/header.v" %}

// Column ADCs: each signed partial sum is digitized to @{ w.aout }@ bits, saturating at the rails.
module lsm_adc (
    input  wire [@{ w.nn * w.pw - 1 }@:0] partial,
    output wire [@{ w.nn * w.aout - 1 }@:0] code
);
{%- if w.aout == w.pw %}
    // The partial sums of these weights stay within the ADC rails: it cannot clip,
    // so the saturation logic is left out (@{ w.pw }@-bit codes pass through).
    assign code = partial;
{%- else %}
    genvar c;
    generate
        for (c = 0; c < @{ w.nn }@; c = c + 1) begin : gen_col
            wire [@{ w.pw - 1 }@:0] p;
            wire in_range;
            assign p = partial[c*@{ w.pw }@ +: @{ w.pw }@];
            assign in_range = (&p[@{ w.pw - 1 }@:@{ w.aout - 1 }@]) | ~(|p[@{ w.pw - 1 }@:@{ w.aout - 1 }@]);
            assign code[c*@{ w.aout }@ +: @{ w.aout }@] = in_range ? p[@{ w.aout - 1 }@:0]
                                      : (p[@{ w.pw - 1 }@] ? {1'b1, @{ w.aout - 1 }@'d0} : {1'b0, {@{ w.aout - 1 }@{1'b1}}});
        end
    endgenerate
{%- endif %}
endmodule
