# Backend ept: one VM per compartment (gates/ept/backend.py). The mailbox
# RPCs, the per-VM hooks and the argument contracts (copy.c, with the
# checks of gates/args.c), linked outside every compartment; images
# boot through the launcher, one QEMU per compartment.
BACKEND_ept_OBJS := $(OBJDIR)/gates/ept/rpc.c.o $(OBJDIR)/gates/ept/vm.c.o \
		    $(OBJDIR)/gates/ept/copy.c.o $(OBJDIR)/gates/args.c.o
BACKEND_ept_RUN := scripts/ept-launch.py
