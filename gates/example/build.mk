# Backend example: a do-nothing backend to copy (gates/example/backend.py).
# A backend's C runtime would be listed in BACKEND_example_OBJS, a launcher
# other than scripts/qemu-run.sh in BACKEND_example_RUN, and libraries for
# the kernel core as LIBS += ... (named in backend.py's core_libs).
