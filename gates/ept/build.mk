# Backend ept: one VM per compartment (gates/ept/backend.py). The mailbox
# RPCs and the per-VM hooks, linked outside every compartment; images
# boot through the launcher, one QEMU per compartment.
BACKEND_ept_OBJS := $(OBJDIR)/gates/ept/rpc.c.o $(OBJDIR)/gates/ept/vm.c.o
BACKEND_ept_RUN := scripts/ept-launch.py
