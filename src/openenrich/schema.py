"""Imports every table module, so that `Base.metadata` is complete for migrations."""

from openenrich.accounts import models as accounts_models
from openenrich.accounts import team_models
from openenrich.dashboard import models as dashboard_models
from openenrich.db import Base
from openenrich.enrichment import models as enrichment_models
from openenrich.people import models as people_models
from openenrich.privacy import models as privacy_models
from openenrich.verification import models as verification_models
from openenrich.waterfall import models as waterfall_models
from openenrich.webhooks import models as webhook_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "dashboard_models",
    "enrichment_models",
    "metadata",
    "people_models",
    "privacy_models",
    "team_models",
    "verification_models",
    "waterfall_models",
    "webhook_models",
]
