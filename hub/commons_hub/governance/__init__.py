"""Governance: the cooperative's decisions over its data, as one service layer.

Each write here checks who may act (``permissions``), checks what the state allows, and writes the change and its
audit event in one call and one transaction. The read rule itself is kept apart in ``commons_hub.policy``.

- projects.py              projects, their members and datasets
- decisions.py             proposals and votes; a decided proposal takes effect at once
- quorum.py                when the votes decide a proposal, and which way (pure functions)
- contributions.py         an upload becomes a pending version; a steward approves or rejects it
- contribution_files.py    a contribution's files, published crash-safely
- contribution_preview.py  what a steward sees of a pending contribution (personal data masked)
- withdrawals.py           a dataset taken out of use by its contributor or a steward
- organisations.py         which organisation a member speaks for, and how the register names people
- permissions.py           who may act: ``can_X`` returns a bool, ``check_can_X`` raises with the reason
"""
