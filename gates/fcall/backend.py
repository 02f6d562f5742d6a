"""Backend fcall: one domain, every gate a direct call.

The reference every other backend is tested against: no stubs, no keys,
and a gate runtime (gate.inc) whose functions do nothing.
"""
import backend


class Fcall(backend.Backend):
    name = "fcall"


BACKEND = Fcall()
