"""Baseline: the governance and audit schema of the release before migrations (commit e3107dc).

A database made by that release has these tables and no ``alembic_version``; ``commons db upgrade`` checks that
its tables match this revision, stamps it, then applies the later ones.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), unique=True, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("public_benefit", sa.Text, nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("proposer", sa.String(120), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
    )
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("username", sa.String(120), primary_key=True),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
    )
    op.create_table(
        "project_datasets",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("dataset", sa.String(120), primary_key=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("project", sa.String(80), nullable=True),
        sa.Column("purpose", sa.Text, nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("dataset", sa.String(120), nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("rows", sa.BigInteger, nullable=True),
        sa.Column("bytes", sa.BigInteger, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(120), nullable=False, index=True),
        sa.Column("contributor", sa.String(120), nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("licence", sa.String(60), nullable=False),
        sa.Column("publisher", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("file_type", sa.String(20), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("metadata_json", sa.Text, nullable=False),
    )
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(120), nullable=False, unique=True),
        sa.Column("withdrawn_by", sa.String(120), nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("withdrawn_at", TZ, nullable=False),
        sa.Column("stories", sa.Text, nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project", sa.String(80), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("requester", sa.String(120), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("released_at", TZ, nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("replaces", sa.Integer, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("checks_status", sa.String(20), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "release_files",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), primary_key=True),
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("output", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("media_type", sa.String(80), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("check_status", sa.String(20), nullable=False),
        sa.Column("check_summary", sa.Text, nullable=False),
        sa.Column("exception", sa.Text, nullable=True),
    )
    op.create_table(
        "release_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), nullable=False, index=True),
        sa.Column("checker", sa.String(120), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "story_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(80), unique=True, nullable=False),
        sa.Column("story", sa.String(120), nullable=False, index=True),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("input_versions", sa.Text, nullable=False),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("pid", sa.Integer, nullable=True),
        sa.Column("places", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
        sa.Column("username", sa.String(120), nullable=True),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposer", sa.String(120), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decision_reason", sa.Text, nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposals.id"), nullable=False, index=True),
        sa.Column("voter", sa.String(120), nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("steward", sa.Boolean, nullable=False),
        sa.Column("owner_of", sa.Text, nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("cast_at", TZ, nullable=False),
        sa.UniqueConstraint("proposal_id", "voter", name="one_vote_per_member"),
    )


def downgrade() -> None:
    raise NotImplementedError("The commons migrates forward only: restore a backup to go back.")
