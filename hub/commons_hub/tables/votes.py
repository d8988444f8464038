"""Tables of cooperative decisions: proposals (a new project, or adding or removing a project member) and the
votes cast on them. A proposal's outcome is applied to ``projects`` / ``project_members`` at once."""

from __future__ import annotations

import sqlalchemy as sa

from commons_hub.db import METADATA

proposals = sa.Table(
    "proposals",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # project | add-member | remove-member
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("username", sa.String(120), nullable=True),  # the member added or removed
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("proposer", sa.String(120), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # open | approved | rejected | lapsed
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decision_reason", sa.Text, nullable=False, default=""),
)

votes = sa.Table(
    "votes",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("proposal_id", sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("voter", sa.String(120), nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("steward", sa.Boolean, nullable=False, default=False),
    sa.Column(
        "owner_of", sa.Text, nullable=False, default="[]"
    ),  # JSON: restricted datasets whose owner they speak for
    sa.Column("choice", sa.String(10), nullable=False),  # approve | reject | abstain
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("proposal_id", "voter", name="one_vote_per_member"),
)
