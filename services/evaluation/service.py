"""Evaluation as the shared plumbing sees it."""

from services.common.service import ServiceDefinition

from .events import HANDLERS, emitter
from .loaders import EvaluationLoaders
from .models import PLATFORM
from .schema import schema

service = ServiceDefinition(
    name="evaluation", schema=schema, models=PLATFORM, emitter=emitter, make_loaders=EvaluationLoaders, handlers=HANDLERS
)
