# tests: the in-QEMU test kernel's application, and the host unit tests.

# The test kernel links every kernel library plus this one as its app.
LIBS += ktest
ktest_SRCS := tests/ktest.c tests/kernel/main.c $(wildcard tests/kernel/test_*.c)

# An application carrying a stray WRPKRU and XRSTOR: the build must refuse
# to link it (tests/configs/bad/stray.toml).
LIBS += stray
stray_SRCS := tests/stray/main.c

# Host unit tests: pure kernel sources built natively with sanitizers.
HOST_TEST_SRCS := tests/ktest.c tests/host/main.c tests/host/stubs.c \
	$(wildcard tests/host/test_*.c) \
	mm/regions.c mm/page.c mm/heap.c kernel/format.c kernel/cmdline.c \
	kernel/ksyms.c boot/bootinfo.c time/rtc.c $(ramfs_SRCS) libc/inet.c

# Gate tests: the victim library (optional: only in images that name it)
# and the application that calls it, attacks included.
OPT_LIBS += victim
LIBS += victim
victim_SRCS := tests/victim/victim.c tests/victim/hygiene.c
LIBS += gatetest
gatetest_SRCS := tests/ktest.c tests/kernel/main.c tests/gatetest/test_gates.c \
	tests/gatetest/test_attacks.c tests/gatetest/test_runtime.c \
	tests/gatetest/test_handles.c tests/gatetest/test_owner.c \
	tests/gatetest/test_contracts.c tests/gatetest/test_ept.c \
	tests/gatetest/test_ept_copy.c \
	tests/gatetest/bench.c

# An attacker VM for the ept backend (optional: only in images that name
# it, tests/configs/forge-ept.toml): forged mailbox messages.
OPT_LIBS += forger
LIBS += forger
forger_SRCS := tests/forger/forger.c

# Socket tests: BSD calls on lwIP's loopback interface, with lwIP beside
# the application (tests/configs/sockets-fcall.toml) or in a compartment
# of its own (sockets-mpk.toml).
LIBS += socktest
socktest_SRCS := tests/ktest.c tests/kernel/main.c tests/socktest/test_sockets.c \
	tests/socktest/test_boundary.c
$(OBJDIR)/tests/socktest/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(socktest_SRCS)): | $(LWIP_STAMP)

# An application calling a page-table function only the kernel core may
# call: its image must not build (tests/configs/bad/forbidden-call.toml).
LIBS += forbidden
forbidden_SRCS := tests/forbidden/main.c

# A network stack that lies about lengths (optional: only in images that
# name it), and the tests of libc's socket calls against it.
OPT_LIBS += liar
LIBS += liar
liar_SRCS := tests/liar/liar.c
LIBS += boundtest
boundtest_SRCS := tests/ktest.c tests/kernel/main.c tests/boundtest/test_liar.c
$(OBJDIR)/tests/boundtest/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(boundtest_SRCS)): | $(LWIP_STAMP)

# A driver library that calls PCI configuration space itself, which only
# the kernel core may: its image must not build
# (tests/configs/bad/driver-pci.toml).
OPT_LIBS += rogue
LIBS += rogue
rogue_SRCS := tests/rogue/rogue.c

# An application holding privileged instructions: its mpk image must not
# link (tests/configs/bad/privileged.toml).
LIBS += privileged
privileged_SRCS := tests/privileged/main.c

# Test hooks linked into the kernel core's compartment of the mpk
# gate-test images (optional: only where a configuration names it).
OPT_LIBS += corehook
LIBS += corehook
corehook_SRCS := tests/corehook/corehook.c

# The interface fuzzer (scripts/fuzz.py, make fuzz): an application that
# calls what its compartment may call in the others, through the gates.
LIBS += fuzz
fuzz_SRCS := tests/fuzz/main.c
