# Runs at the start of every kernel in the commons: imports the client and says who you are.
try:
    import commons_kernel as ck  # noqa: F401

    print(ck.hello())
except Exception as exc:  # never stop a kernel from starting
    print(f"commons_kernel is not ready ({exc}); `import commons_kernel as ck` and try `ck.hello()`.")
