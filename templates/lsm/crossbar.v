{% include "lsm/header.v" %}

// Resistive crossbar, read row-serially: one memory word holds the G+ (G-) level codes of
// one row group of @{ w.k }@ word lines x @{ w.nn }@ columns, @{ w.lb }@ bits per device. Each column sums
// (G+ - G-) over the driven word lines of the group.
module lsm_crossbar (
    input  wire [@{ w.gw - 1 }@:0] group,
    input  wire [@{ w.k - 1 }@:0] wl,
    output wire [@{ w.nn * w.pw - 1 }@:0] partial
);
    reg [@{ word - 1 }@:0] gpos [0:@{ w.g - 1 }@];
    reg [@{ word - 1 }@:0] gneg [0:@{ w.g - 1 }@];
    initial begin
        $readmemh("gpos.hex", gpos);
        $readmemh("gneg.hex", gneg);
    end
    wire [@{ word - 1 }@:0] pos_word;
    wire [@{ word - 1 }@:0] neg_word;
    assign pos_word = gpos[group];
    assign neg_word = gneg[group];
    // Loops (not generate blocks) keep the simulation model small for wide crossbars;
    // the word-line loop is outside, so undriven word lines cost the simulation nothing.
    reg [@{ w.nn * w.pw - 1 }@:0] sums;
    integer c;
    integer j;
    always @* begin
        sums = @{ w.nn * w.pw }@'d0;
        for (j = 0; j < @{ w.k }@; j = j + 1) begin
            if (wl[j]) begin
                for (c = 0; c < @{ w.nn }@; c = c + 1) begin
                    sums[c*@{ w.pw }@ +: @{ w.pw }@] = sums[c*@{ w.pw }@ +: @{ w.pw }@]
                        + {@{ w.pw - w.lb }@'d0, pos_word[(j*@{ w.nn }@ + c)*@{ w.lb }@ +: @{ w.lb }@]}
                        - {@{ w.pw - w.lb }@'d0, neg_word[(j*@{ w.nn }@ + c)*@{ w.lb }@ +: @{ w.lb }@]};
                end
            end
        end
    end
    assign partial = sums;
endmodule
