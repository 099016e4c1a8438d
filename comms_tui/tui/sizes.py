"""Terminal sizes the layout adapts to."""

NARROW_BELOW = 100  # columns: below this (80×24, say) screens use their narrow layout
