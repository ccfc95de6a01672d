{% include "lsm/header.v" %}

// Column accumulators: sum the ADC codes of the row groups read during one time step.
// The @{ w.nn }@ accumulators are one vector updated in a loop (the simulation model stays
// small for wide arrays); column c is acc[c*@{ w.aw }@ +: @{ w.aw }@].
module lsm_accum (
    input  wire       clk,
    input  wire       clear,
    input  wire       en,
    input  wire [@{ w.nn * w.aout - 1 }@:0] code,
    output wire [@{ w.nn * w.aw - 1 }@:0] acc
);
    reg [@{ w.nn * w.aw - 1 }@:0] a;
    integer c;
    always @(posedge clk) begin
        if (clear) a <= @{ w.nn * w.aw }@'d0;
        else if (en) begin
            for (c = 0; c < @{ w.nn }@; c = c + 1)
                a[c*@{ w.aw }@ +: @{ w.aw }@] <= a[c*@{ w.aw }@ +: @{ w.aw }@] + @{ qext }@;
        end
    end
    assign acc = a;
endmodule
