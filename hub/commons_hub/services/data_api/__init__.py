"""The data-api: the only way governed data leaves the store (catalogue, policy, audit, data)."""
