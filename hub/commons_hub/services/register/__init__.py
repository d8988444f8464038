"""The public register: every dataset, project, decision, data use, release, contribution, withdrawal and story
refresh, and whether the audit chain verifies. Public (no login), read-only, plain HTML and JSON."""
