{% include "lsm/header.v" %}

// Self-checking testbench: drives the beats of stim.hex with random stalls and compares
// every output with the bit-accurate model's expectations. It writes what the macro put out
// to lsm_out.txt (B <spikes> per beat, R <neuron> <membrane> <count> per read-back cycle,
// C <class> <score> per decision, E <cycles> at the end). Plusargs: +beats=<n> +samples=<n>,
// +dumpfile=<name> to dump a waveform (VCD, or FST when Verilator was run with --trace-fst).
// With LSM_CLOCK_PORT defined the clock is a port, driven by a C++ harness (Verilator
// without --timing); otherwise the testbench makes its own clock (Icarus, verilator --timing).
module lsm_tb
`ifdef LSM_CLOCK_PORT
    (input wire clk)
`endif
    ;
`ifndef LSM_CLOCK_PORT
    reg clk = 1'b0;
    always #5 clk = ~clk;
`endif
    reg rst = 1'b1;
    reg in_valid = 1'b0;
    reg [@{ w.ni - 1 }@:0] in_spikes = @{ w.ni }@'d0;
    reg in_last = 1'b0;
    wire in_ready;
    wire out_valid;
    wire [@{ w.nn - 1 }@:0] out_spikes;
    wire [15:0] out_step;
    wire rb_valid;
    wire [@{ w.niw - 1 }@:0] rb_index;
    wire [@{ w.vw - 1 }@:0] rb_membrane;
    wire [@{ w.cw - 1 }@:0] rb_count;
{%- if ro %}
    wire class_valid;
    wire [@{ w.clw - 1 }@:0] class_id;
    wire [31:0] class_score;
    reg [@{ w.clw - 1 }@:0] exp_class [0:@{ max_samples - 1 }@];
{%- endif %}
    wire sample_done;

    reg [@{ w.ni }@:0] stim [0:@{ max_beats - 1 }@];
    reg [@{ w.nn - 1 }@:0] exp_raster [0:@{ max_beats - 1 }@];
    reg [@{ w.vw - 1 }@:0] exp_membrane [0:@{ max_samples * w.nn - 1 }@];
    reg [@{ w.cw - 1 }@:0] exp_count [0:@{ max_samples * w.nn - 1 }@];
    integer beats;
    integer samples;
    integer bi;
    integer oi;
    integer ri;
    integer si;
    integer errors;
    integer cycles;
    reg fired;
    reg [15:0] lfsr;
    integer fout;
    reg [8*256-1:0] dumpname;

    lsm_top dut (
        .clk(clk),
        .rst(rst),
        .in_valid(in_valid),
        .in_ready(in_ready),
        .in_spikes(in_spikes),
        .in_last(in_last),
        .out_valid(out_valid),
        .out_spikes(out_spikes),
        .out_step(out_step),
        .rb_valid(rb_valid),
        .rb_index(rb_index),
        .rb_membrane(rb_membrane),
        .rb_count(rb_count),
{%- if ro %}
        .class_valid(class_valid),
        .class_id(class_id),
        .class_score(class_score),
{%- endif %}
        .sample_done(sample_done)
    );

    initial begin
        if (!$value$plusargs("beats=%d", beats)) beats = 0;
        if (!$value$plusargs("samples=%d", samples)) samples = 0;
        $readmemh("stim.hex", stim);
        $readmemh("exp_raster.hex", exp_raster);
        $readmemh("exp_membrane.hex", exp_membrane);
        $readmemh("exp_count.hex", exp_count);
{%- if ro %}
        $readmemh("exp_class.hex", exp_class);
{%- endif %}
        fout = $fopen("lsm_out.txt", "w");
        if ($value$plusargs("dumpfile=%s", dumpname)) begin
            $dumpfile(dumpname);
            $dumpvars(0, lsm_tb);
        end
        bi = 0;
        oi = 0;
        ri = 0;
        si = 0;
        errors = 0;
        cycles = 0;
        fired = 1'b0;
        lfsr = 16'hACE1;
    end

    // Handshake bookkeeping on the rising edge.
    always @(posedge clk) begin
        fired <= in_valid & in_ready;
        if (in_valid & in_ready) bi <= bi + 1;
        cycles <= cycles + 1;
        if (cycles == 2) rst <= 1'b0;
        if (cycles > @{ timeout }@) begin
            $display("LSM_TB FAIL timeout after %0d cycles (beat %0d of %0d)", cycles, bi, beats);
            $fclose(fout);
            $stop;
        end
    end

    // Drive beats on the falling edge; valid is held until accepted, stalls are random.
    always @(negedge clk) begin
        if (!rst && (!in_valid || fired)) begin
            lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
            if (bi < beats && lfsr[1:0] != 2'b00) begin
                in_valid <= 1'b1;
                in_spikes <= stim[bi][@{ w.ni - 1 }@:0];
                in_last <= stim[bi][@{ w.ni }@];
            end else begin
                in_valid <= 1'b0;
            end
        end
    end

    // Check outputs.
    always @(posedge clk) begin
        if (!rst) begin
            if (out_valid) begin
                $fwrite(fout, "B %h\n", out_spikes);
                if (out_spikes !== exp_raster[oi]) begin
                    errors = errors + 1;
                    $display("MISMATCH spikes beat %0d: got %h expected %h", oi, out_spikes, exp_raster[oi]);
                end
                oi = oi + 1;
            end
            if (rb_valid) begin
                $fwrite(fout, "R %0d %0d %0d\n", rb_index, $signed(rb_membrane), rb_count);
                if (rb_membrane !== exp_membrane[ri] || rb_count !== exp_count[ri]) begin
                    errors = errors + 1;
                    $display("MISMATCH sample %0d neuron %0d: membrane %0d expected %0d, count %0d expected %0d",
                             si, rb_index, $signed(rb_membrane), $signed(exp_membrane[ri]), rb_count, exp_count[ri]);
                end
                ri = ri + 1;
            end
{%- if ro %}
            if (class_valid) begin
                $fwrite(fout, "C %0d %0d\n", class_id, $signed(class_score));
                if (class_id !== exp_class[si]) begin
                    errors = errors + 1;
                    $display("MISMATCH sample %0d class %0d expected %0d (score %0d)", si, class_id, exp_class[si], $signed(class_score));
                end
            end
{%- endif %}
            if (sample_done) begin
                si = si + 1;
                if (si == samples) begin
                    $fwrite(fout, "E %0d\n", cycles + 1);
                    $fclose(fout);
                    if (errors == 0 && oi == beats) begin
                        $display("LSM_TB PASS beats=%0d samples=%0d cycles=%0d", oi, si, cycles);
                        $finish;
                    end else begin
                        $display("LSM_TB FAIL errors=%0d beats=%0d of %0d", errors, oi, beats);
                        $stop;
                    end
                end
            end
        end
    end
endmodule
