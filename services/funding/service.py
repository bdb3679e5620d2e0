"""Funding as the shared plumbing sees it."""

from services.common.runtime.service import ServiceDefinition

from .consumers import handlers
from .events import emitter
from .loaders import FundingLoaders
from .models import PLATFORM
from .schema import schema
from .webhooks.worker import WebhookWorker

service = ServiceDefinition(
    name="funding",
    schema=schema,
    models=PLATFORM,
    emitter=emitter,
    make_loaders=FundingLoaders,
    handlers=handlers,
    companions=(WebhookWorker,),
)
