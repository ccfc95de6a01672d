{% include "lsm/header.v" %}

// Spike counters, one per neuron, saturating at @{ max }@.
module lsm_counter (
    input  wire       clk,
    input  wire       clear,
    input  wire [@{ w.nn - 1 }@:0] fire,
    input  wire [@{ w.niw - 1 }@:0] rb_index,
    output wire [@{ w.cw - 1 }@:0] rb_count
);
    wire [@{ w.cw - 1 }@:0] c_all [0:@{ w.nn - 1 }@];
    genvar n;
    generate
        for (n = 0; n < @{ w.nn }@; n = n + 1) begin : gen_neuron
            reg [@{ w.cw - 1 }@:0] cnt;
            always @(posedge clk) begin
                if (clear) cnt <= @{ w.cw }@'d0;
                else if (fire[n] && cnt != @{ w.cw }@'d@{ max }@) cnt <= cnt + @{ w.cw }@'d1;
            end
            assign c_all[n] = cnt;
        end
    endgenerate
    assign rb_count = c_all[rb_index];
endmodule
