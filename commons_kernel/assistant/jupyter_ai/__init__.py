"""The assistant in JupyterLab's chat panel: the "Commons Guide" persona for jupyter-ai 3.

Registered with the entry point group ``jupyter_ai.personas`` (pyproject.toml); the persona manager of each
user server loads it when a chat opens. Nothing here is imported by the kernel.
"""
