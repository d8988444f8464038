"""Run one refresh of the toy story in this process (the kill -9 test kills it part-way).

python -m tests.unit.stories_refresh_child STATE_DIR
"""

import sys
from pathlib import Path

from commons_hub.db import engine
from commons_hub.publishing.history import RunHistory
from commons_hub.publishing.runner import Refresher
from commons_kernel.stories.model import load_story
from tests.unit.stories_doubles import TOY_STORIES, FakeInputs

if __name__ == "__main__":
    home = Path(sys.argv[1])
    history = RunHistory(engine(f"sqlite:///{home / 'governance.sqlite'}"))
    refresher = Refresher(
        FakeInputs(version=2),
        "token",
        "http://127.0.0.1:9",
        home=home,
        history=history,
        stories_folder=TOY_STORIES,
        workers=1,
    )
    print(refresher.refresh(load_story(TOY_STORIES / "toy-story"), trigger="test"), flush=True)
