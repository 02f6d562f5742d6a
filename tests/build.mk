# tests: the in-QEMU test kernel's application, and the host unit tests.

# The test programs, applications a configuration may pick like those of
# apps/ (each declared below).
APPS += ktest stray forbidden privileged gatetest socktest boundtest fstest fuzz echo posix \
	hardtest

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
	tests/gatetest/test_ept_copy.c tests/gatetest/test_libc.c \
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
	tests/socktest/test_boundary.c tests/socktest/test_ept.c \
	tests/socktest/test_core_lock.c tests/socktest/test_nic.c
$(OBJDIR)/tests/socktest/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(socktest_SRCS)): | $(LWIP_STAMP)

# File-system tests: the devices, a full ramfs, and the vfs's boundary,
# with the vfs beside the application (tests/configs/fs-fcall.toml) or in
# a compartment of its own beside a victim's (fs-mpk.toml).
LIBS += fstest
fstest_SRCS := tests/ktest.c tests/kernel/main.c tests/fstest/test_fs.c
OPT_LIBS += fsvictim
LIBS += fsvictim
fsvictim_SRCS := tests/fsvictim/fsvictim.c

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

# Hardening tests (tests/configs/harden-*.toml): a library of planted
# bugs (optional: only in images that name it) and the application that
# runs them.
OPT_LIBS += hbugs
LIBS += hbugs
hbugs_SRCS := tests/hbugs/hbugs.c
LIBS += hardtest
hardtest_SRCS := tests/ktest.c tests/kernel/main.c tests/hardtest/test_harden.c

# Test hooks linked into the kernel core's compartment of the mpk
# gate-test images (optional: only where a configuration names it).
OPT_LIBS += corehook
LIBS += corehook
corehook_SRCS := tests/corehook/corehook.c

# A program that prints its arguments and echoes its console input
# (tests/configs/other/echo.toml): the runner types into it.
LIBS += echo
echo_SRCS := tests/echo/main.c

# The interface fuzzer (scripts/fuzz.py, make fuzz): an application that
# calls what its compartment may call in the others, through the gates.
LIBS += fuzz
fuzz_SRCS := tests/fuzz/main.c

# The POSIX differential harness (tests/posix/): every tests/posix/*.c is
# an ordinary program, compiled with its main renamed posix_main_<name>;
# the dispatcher (tests/posix/runner/main.c) runs each in turn, as the
# guest application `posix` (tests/configs/posix-*.toml) and, built
# against glibc, on the host (POSIX_HOST). scripts/run-tests.py requires
# the same output from both. The list of programs is written to
# POSIX_LIST when it changes, so that adding one rebuilds the dispatcher.
POSIX_PROGS	:= $(sort $(basename $(notdir $(wildcard tests/posix/*.c))))
POSIX_LIST	:= $(BUILD)/posix-programs
$(shell mkdir -p $(BUILD) && { echo '$(POSIX_PROGS)' | cmp -s - $(POSIX_LIST) || \
	echo '$(POSIX_PROGS)' > $(POSIX_LIST); })
POSIX_DEFS	:= -DPOSIX_PROGRAMS='$(foreach p,$(POSIX_PROGS),X($(p)))'
LIBS += posix
posix_SRCS := tests/posix/runner/main.c $(patsubst %,tests/posix/%.c,$(POSIX_PROGS))
$(foreach p,$(POSIX_PROGS),$(eval \
	$(OBJDIR)/tests/posix/$(p).c.o: KCFLAGS += -Dmain=posix_main_$(p)))
$(OBJDIR)/tests/posix/runner/main.c.o: KCFLAGS += $(POSIX_DEFS)
$(OBJDIR)/tests/posix/runner/main.c.o: $(POSIX_LIST)
$(patsubst %,$(OBJDIR)/tests/posix/%.c.o,$(POSIX_PROGS)): tests/posix/posix.h

# The same programs and dispatcher for the host, with glibc's threads.
POSIX_HOST	:= $(BUILD)/tests/posix-host
POSIX_HOSTCFLAGS := -std=gnu11 -O2 -g -pthread -Wall -Wextra -Werror
$(POSIX_HOST): tests/posix/runner/main.c $(patsubst %,tests/posix/%.c,$(POSIX_PROGS)) \
		tests/posix/posix.h $(POSIX_LIST)
	@mkdir -p $@.objs
	@echo "  HOSTLD  $@"
	@for p in $(POSIX_PROGS); do \
		$(CC) $(POSIX_HOSTCFLAGS) -Dmain=posix_main_$$p -c tests/posix/$$p.c \
			-o $@.objs/$$p.o || exit 1; \
	done
	@$(CC) $(POSIX_HOSTCFLAGS) $(POSIX_DEFS) -o $@ tests/posix/runner/main.c \
		$(patsubst %,$@.objs/%.o,$(POSIX_PROGS)) -lm
