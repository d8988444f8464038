"""Stories for residents: the story model, the notebook kit, the refresher's runner and the published snapshots.

A story is a folder ``stories/<slug>/`` with ``story.yaml`` (model.py), ``story.ipynb`` (a cell tagged
``parameters``) and a Python module of its sections (named by ``module:`` in story.yaml). How the pieces fit:
docs/operators/stories.md.

- model.py       story.yaml → ``Story``; ``discover()`` lists the stories
- kit.py         what a story notebook calls: ``story_module``, ``prepare``, ``show``
- blocks.py      page blocks (text, figure, table) and how they display; charts.py, words.py help make them
- artefacts.py   artefacts a refresh computes, saved and loaded; ``disclose`` is the one disclosure rule
- runner.py      ``refresh(story)``: Papermill runs into a run folder, disclosure, pages, promotion, history
- snapshot.py    run folders, the published snapshot and its atomic switch, per-story locks
- history.py     run history in the governance database
- reader.py      the Voilà app: a place picker over the published snapshot
"""
