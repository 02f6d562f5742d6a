# Backend fcall: direct calls (gates/fcall/backend.py). Its runtime is all
# in gate.inc; nothing else to build, and images boot in one QEMU.
