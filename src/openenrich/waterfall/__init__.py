"""The waterfall: ask sources in order per field, stop when a field's rule is met."""

from openenrich.waterfall.engine import Waterfall, WaterfallOutcome

__all__ = ["Waterfall", "WaterfallOutcome"]
