"""The waterfall: ask sources in order per field, stop when a field's rule is met."""

from openenrich.waterfall.config import WaterfallConfig, WaterfallSettings, load_config
from openenrich.waterfall.engine import Waterfall, WaterfallOutcome
from openenrich.waterfall.factory import build_waterfall
from openenrich.waterfall.metrics import metrics_response
from openenrich.waterfall.stop import StopRules

__all__ = [
    "StopRules",
    "Waterfall",
    "WaterfallConfig",
    "WaterfallOutcome",
    "WaterfallSettings",
    "build_waterfall",
    "load_config",
    "metrics_response",
]
