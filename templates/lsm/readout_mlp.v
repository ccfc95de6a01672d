{% include "lsm/header.v" %}

// MLP readout: h[j] = min(127, max(0, b1[j] + sum_n w1[j][n] * count[n]) >> shift),
// score[c] = b2[c] + sum_j w2[c][j] * h[j] (int8 weights, 32-bit sums, shift from
// readout_shift.hex) on @{ w.mu }@ multiply-accumulate units: layer 1 scores the @{ w.nh }@ hidden
// neurons @{ w.mu }@ at a time (@{ w.nb1 }@ block(s)), one reservoir neuron per cycle; layer 2 scores the
// @{ w.nc }@ classes @{ w.mu }@ at a time (@{ w.nb }@ block(s)), one hidden neuron per cycle; then a sequential
// argmax (first maximum wins).
module lsm_readout (
    input  wire       clk,
    input  wire       rst,
    input  wire       mac_en,
    input  wire       mac2_en,
    input  wire       arg_en,
{%- if w.nb1 > 1 %}
    input  wire [@{ w.hbw - 1 }@:0] hblk,
{%- endif %}
{%- if w.nb > 1 %}
    input  wire [@{ w.bw - 1 }@:0] blk,
{%- endif %}
    input  wire [@{ w.niw - 1 }@:0] index,
    input  wire [@{ w.hw - 1 }@:0] hidx,
    input  wire [@{ w.cw - 1 }@:0] count,
    input  wire [@{ w.clw - 1 }@:0] cls,
    output reg  [@{ w.clw - 1 }@:0] class_id,
    output reg  [31:0] class_score
);
    reg [@{ w.nh * 8 - 1 }@:0] w1mem [0:@{ w.nn - 1 }@];
    reg [31:0] b1mem [0:@{ w.nh - 1 }@];
    reg [@{ w.nc * 8 - 1 }@:0] w2mem [0:@{ w.nh - 1 }@];
    reg [31:0] b2mem [0:@{ w.nc - 1 }@];
    reg [4:0] smem [0:0];
    initial begin
        $readmemh("readout_w1.hex", w1mem);
        $readmemh("readout_b1.hex", b1mem);
        $readmemh("readout_w2.hex", w2mem);
        $readmemh("readout_b2.hex", b2mem);
        $readmemh("readout_shift.hex", smem);
    end

    // Layer 1: the MAC units multiply the spike count of reservoir neuron `index`.
    wire [@{ w.nh * 8 - 1 }@:0] w1row;
    wire [@{ w.nb1 * w.mu * 8 - 1 }@:0] w1pad;
    wire [@{ w.mu * 8 - 1 }@:0] w1blk;
    wire [7:0] w1sel [0:@{ w.mu - 1 }@];
    wire [31:0] prod1 [0:@{ w.mu - 1 }@];
    wire [31:0] hacc_all [0:@{ w.nh - 1 }@];
    assign w1row = w1mem[index];
    assign w1pad = {% if pad1 == 0 %}w1row{% else %}{@{ pad1 }@'d0, w1row}{% endif %};
{%- if w.nb1 == 1 %}
    assign w1blk = w1pad;
{%- else %}
    wire [@{ w.mu * 8 - 1 }@:0] w1blocks [0:@{ w.nb1 - 1 }@];
    genvar b1;
    generate
        for (b1 = 0; b1 < @{ w.nb1 }@; b1 = b1 + 1) begin : gen_block1
            assign w1blocks[b1] = w1pad[b1*@{ w.mu * 8 }@ +: @{ w.mu * 8 }@];
        end
    endgenerate
    assign w1blk = w1blocks[hblk];
{%- endif %}
{%- for p in 0..w.mu %}
    assign w1sel[@{ p }@] = w1blk[@{ p }@*8 +: 8];
    assign prod1[@{ p }@] = {{24{w1sel[@{ p }@][7]}}, w1sel[@{ p }@]} * @{ count_ext }@;
{%- endfor %}
{%- for j in 0..w.nh %}
    reg  [31:0] hacc_@{ j }@;
    always @(posedge clk) begin
        if (mac_en{% if w.nb1 > 1 %} && hblk == @{ w.hbw }@'d@{ j / w.mu }@{% endif %}) hacc_@{ j }@ <= (index == @{ w.niw }@'d0 ? b1mem[@{ j }@] : hacc_@{ j }@) + prod1[@{ j % w.mu }@];
    end
    assign hacc_all[@{ j }@] = hacc_@{ j }@;
{%- endfor %}

    // Hidden activation of neuron `hidx`: ReLU, shift right, saturation to 127.
    wire [31:0] hsel;
    wire [31:0] hrelu;
    wire [31:0] hshift;
    wire [7:0] hact;
    assign hsel = hacc_all[hidx];
    assign hrelu = hsel[31] ? 32'd0 : hsel;
    assign hshift = hrelu >> smem[0];
    assign hact = (|hshift[31:7]) ? 8'd127 : {1'b0, hshift[6:0]};

    // Layer 2: the MAC units multiply the activation of hidden neuron `hidx`.
    wire [@{ w.nc * 8 - 1 }@:0] w2row;
    wire [@{ w.nb * w.mu * 8 - 1 }@:0] w2pad;
    wire [@{ w.mu * 8 - 1 }@:0] w2blk;
    wire [7:0] w2sel [0:@{ w.mu - 1 }@];
    wire [31:0] prod2 [0:@{ w.mu - 1 }@];
    wire [31:0] score_all [0:@{ w.nc - 1 }@];
    wire [31:0] cand;
    assign w2row = w2mem[hidx];
    assign w2pad = {% if pad2 == 0 %}w2row{% else %}{@{ pad2 }@'d0, w2row}{% endif %};
{%- if w.nb == 1 %}
    assign w2blk = w2pad;
{%- else %}
    wire [@{ w.mu * 8 - 1 }@:0] w2blocks [0:@{ w.nb - 1 }@];
    genvar b2;
    generate
        for (b2 = 0; b2 < @{ w.nb }@; b2 = b2 + 1) begin : gen_block2
            assign w2blocks[b2] = w2pad[b2*@{ w.mu * 8 }@ +: @{ w.mu * 8 }@];
        end
    endgenerate
    assign w2blk = w2blocks[blk];
{%- endif %}
{%- for p in 0..w.mu %}
    assign w2sel[@{ p }@] = w2blk[@{ p }@*8 +: 8];
    assign prod2[@{ p }@] = {{24{w2sel[@{ p }@][7]}}, w2sel[@{ p }@]} * {24'd0, hact};
{%- endfor %}
{%- for c in 0..w.nc %}
    reg  [31:0] score_@{ c }@;
    always @(posedge clk) begin
        if (mac2_en{% if w.nb > 1 %} && blk == @{ w.bw }@'d@{ c / w.mu }@{% endif %}) score_@{ c }@ <= (hidx == @{ w.hw }@'d0 ? b2mem[@{ c }@] : score_@{ c }@) + prod2[@{ c % w.mu }@];
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
