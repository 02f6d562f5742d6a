# Backend mpk: protection-key domains (gates/mpk/backend.py).
# gate_mpk: the boot-time page tagging, linked into the kernel core's
# compartment (backend.py's core_libs).
LIBS += gate_mpk
gate_mpk_SRCS := gates/mpk/protect.c
# gate_callback, linked outside every compartment: it runs in its caller's
# domain and takes the caller from PKRU. The argument checks, also outside:
# they run in the callee's domain before the callee (gates/args.c, and
# range.c, what a caller may hand over).
BACKEND_mpk_OBJS := $(OBJDIR)/gates/mpk/callback.c.o $(OBJDIR)/gates/args.c.o \
		    $(OBJDIR)/gates/mpk/range.c.o
# The checks run just before a callee that may look at its vector
# registers: they use none.
$(OBJDIR)/gates/args.c.o $(OBJDIR)/gates/mpk/range.c.o: KCFLAGS += -mgeneral-regs-only
