"""Run history of the stories' refresher: one row per refresh of one story (all its places)."""

from __future__ import annotations

import sqlalchemy as sa

from commons_hub.db import METADATA

story_runs = sa.Table(
    "story_runs",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(80), unique=True, nullable=False),  # also the run folder's name
    sa.Column("story", sa.String(120), nullable=False, index=True),  # the story's slug
    sa.Column("parameters", sa.Text, nullable=False, default="{}"),  # JSON: {parameter: [values run]}
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(20), nullable=False),  # running | published | failed | skipped | interrupted
    sa.Column("input_versions", sa.Text, nullable=False, default="{}"),  # JSON: {dataset: version, "story": sha}
    sa.Column("trigger", sa.String(40), nullable=False, default="manual"),  # manual | schedule | start
    sa.Column("actor", sa.String(120), nullable=False, default=""),
    sa.Column("pid", sa.Integer, nullable=True),
    sa.Column("places", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)
