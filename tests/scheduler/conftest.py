# Fixtures live in topic modules owned by their feature; star-imported so pytest discovers them.
from tests.scheduler.media_fixtures import *  # noqa: F403
from tests.scheduler.post_fixtures import *  # noqa: F403
from tests.scheduler.publish_fixtures import *  # noqa: F403
