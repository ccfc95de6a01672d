gtkwave::forceOpenTreeNode pulse_logic
gtkwave::forceOpenTreeNode pulse_logic.XQ
gtkwave::addSignalsFromList [list pulse_logic.q pulse_logic.div pulse_logic.XQ.B2_pulse pulse_logic.XQ.B2_phase pulse_logic.XDIV.B2_pulse pulse_logic.XDIV.B2_phase]
gtkwave::highlightSignalsFromList [list pulse_logic.XQ.B2_phase pulse_logic.XDIV.B2_phase]
gtkwave::/Edit/Data_Format/Analog/Interpolated
gtkwave::/Edit/Insert_Analog_Height_Extension
gtkwave::/Edit/Insert_Analog_Height_Extension
gtkwave::/Edit/UnHighlight_All
gtkwave::/Time/Zoom/Zoom_Best_Fit
