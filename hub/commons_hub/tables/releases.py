"""Tables of output releases: the requests, their files and the checkers' reviews.

The public register reads ``releases`` (title, project, dates, status) and ``release_reviews`` (who reviewed,
their decision and comment). The files themselves live under ``$COMMONS_HOME/releases/<id>/``; the table
``release_files`` holds each file's checksum and check result, so the database alone says what was released.
"""

import sqlalchemy as sa

from commons_hub.db import METADATA

releases = sa.Table(
    "releases",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project", sa.String(80), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("requester", sa.String(120), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # pending | released | rejected | changes-requested
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),  # released, rejected or sent back
    sa.Column("replaces", sa.Integer, nullable=True),  # the release this one resubmits
    sa.Column("version", sa.Integer, nullable=False, default=1),  # 1, then 2 for the first resubmission ...
    sa.Column("checks_status", sa.String(20), nullable=False),  # worst server check: pass | review | fail
    sqlite_autoincrement=True,  # an id is never reused, so releases/<id>/ always names one request
)

release_files = sa.Table(
    "release_files",
    METADATA,
    sa.Column("release_id", sa.ForeignKey("releases.id"), primary_key=True),
    sa.Column("name", sa.String(120), primary_key=True),  # file name under releases/<id>/files/
    sa.Column("output", sa.String(120), nullable=False),  # the analyst's name for the object
    sa.Column("kind", sa.String(20), nullable=False),  # table | model | figure | text
    sa.Column("media_type", sa.String(80), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("check_status", sa.String(20), nullable=False),  # pass | review | fail (server's checks)
    sa.Column("check_summary", sa.Text, nullable=False, default=""),
    sa.Column("exception", sa.Text, nullable=True),  # the analyst's reason to release a failing output
)

release_reviews = sa.Table(
    "release_reviews",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("release_id", sa.ForeignKey("releases.id"), nullable=False, index=True),
    sa.Column("checker", sa.String(120), nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),  # approve | request-changes | reject
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
