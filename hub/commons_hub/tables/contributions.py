"""Tables of contributed data: each upload that passed the checks (a pending version until a steward decides),
and each withdrawal of a dataset by its contributor. The data themselves stay in the store."""

from __future__ import annotations

import sqlalchemy as sa

from commons_hub.db import METADATA

contributions = sa.Table(
    "contributions",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(120), nullable=False, index=True),
    sa.Column("contributor", sa.String(120), nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("tier", sa.String(20), nullable=False),
    sa.Column("licence", sa.String(60), nullable=False),
    sa.Column("publisher", sa.Text, nullable=False, default=""),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("file_type", sa.String(20), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # pending | approved | rejected
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decided_by", sa.String(120), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, default=""),  # the steward's reason (required to reject)
    sa.Column("version", sa.Integer, nullable=True),  # the store version once approved
    sa.Column("metadata_json", sa.Text, nullable=False),  # the contributor's metadata, as JSON
)

withdrawals = sa.Table(
    "withdrawals",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(120), nullable=False, unique=True),
    sa.Column("withdrawn_by", sa.String(120), nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("stories", sa.Text, nullable=False, default="[]"),  # JSON list of story slugs that used the dataset
)
