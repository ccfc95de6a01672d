{% include "lsm/header.v" %}

// Input stage: latches one beat (this time step's input spikes) on the valid/ready handshake.
module lsm_spike_in (
    input  wire          clk,
    input  wire          rst,
    input  wire          accept,
    input  wire [@{ w.ni - 1 }@:0] in_spikes,
    input  wire          in_last,
    output reg  [@{ w.ni - 1 }@:0] x,
    output reg           last
);
    always @(posedge clk) begin
        if (rst) begin
            x <= @{ w.ni }@'d0;
            last <= 1'b0;
        end else if (accept) begin
            x <= in_spikes;
            last <= in_last;
        end
    end
endmodule
