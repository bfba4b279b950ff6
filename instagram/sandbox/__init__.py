"""Offline Instagram simulator: `python -m instagram.sandbox`, or RunningSandbox in tests (see testing.py)."""

from instagram.sandbox.state import DEFAULT_CONFIG, Sandbox, SandboxError

__all__ = ["DEFAULT_CONFIG", "Sandbox", "SandboxError"]
