{% include "lsm/header.v" %}

// Word-line drivers: the active rows are this step's input spikes (rows 0..@{ w.ni - 1 }@) and the
// previous step's reservoir spikes (rows @{ w.ni }@..); only the active word lines of the
// selected row group (@{ w.k }@ rows) are driven.
module lsm_wordline (
    input  wire [@{ w.ni - 1 }@:0] x,
    input  wire [@{ w.nn - 1 }@:0] s_prev,
    input  wire [@{ w.gw - 1 }@:0] group,
    output wire [@{ w.k - 1 }@:0] wl
);
    wire [@{ w.ra - 1 }@:0] active;
    wire [@{ w.k - 1 }@:0] rows [0:@{ w.g - 1 }@];
    assign active = {% if pad == 0 %}{s_prev, x}{% else %}{@{ pad }@'d0, s_prev, x}{% endif %};
    genvar g;
    generate
        for (g = 0; g < @{ w.g }@; g = g + 1) begin : gen_group
            assign rows[g] = active[g*@{ w.k }@ +: @{ w.k }@];
        end
    endgenerate
    assign wl = rows[group];
endmodule
