"""The only code that speaks HTTP to Instagram: client, typed errors, usage headers, and the sandbox.

Plain Python: nothing here imports Django at import time (see instagram.conf for the settings bridge).
"""
