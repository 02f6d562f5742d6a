# Backend mpk: protection-key domains (gates/mpk/backend.py).
# gate_mpk: the boot-time page tagging, linked into the kernel core's
# compartment (backend.py's core_libs).
LIBS += gate_mpk
gate_mpk_SRCS := gates/mpk/protect.c
# gate_callback, linked outside every compartment: it runs in its caller's
# domain and takes the caller from PKRU.
BACKEND_mpk_OBJS := $(OBJDIR)/gates/mpk/callback.c.o
