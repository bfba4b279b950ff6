# Fixtures live in topic modules owned by their feature; star-imported so pytest discovers them.
from tests.scheduler.calendar_support import frozen_at_module_now  # noqa: F401
from tests.scheduler.media_fixtures import *  # noqa: F403
from tests.scheduler.post_fixtures import *  # noqa: F403
from tests.scheduler.publish_fixtures import *  # noqa: F403
