"""Funding as the shared plumbing sees it."""

import os

from services.common.runtime.service import PeriodicJob, ServiceDefinition

from .consumers import handlers
from .domain.recovery import check_overdue_recoveries
from .events import emitter
from .loaders import FundingLoaders
from .models import PLATFORM
from .schema import schema
from .webhooks.worker import WebhookWorker

# How often the workers look for recovery orders past their deadline (each raises its alert once).
RECOVERY_CHECK_SECONDS = float(os.environ.get("RECOVERY_CHECK_SECONDS", "300"))

service = ServiceDefinition(
    name="funding",
    schema=schema,
    models=PLATFORM,
    emitter=emitter,
    make_loaders=FundingLoaders,
    handlers=handlers,
    periodic=(PeriodicJob("recovery-overdue", RECOVERY_CHECK_SECONDS, check_overdue_recoveries),),
    companions=(WebhookWorker,),
)
