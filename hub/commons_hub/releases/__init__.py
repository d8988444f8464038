"""Output releases: a project asks for outputs made from governed data to leave; two checkers review them.

- service.py  request, review, release and download, each checked, written and audited in one call
- rules.py    who may request, review, resubmit and download, and what the reviews add up to (pure functions)
- files.py    a release's files on disk, written once, atomically, with checksums
- review.py   what an output checker sees of a release before reviewing it
"""
