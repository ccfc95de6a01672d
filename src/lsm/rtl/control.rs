//! The controller FSM and the top level.

use super::{fill, Widths, HEADER};

pub fn ctrl(w: &Widths) -> String {
    let ro = w.nc > 0;
    let after_rb = if ro { "S_MAC" } else { "S_DONE" };
    let readout_states = if ro {
        fill(
            r#"                S_MAC: begin
                    if (idx == @NIW@'d@NN1@) begin
                        idx <= @NIW@'d0;
@BLK_NEXT@                    end else begin
                        idx <= idx + @NIW@'d1;
                    end
                end
                S_ARG: begin
                    if (cls == @CLW@'d@NC1@) state <= S_DONE;
                    else cls <= cls + @CLW@'d1;
                end
"#,
            &[
                ("BLK_NEXT", blk_next(w)),
                ("NIW", w.niw.to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("CLW", w.clw.to_string()),
                ("NC1", (w.nc - 1).to_string()),
            ],
        )
    } else {
        String::new()
    };
    let readout_ports = if ro {
        format!(
            "    output wire       mac_en,\n    output wire       arg_en,\n    output reg  [{}:0] cls,\n{}",
            w.clw - 1,
            if w.nb > 1 {
                format!("    output reg  [{}:0] blk,\n", w.bw - 1)
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    let readout_assigns = if ro {
        "    assign mac_en = (state == S_MAC);\n    assign arg_en = (state == S_ARG);\n"
    } else {
        ""
    };
    let cls_reset = match (ro, w.nb > 1) {
        (true, true) => format!(
            "            cls <= {}'d0;\n            blk <= {}'d0;\n",
            w.clw, w.bw
        ),
        (true, false) => format!("            cls <= {}'d0;\n", w.clw),
        _ => String::new(),
    };
    let t = r#"
// Controller: per time step, accept one input beat, read the @G@ row groups (one per cycle),
// update the LIF array; after the beat marked `last`, read back membranes and counts,
// run the readout, then clear the state for the next sample.
module lsm_ctrl (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    input  wire       last,
    output wire       in_ready,
    output wire       accept,
    output reg  [@GW1@:0] group,
    output wire       acc_en,
    output wire       lif_en,
    output wire       rb_valid,
    output reg  [@NIW1@:0] idx,
@RO_PORTS@    output wire       state_clear,
    output reg        out_valid,
    output reg  [15:0] out_step
);
    localparam [2:0] S_IDLE = 3'd0;
    localparam [2:0] S_READ = 3'd1;
    localparam [2:0] S_UPDATE = 3'd2;
    localparam [2:0] S_RB = 3'd3;
@RO_PARAMS@    localparam [2:0] S_DONE = 3'd6;
    reg [2:0]  state;
    reg [15:0] step;
    assign in_ready = (state == S_IDLE);
    assign accept = in_valid & in_ready;
    assign acc_en = (state == S_READ);
    assign lif_en = (state == S_UPDATE);
    assign rb_valid = (state == S_RB);
@RO_ASSIGNS@    assign state_clear = (state == S_DONE);
    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE;
            group <= @GW@'d0;
            idx <= @NIW@'d0;
@CLS_RESET@            step <= 16'd0;
            out_valid <= 1'b0;
            out_step <= 16'd0;
        end else begin
            out_valid <= 1'b0;
            case (state)
                S_IDLE: begin
                    if (in_valid) begin
                        group <= @GW@'d0;
                        state <= S_READ;
                    end
                end
                S_READ: begin
                    if (group == @GW@'d@G1@) state <= S_UPDATE;
                    else group <= group + @GW@'d1;
                end
                S_UPDATE: begin
                    out_valid <= 1'b1;
                    out_step <= step;
                    step <= step + 16'd1;
                    idx <= @NIW@'d0;
                    state <= last ? S_RB : S_IDLE;
                end
                S_RB: begin
                    if (idx == @NIW@'d@NN1@) begin
                        idx <= @NIW@'d0;
                        state <= @AFTER_RB@;
                    end else begin
                        idx <= idx + @NIW@'d1;
                    end
                end
@RO_STATES@                S_DONE: begin
                    step <= 16'd0;
                    state <= S_IDLE;
                end
                default: state <= S_IDLE;
            endcase
        end
    end
endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("RO_PORTS", readout_ports),
                (
                    "RO_PARAMS",
                    if ro {
                        "    localparam [2:0] S_MAC = 3'd4;\n    localparam [2:0] S_ARG = 3'd5;\n"
                            .to_string()
                    } else {
                        String::new()
                    },
                ),
                ("RO_ASSIGNS", readout_assigns.to_string()),
                ("RO_STATES", readout_states),
                ("CLS_RESET", cls_reset),
                ("AFTER_RB", after_rb.to_string()),
                ("GW1", (w.gw - 1).to_string()),
                ("GW", w.gw.to_string()),
                ("G1", (w.g - 1).to_string()),
                ("G", w.g.to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("NIW", w.niw.to_string()),
                ("NN1", (w.nn - 1).to_string()),
            ],
        )
}

/// The end of one pass over the neurons in `S_MAC`: the next block of classes, or the
/// argmax after the last block.
fn blk_next(w: &Widths) -> String {
    let to_arg = format!(
        "cls <= {}'d0;\n                        state <= S_ARG;",
        w.clw
    );
    if w.nb == 1 {
        format!("                        {to_arg}\n")
    } else {
        format!(
            "                        if (blk == {bw}'d{last}) begin
                            blk <= {bw}'d0;
                            {to_arg}
                        end else begin
                            blk <= blk + {bw}'d1;
                        end
",
            bw = w.bw,
            last = w.nb - 1
        )
    }
}

pub fn top(w: &Widths, name: &str) -> String {
    let ro = w.nc > 0;
    let ro_ports = if ro {
        format!(
            "    output wire       class_valid,\n    output wire [{}:0] class_id,\n    output wire [31:0] class_score,\n",
            w.clw - 1
        )
    } else {
        String::new()
    };
    let blk = w.nb > 1;
    let ro_ctrl = match (ro, blk) {
        (true, true) => "        .mac_en(mac_en),\n        .arg_en(arg_en),\n        .cls(cls),\n        .blk(blk),\n",
        (true, false) => "        .mac_en(mac_en),\n        .arg_en(arg_en),\n        .cls(cls),\n",
        _ => "",
    };
    let ro_wires = if ro {
        format!(
            "    wire mac_en;\n    wire arg_en;\n    wire [{}:0] cls;\n{}",
            w.clw - 1,
            if blk {
                format!("    wire [{}:0] blk;\n", w.bw - 1)
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    let ro_inst = if ro {
        r#"    assign class_valid = state_clear;
    lsm_readout u_readout (
        .clk(clk),
        .rst(rst),
        .mac_en(mac_en),
        .arg_en(arg_en),
@RO_BLK@        .index(idx),
        .count(rb_count),
        .cls(cls),
        .class_id(class_id),
        .class_score(class_score)
    );
"#
    } else {
        ""
    };
    let t = r#"
// Top level of the @NAME@ liquid state machine macro: @NI@ inputs, @NN@ reservoir neurons,
// @G@ row groups of @K@ word lines per time step.
// Input: one beat per time step (valid/ready); `in_last` ends the sample and clears the state.
// Output: out_valid pulses once per step with the reservoir spikes; after the last step the
// membranes and spike counts are read back one neuron per cycle (rb_valid)@RO_DOC@;
// sample_done pulses when the state has been cleared.
module lsm_top (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    output wire       in_ready,
    input  wire [@NI1@:0] in_spikes,
    input  wire       in_last,
    output wire       out_valid,
    output wire [@NN1@:0] out_spikes,
    output wire [15:0] out_step,
    output wire       rb_valid,
    output wire [@NIW1@:0] rb_index,
    output wire [@VW1@:0] rb_membrane,
    output wire [@CW1@:0] rb_count,
@RO_PORTS@    output wire       sample_done
);
    wire accept;
    wire last;
    wire [@NI1@:0] x;
    wire [@GW1@:0] group;
    wire [@K1@:0] wl;
    wire [@PART1@:0] partial;
    wire [@CODE1@:0] code;
    wire [@ACC1@:0] acc;
    wire acc_en;
    wire lif_en;
    wire state_clear;
    wire [@NN1@:0] fire;
    wire [@NIW1@:0] idx;
@RO_WIRES@    assign rb_index = idx;
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
@RO_CTRL@        .state_clear(state_clear),
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
@RO_INST@endmodule
"#;
    HEADER.to_string()
        + &fill(
            t,
            &[
                ("RO_PORTS", ro_ports),
                ("RO_CTRL", ro_ctrl.to_string()),
                ("RO_WIRES", ro_wires),
                (
                    "RO_INST",
                    ro_inst.replace("@RO_BLK@", if blk { "        .blk(blk),\n" } else { "" }),
                ),
                (
                    "RO_DOC",
                    if ro {
                        ", then the readout picks a class (class_valid)".to_string()
                    } else {
                        String::new()
                    },
                ),
                ("NAME", name.to_string()),
                ("NI1", (w.ni - 1).to_string()),
                ("NI", w.ni.to_string()),
                ("NN1", (w.nn - 1).to_string()),
                ("NN", w.nn.to_string()),
                ("G", w.g.to_string()),
                ("K1", (w.k - 1).to_string()),
                ("K", w.k.to_string()),
                ("NIW1", (w.niw - 1).to_string()),
                ("VW1", (w.vw - 1).to_string()),
                ("CW1", (w.cw - 1).to_string()),
                ("GW1", (w.gw - 1).to_string()),
                ("PART1", (w.nn * w.pw - 1).to_string()),
                ("CODE1", (w.nn * w.aout - 1).to_string()),
                ("ACC1", (w.nn * w.aw - 1).to_string()),
            ],
        )
}
