{% include "lsm/header.v" %}

// Top level of the @{ name }@ liquid state machine macro: @{ w.ni }@ inputs, @{ w.nn }@ reservoir neurons,
// @{ w.g }@ row groups of @{ w.k }@ word lines per time step.
// Input: one beat per time step (valid/ready); `in_last` ends the sample and clears the state.
// Output: out_valid pulses once per step with the reservoir spikes; after the last step the
// membranes and spike counts are read back one neuron per cycle (rb_valid){% if ro %}, then the readout picks a class (class_valid){% endif %};
// sample_done pulses when the state has been cleared.
module lsm_top (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    output wire       in_ready,
    input  wire [@{ w.ni - 1 }@:0] in_spikes,
    input  wire       in_last,
    output wire       out_valid,
    output wire [@{ w.nn - 1 }@:0] out_spikes,
    output wire [15:0] out_step,
    output wire       rb_valid,
    output wire [@{ w.niw - 1 }@:0] rb_index,
    output wire [@{ w.vw - 1 }@:0] rb_membrane,
    output wire [@{ w.cw - 1 }@:0] rb_count,
{%- if ro %}
    output wire       class_valid,
    output wire [@{ w.clw - 1 }@:0] class_id,
    output wire [31:0] class_score,
{%- endif %}
    output wire       sample_done
);
    wire accept;
    wire last;
    wire [@{ w.ni - 1 }@:0] x;
    wire [@{ w.gw - 1 }@:0] group;
    wire [@{ w.k - 1 }@:0] wl;
    wire [@{ w.nn * w.pw - 1 }@:0] partial;
    wire [@{ w.nn * w.aout - 1 }@:0] code;
    wire [@{ w.nn * w.aw - 1 }@:0] acc;
    wire acc_en;
    wire lif_en;
    wire state_clear;
    wire [@{ w.nn - 1 }@:0] fire;
    wire [@{ w.niw - 1 }@:0] idx;
{%- if ro %}
    wire mac_en;
{%- if mlp %}
    wire mac2_en;
    wire [@{ w.hw - 1 }@:0] hidx;
{%- if w.nb1 > 1 %}
    wire [@{ w.hbw - 1 }@:0] hblk;
{%- endif %}
{%- endif %}
    wire arg_en;
    wire [@{ w.clw - 1 }@:0] cls;
{%- if w.nb > 1 %}
    wire [@{ w.bw - 1 }@:0] blk;
{%- endif %}
{%- endif %}
    assign rb_index = idx;
    assign sample_done = state_clear;

    lsm_ctrl u_ctrl (
        .clk(clk),
        .rst(rst),
        .in_valid(in_valid),
        .last(last),
        .in_ready(in_ready),
        .accept(accept),
        .group(group),
        .acc_en(acc_en),
        .lif_en(lif_en),
        .rb_valid(rb_valid),
        .idx(idx),
{%- if ro %}
        .mac_en(mac_en),
{%- if mlp %}
        .mac2_en(mac2_en),
        .hidx(hidx),
{%- if w.nb1 > 1 %}
        .hblk(hblk),
{%- endif %}
{%- endif %}
        .arg_en(arg_en),
        .cls(cls),
{%- if w.nb > 1 %}
        .blk(blk),
{%- endif %}
{%- endif %}
        .state_clear(state_clear),
        .out_valid(out_valid),
        .out_step(out_step)
    );
    lsm_spike_in u_spike_in (
        .clk(clk),
        .rst(rst),
        .accept(accept),
        .in_spikes(in_spikes),
        .in_last(in_last),
        .x(x),
        .last(last)
    );
    lsm_wordline u_wordline (
        .x(x),
        .s_prev(out_spikes),
        .group(group),
        .wl(wl)
    );
    lsm_crossbar u_crossbar (
        .group(group),
        .wl(wl),
        .partial(partial)
    );
    lsm_adc u_adc (
        .partial(partial),
        .code(code)
    );
    lsm_accum u_accum (
        .clk(clk),
        .clear(rst | accept),
        .en(acc_en),
        .code(code),
        .acc(acc)
    );
    lsm_lif u_lif (
        .clk(clk),
        .clear(rst | state_clear),
        .en(lif_en),
        .acc(acc),
        .rb_index(idx),
        .spikes(out_spikes),
        .fire(fire),
        .rb_membrane(rb_membrane)
    );
    lsm_counter u_counter (
        .clk(clk),
        .clear(rst | state_clear),
        .fire(fire),
        .rb_index(idx),
        .rb_count(rb_count)
    );
{%- if ro %}
    assign class_valid = state_clear;
    lsm_readout u_readout (
        .clk(clk),
        .rst(rst),
        .mac_en(mac_en),
{%- if mlp %}
        .mac2_en(mac2_en),
{%- endif %}
        .arg_en(arg_en),
{%- if mlp && w.nb1 > 1 %}
        .hblk(hblk),
{%- endif %}
{%- if w.nb > 1 %}
        .blk(blk),
{%- endif %}
        .index(idx),
{%- if mlp %}
        .hidx(hidx),
{%- endif %}
        .count(rb_count),
        .cls(cls),
        .class_id(class_id),
        .class_score(class_score)
    );
{%- endif %}
endmodule
