"""Evaluation as the shared plumbing sees it."""

import os

from services.common.runtime.service import PeriodicJob, ServiceDefinition

from .domain import check_overdue_rectifications
from .consumers import handlers
from .events import emitter
from .loaders import EvaluationLoaders
from .models import PLATFORM
from .schema import schema

# How often the workers look for rectifications past their deadline (each is reported overdue once).
OVERDUE_CHECK_SECONDS = float(os.environ.get("OVERDUE_CHECK_SECONDS", "300"))

service = ServiceDefinition(
    name="evaluation",
    schema=schema,
    models=PLATFORM,
    emitter=emitter,
    make_loaders=EvaluationLoaders,
    handlers=handlers,
    periodic=(PeriodicJob("rectification-overdue", OVERDUE_CHECK_SECONDS, check_overdue_rectifications),),
)
