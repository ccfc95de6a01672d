{% include "lsm/header.v" %}

// Column accumulators: sum the ADC codes of the row groups read during one time step.
module lsm_accum (
    input  wire       clk,
    input  wire       clear,
    input  wire       en,
    input  wire [@{ w.nn * w.aout - 1 }@:0] code,
    output wire [@{ w.nn * w.aw - 1 }@:0] acc
);
    genvar c;
    generate
        for (c = 0; c < @{ w.nn }@; c = c + 1) begin : gen_col
            reg  [@{ w.aw - 1 }@:0] a;
            wire [@{ w.aout - 1 }@:0] q;
            assign q = code[c*@{ w.aout }@ +: @{ w.aout }@];
            always @(posedge clk) begin
                if (clear) a <= @{ w.aw }@'d0;
                else if (en) a <= a + @{ qext }@;
            end
            assign acc[c*@{ w.aw }@ +: @{ w.aw }@] = a;
        end
    endgenerate
endmodule
