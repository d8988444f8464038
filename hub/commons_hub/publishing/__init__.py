"""Publishing stories: the refresher's side of the story kit (the kit itself is ``commons_kernel.stories``).

- runner.py    ``refresh(story)``: Papermill runs into a run folder, disclosure, pages, promotion, history
- engine.py    the Papermill engine that runs a story notebook in a warm kernel
- pages.py     the static page and the Voilà app written from a run
- snapshot.py  run folders, the published snapshot and its atomic switch, per-story locks
- history.py   run history in the governance database
"""
