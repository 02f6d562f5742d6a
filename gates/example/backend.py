"""Backend example: the smallest backend there can be, as a template.

It behaves as fcall does (one domain, direct calls) but is a folder of its
own: this module, the runtime in gate.inc and an empty build.mk. Copy the
folder to start a new backend; docs/design.md, "Adding a backend", says
what to change. make test builds and boots an image with it
(tests/configs/other/example.toml).
"""
import backend


class Example(backend.Backend):
    name = "example"
    max_compartments = 4
    max_reason = "the example backend keeps its limit small on purpose"


BACKEND = Example()
