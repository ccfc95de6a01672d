{% include "lsm/header.v" %}

// Readout: score[c] = bias[c] + sum_n w[c][n] * count[n] (int8 weights, int32 scores) on
// @{ w.mu }@ multiply-accumulate units: the @{ w.nc }@ classes are scored @{ w.mu }@ at a time (@{ w.nb }@ block(s)),
// one neuron per cycle, then a sequential argmax (first maximum wins).
module lsm_readout (
    input  wire       clk,
    input  wire       rst,
    input  wire       mac_en,
    input  wire       arg_en,
{%- if w.nb > 1 %}
    input  wire [@{ w.bw - 1 }@:0] blk,
{%- endif %}
    input  wire [@{ w.niw - 1 }@:0] index,
    input  wire [@{ w.cw - 1 }@:0] count,
    input  wire [@{ w.clw - 1 }@:0] cls,
    output reg  [@{ w.clw - 1 }@:0] class_id,
    output reg  [31:0] class_score
);
    reg [@{ w.nc * 8 - 1 }@:0] wmem [0:@{ w.nn - 1 }@];
    reg [31:0] bmem [0:@{ w.nc - 1 }@];
    initial begin
        $readmemh("readout_w.hex", wmem);
        $readmemh("readout_b.hex", bmem);
    end
    wire [@{ w.nc * 8 - 1 }@:0] wrow;
    wire [@{ w.nb * w.mu * 8 - 1 }@:0] wpad;
    wire [@{ w.mu * 8 - 1 }@:0] wblk;
    wire [7:0] wsel [0:@{ w.mu - 1 }@];
    wire [31:0] prod [0:@{ w.mu - 1 }@];
    wire [31:0] score_all [0:@{ w.nc - 1 }@];
    wire [31:0] cand;
    assign wrow = wmem[index];
    assign wpad = {% if pad == 0 %}wrow{% else %}{@{ pad }@'d0, wrow}{% endif %};
{%- if w.nb == 1 %}
    assign wblk = wpad;
{%- else %}
    wire [@{ w.mu * 8 - 1 }@:0] wblocks [0:@{ w.nb - 1 }@];
    genvar b;
    generate
        for (b = 0; b < @{ w.nb }@; b = b + 1) begin : gen_block
            assign wblocks[b] = wpad[b*@{ w.mu * 8 }@ +: @{ w.mu * 8 }@];
        end
    endgenerate
    assign wblk = wblocks[blk];
{%- endif %}
{%- for p in 0..w.mu %}
    assign wsel[@{ p }@] = wblk[@{ p }@*8 +: 8];
    assign prod[@{ p }@] = {{24{wsel[@{ p }@][7]}}, wsel[@{ p }@]} * @{ count_ext }@;
{%- endfor %}
{%- for c in 0..w.nc %}
    reg  [31:0] score_@{ c }@;
    always @(posedge clk) begin
        if (mac_en{% if w.nb > 1 %} && blk == @{ w.bw }@'d@{ c / w.mu }@{% endif %}) score_@{ c }@ <= (index == @{ w.niw }@'d0 ? bmem[@{ c }@] : score_@{ c }@) + prod[@{ c % w.mu }@];
    end
    assign score_all[@{ c }@] = score_@{ c }@;
{%- endfor %}
    assign cand = score_all[cls];
    always @(posedge clk) begin
        if (rst) begin
            class_id <= @{ w.clw }@'d0;
            class_score <= 32'd0;
        end else if (arg_en && (cls == @{ w.clw }@'d0 || $signed(cand) > $signed(class_score))) begin
            class_id <= cls;
            class_score <= cand;
        end
    end
endmodule
