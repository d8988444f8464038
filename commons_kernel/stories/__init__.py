"""Stories for residents: the story model and the kit a story notebook uses. It runs in kernels, so it imports only
``commons_kernel``; the refresher's side (Papermill runs, snapshots, history) is ``commons_hub.publishing``.

A story is a folder ``stories/<slug>/`` with ``story.yaml`` (model.py), ``story.ipynb`` (a cell tagged
``parameters``) and a Python module of its sections (named by ``module:`` in story.yaml). How the pieces fit:
docs/operators/stories.md.

- model.py       story.yaml → ``Story``; ``discover()`` lists the stories
- kit.py         what a story notebook calls: ``story_module``, ``prepare``, ``show``
- blocks.py      page blocks (text, figure, table) and how they display; charts.py, words.py help make them
- artefacts.py   artefacts a refresh computes, saved and loaded; ``disclose`` is the one disclosure rule
- inputs.py      a story's governed inputs, read through the data-api
- chooser.py     the place picker's words and grouping; periods.py the periods a story covers
- reader.py      the Voilà app: a place picker over the published snapshot
"""

# Where every public page's footer links the accessibility statement (written by commons_hub.statement).
ACCESSIBILITY_STATEMENT_URL = "/services/stories/static/accessibility.html"
