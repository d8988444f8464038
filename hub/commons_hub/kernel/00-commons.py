# Runs at the start of every kernel in the commons: imports the client and says who you are.
try:
    import commons_kernel as ck  # noqa: F401

    print(ck.hello())
except Exception as exc:  # never stop a kernel from starting
    print(f"commons_kernel is not ready ({exc}); `import commons_kernel as ck` and try `ck.hello()`.")

# %ask / %%ask: the assistant, imported on first use (it costs seconds; kernel start-up must not). Each question is
# recorded as your assistant use through the data-api (commons_kernel.assistant.member).
try:

    def _commons_ask(line, cell=None):
        from commons_kernel.assistant import magic
        from commons_kernel.assistant.member import member_assistant

        magic.shared_assistant(member_assistant)
        magic.ask_and_show(get_ipython(), cell if cell is not None else line)  # noqa: F821

    get_ipython().register_magic_function(_commons_ask, magic_kind="line_cell", magic_name="ask")  # noqa: F821
except Exception as exc:  # never stop a kernel from starting
    print(f"%ask is not available ({exc}); try `%load_ext commons_kernel.assistant`.")
