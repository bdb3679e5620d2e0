from services.common.models import platform_models
OutboxEvent, InboxEvent, AuditRecord, DistrictDirectory = PLATFORM = platform_models(__name__)
