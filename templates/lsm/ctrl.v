{% include "lsm/header.v" %}

// Controller: per time step, accept one input beat, read the @{ w.g }@ row groups (one per cycle),
// update the LIF array; after the beat marked `last`, read back membranes and counts,
// run the readout, then clear the state for the next sample.
module lsm_ctrl (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    input  wire       last,
    output wire       in_ready,
    output wire       accept,
    output reg  [@{ w.gw - 1 }@:0] group,
    output wire       acc_en,
    output wire       lif_en,
    output wire       rb_valid,
    output reg  [@{ w.niw - 1 }@:0] idx,
{%- if ro %}
    output wire       mac_en,
{%- if mlp %}
    output wire       mac2_en,
    output reg  [@{ w.hw - 1 }@:0] hidx,
{%- if w.nb1 > 1 %}
    output reg  [@{ w.hbw - 1 }@:0] hblk,
{%- endif %}
{%- endif %}
    output wire       arg_en,
    output reg  [@{ w.clw - 1 }@:0] cls,
{%- if w.nb > 1 %}
    output reg  [@{ w.bw - 1 }@:0] blk,
{%- endif %}
{%- endif %}
    output wire       state_clear,
    output reg        out_valid,
    output reg  [15:0] out_step
);
    localparam [2:0] S_IDLE = 3'd0;
    localparam [2:0] S_READ = 3'd1;
    localparam [2:0] S_UPDATE = 3'd2;
    localparam [2:0] S_RB = 3'd3;
{%- if ro %}
    localparam [2:0] S_MAC = 3'd4;
    localparam [2:0] S_ARG = 3'd5;
{%- endif %}
    localparam [2:0] S_DONE = 3'd6;
{%- if mlp %}
    localparam [2:0] S_MAC2 = 3'd7;
{%- endif %}
    reg [2:0]  state;
    reg [15:0] step;
    assign in_ready = (state == S_IDLE);
    assign accept = in_valid & in_ready;
    assign acc_en = (state == S_READ);
    assign lif_en = (state == S_UPDATE);
    assign rb_valid = (state == S_RB);
{%- if ro %}
    assign mac_en = (state == S_MAC);
{%- if mlp %}
    assign mac2_en = (state == S_MAC2);
{%- endif %}
    assign arg_en = (state == S_ARG);
{%- endif %}
    assign state_clear = (state == S_DONE);
    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE;
            group <= @{ w.gw }@'d0;
            idx <= @{ w.niw }@'d0;
{%- if ro %}
            cls <= @{ w.clw }@'d0;
{%- if w.nb > 1 %}
            blk <= @{ w.bw }@'d0;
{%- endif %}
{%- if mlp %}
            hidx <= @{ w.hw }@'d0;
{%- if w.nb1 > 1 %}
            hblk <= @{ w.hbw }@'d0;
{%- endif %}
{%- endif %}
{%- endif %}
            step <= 16'd0;
            out_valid <= 1'b0;
            out_step <= 16'd0;
        end else begin
            out_valid <= 1'b0;
            case (state)
                S_IDLE: begin
                    if (in_valid) begin
                        group <= @{ w.gw }@'d0;
                        state <= S_READ;
                    end
                end
                S_READ: begin
                    if (group == @{ w.gw }@'d@{ w.g - 1 }@) state <= S_UPDATE;
                    else group <= group + @{ w.gw }@'d1;
                end
                S_UPDATE: begin
                    out_valid <= 1'b1;
                    out_step <= step;
                    step <= step + 16'd1;
                    idx <= @{ w.niw }@'d0;
                    state <= last ? S_RB : S_IDLE;
                end
                S_RB: begin
                    if (idx == @{ w.niw }@'d@{ w.nn - 1 }@) begin
                        idx <= @{ w.niw }@'d0;
                        state <= {% if ro %}S_MAC{% else %}S_DONE{% endif %};
                    end else begin
                        idx <= idx + @{ w.niw }@'d1;
                    end
                end
{%- if ro %}
                S_MAC: begin
                    if (idx == @{ w.niw }@'d@{ w.nn - 1 }@) begin
                        idx <= @{ w.niw }@'d0;
{%- if mlp %}
{%- if w.nb1 == 1 %}
                        state <= S_MAC2;
{%- else %}
                        if (hblk == @{ w.hbw }@'d@{ w.nb1 - 1 }@) begin
                            hblk <= @{ w.hbw }@'d0;
                            state <= S_MAC2;
                        end else begin
                            hblk <= hblk + @{ w.hbw }@'d1;
                        end
{%- endif %}
{%- else if w.nb == 1 %}
                        cls <= @{ w.clw }@'d0;
                        state <= S_ARG;
{%- else %}
                        if (blk == @{ w.bw }@'d@{ w.nb - 1 }@) begin
                            blk <= @{ w.bw }@'d0;
                            cls <= @{ w.clw }@'d0;
                            state <= S_ARG;
                        end else begin
                            blk <= blk + @{ w.bw }@'d1;
                        end
{%- endif %}
                    end else begin
                        idx <= idx + @{ w.niw }@'d1;
                    end
                end
{%- if mlp %}
                S_MAC2: begin
                    if (hidx == @{ w.hw }@'d@{ w.nh - 1 }@) begin
                        hidx <= @{ w.hw }@'d0;
{%- if w.nb == 1 %}
                        cls <= @{ w.clw }@'d0;
                        state <= S_ARG;
{%- else %}
                        if (blk == @{ w.bw }@'d@{ w.nb - 1 }@) begin
                            blk <= @{ w.bw }@'d0;
                            cls <= @{ w.clw }@'d0;
                            state <= S_ARG;
                        end else begin
                            blk <= blk + @{ w.bw }@'d1;
                        end
{%- endif %}
                    end else begin
                        hidx <= hidx + @{ w.hw }@'d1;
                    end
                end
{%- endif %}
                S_ARG: begin
                    if (cls == @{ w.clw }@'d@{ w.nc - 1 }@) state <= S_DONE;
                    else cls <= cls + @{ w.clw }@'d1;
                end
{%- endif %}
                S_DONE: begin
                    step <= 16'd0;
                    state <= S_IDLE;
                end
                default: state <= S_IDLE;
            endcase
        end
    end
endmodule
