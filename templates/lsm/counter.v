{% include "lsm/header.v" %}

// Spike counters, one per neuron, saturating at @{ max }@; the counters are one vector
// updated in a loop (neuron n: cnt[n*@{ w.cw }@ +: @{ w.cw }@]).
module lsm_counter (
    input  wire       clk,
    input  wire       clear,
    input  wire [@{ w.nn - 1 }@:0] fire,
    input  wire [@{ w.niw - 1 }@:0] rb_index,
    output wire [@{ w.cw - 1 }@:0] rb_count
);
    reg [@{ w.nn * w.cw - 1 }@:0] cnt;
    integer n;
    always @(posedge clk) begin
        if (clear) cnt <= @{ w.nn * w.cw }@'d0;
        else if (|fire) begin
            for (n = 0; n < @{ w.nn }@; n = n + 1)
                if (fire[n] && cnt[n*@{ w.cw }@ +: @{ w.cw }@] != @{ w.cw }@'d@{ max }@)
                    cnt[n*@{ w.cw }@ +: @{ w.cw }@] <= cnt[n*@{ w.cw }@ +: @{ w.cw }@] + @{ w.cw }@'d1;
        end
    end
    assign rb_count = cnt[rb_index*@{ w.cw }@ +: @{ w.cw }@];
endmodule
