# One module per topic; each engineer adds its import line here.
from scheduler.models.system import Heartbeat  # noqa: F401
