"""The registry as the shared plumbing sees it."""

from services.common.runtime.service import ServiceDefinition

from .events import emitter
from .loaders import RegistryLoaders
from .models import PLATFORM
from .schema import schema
from .signin import routes

service = ServiceDefinition(name="registry", schema=schema, models=PLATFORM, emitter=emitter, make_loaders=RegistryLoaders,
                            routes=routes)
