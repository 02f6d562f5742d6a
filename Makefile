# Bulkhead - top-level Makefile.
#
# Each directory contributes a fragment (*/build.mk) that declares its
# library: `LIBS += name` and `name_SRCS := files`. A library is the unit
# of isolation: its objects are combined into one relocatable object,
# build/lib/<name>.o, which images are linked from.
#
# `make help` lists the targets and variables (the #> lines below).

.DEFAULT_GOAL := all

# --- where things go --------------------------------------------------------
BUILD		:= build
# Objects, one per source file, mirroring the source tree.
OBJDIR		:= $(BUILD)/obj
# One relocatable object per library.
LIBDIR		:= $(BUILD)/lib
# newlib, built once from Debian's newlib-source and kept across `clean`.
NEWLIB		:= $(BUILD)/newlib
NEWLIB_STAMP	:= $(NEWLIB)/.built
NEWLIB_INC	:= $(NEWLIB)/x86_64-elf/include
NEWLIB_LIBS	:= $(NEWLIB)/x86_64-elf/lib/libc.a $(NEWLIB)/x86_64-elf/lib/libm.a
# What newlib is compiled with beyond its own flags, which everything
# compiled against its headers must share: with __DYNAMIC_REENT__ newlib
# asks __getreent() (libc/thread.c) for the running thread's state.
# scripts/build-newlib.sh records them in its stamp and rebuilds newlib
# when they change.
NEWLIB_CFLAGS	:= -D__DYNAMIC_REENT__
NEWLIB_FLAGS_FILE := $(BUILD)/.newlib-cflags
# Written once the Debian packages the build needs are present.
DEPS_STAMP	:= $(BUILD)/.deps-ok
# Generated includes for NASM (constants from include/bulkhead/x86.h).
GENINC		:= $(BUILD)/include

# --- tools and flags --------------------------------------------------------
CC		:= gcc
LD		:= ld
NASM		:= nasm
PYTHON		:= python3
# gcc's own headers (stdint.h, stdarg.h) beside newlib's.
GCC_INC		:= $(shell $(CC) -print-file-name=include)
LIBGCC		:= $(shell $(CC) -print-libgcc-file-name)
# Flags for everything that runs in the guest: no red zone (interrupts
# land on IST stacks, but our own code should not rely on that), no PIC,
# frame pointers for backtraces, newlib's headers instead of glibc's, and
# none of the Linux predefines, which ported programs would take for Linux.
# The POSIX options Bulkhead implements are announced to newlib's headers.
KCFLAGS		:= -std=gnu11 -O2 -g -m64 -mno-red-zone -mcmodel=small \
		   -fno-pic -fno-pie -fno-stack-protector \
		   -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
		   -nostdinc -isystem $(NEWLIB_INC) -isystem $(GCC_INC) \
		   -Iinclude -U__linux__ -U__linux -U__gnu_linux__ -Ulinux -Uunix \
		   -U__unix__ -U__unix -D__BULKHEAD__ $(NEWLIB_CFLAGS) \
		   -D_POSIX_TIMERS=1 -D_POSIX_MONOTONIC_CLOCK=200112L \
		   -D_POSIX_THREADS=200809L -D_POSIX_TIMEOUTS=200809L \
		   -D_POSIX_READER_WRITER_LOCKS=200809L \
		   -D_UNIX98_THREAD_MUTEX_ATTRIBUTES=1 \
		   -DFD_SETSIZE=1024 -Iinclude/posix \
		   -Wall -Wextra -Werror -MMD -MP
NASMFLAGS	:= -f elf64 -g -F dwarf -I$(GENINC)/ -MD
# --- hardening --------------------------------------------------------------
# A compartment's `hardening` options (docs/design.md, "Hardening") compile
# its libraries, its copy of libc and its newlib with more flags. A set of
# options has a tag (scripts/bulkhead_config.py, hardening_tag: "sp",
# "ubsan", "kasan" joined by "-"); a tag's objects are made by a make of
# their own, with OBJDIR, LIBDIR and FLAGS_FILE under build/harden/TAG/
# and HARDEN_TAG set, so every fragment's per-object flags apply to them
# too; its newlib is build/newlib-TAG.
HARDEN_TAG	?=
HARDEN_WORDS	= $(subst sp,stack-protector,$(subst -, ,$(1)))
# What each option adds to gcc's flags (newlib gets these too) ...
HFLAGS_stack-protector := -fstack-protector-strong -mstack-protector-guard=global
HFLAGS_ubsan	:= -fsanitize=undefined
KASAN_SHADOW_OFFSET := 0x100000000000
HFLAGS_kasan	:= -fsanitize=kernel-address -fasan-shadow-offset=$(KASAN_SHADOW_OFFSET) \
		   --param asan-instrumentation-with-call-threshold=0 --param asan-stack=1 \
		   --param asan-globals=1
# ... what newlib gets besides: with KASan, its byte-at-a-time string
# functions, since the word-at-a-time ones read past a string's end on
# purpose (within its last aligned word), which KASan would report ...
HNEWLIB_kasan	:= -DPREFER_SIZE_OVER_SPEED
# ... and what tells Bulkhead's own code which runtime to build (libc/harden.c).
HDEFS_stack-protector := -DBULKHEAD_STACK_PROTECTOR
HDEFS_ubsan	:= -DBULKHEAD_UBSAN
HDEFS_kasan	:= -DBULKHEAD_KASAN -DBULKHEAD_KASAN_OFFSET=$(KASAN_SHADOW_OFFSET)
harden_flags	= $(foreach o,$(call HARDEN_WORDS,$(1)),$(HFLAGS_$(o)))
harden_defs	= $(foreach o,$(call HARDEN_WORDS,$(1)),$(HDEFS_$(o)))
KCFLAGS		+= $(call harden_flags,$(HARDEN_TAG)) $(call harden_defs,$(HARDEN_TAG))
# The runtime itself and the allocator under it are never instrumented:
# they are what the checks call, and they read red zones on purpose.
HARDEN_PLAIN	:= libc/harden.c libc/ubsan.c libc/kasan.c libc/malloc.c mm/heap.c
# (gcc wants -fsanitize=kernel-address wherever its shadow offset is
# given: there KASan stays on with nothing to instrument.)
HARDEN_PLAIN_FLAGS := -fno-sanitize=undefined -fno-stack-protector \
	$(if $(filter kasan,$(call HARDEN_WORDS,$(HARDEN_TAG))),--param asan-instrument-reads=0 \
	--param asan-instrument-writes=0 --param asan-globals=0 --param asan-stack=0 \
	--param asan-memintrin=0)
ifneq ($(HARDEN_TAG),)
$(patsubst %,$(OBJDIR)/%.o,$(HARDEN_PLAIN)): KCFLAGS += $(HARDEN_PLAIN_FLAGS)
endif

# Host unit tests: the same pure sources, with sanitizers.
HOSTCFLAGS	:= -std=gnu11 -O1 -g -Iinclude -Itests \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -Wall -Wextra -Werror -MMD -MP
# Extra words for the guest command line of `make run`, e.g. ARGS="-- a b".
ARGS		?=

# Objects depend on this file, which changes only when KCFLAGS does, so a
# change of flags rebuilds everything and an unchanged build rebuilds nothing.
FLAGS_FILE	?= $(BUILD)/.kcflags
$(shell mkdir -p $(dir $(FLAGS_FILE)) && { echo '$(KCFLAGS)' | cmp -s - $(FLAGS_FILE) || \
	echo '$(KCFLAGS)' > $(FLAGS_FILE); })
# The same for newlib's own flags: a change rebuilds newlib.
$(shell { echo '$(NEWLIB_CFLAGS)' | cmp -s - $(NEWLIB_FLAGS_FILE) || \
	echo '$(NEWLIB_CFLAGS)' > $(NEWLIB_FLAGS_FILE); })

# --- the libraries ----------------------------------------------------------
LIBS :=
# Libraries an image holds only when its configuration names them
# (fragments add to it).
OPT_LIBS :=
# Application libraries, of which a configuration picks one: every folder
# apps/NAME/ (apps/build.mk) and the test programs (tests/build.mk).
APPS :=
include boot/build.mk kernel/build.mk compartments/build.mk mm/build.mk \
	sched/build.mk time/build.mk libc/build.mk net/virtio/build.mk \
	net/lwip/build.mk fs/vfs/build.mk fs/ramfs/build.mk apps/build.mk tests/build.mk
# Each backend's fragment (gates/<name>/build.mk) declares its libraries
# and sets BACKEND_<name>_OBJS (C runtime linked outside every
# compartment) and BACKEND_<name>_RUN (how to boot its images).
include $(wildcard gates/*/build.mk)

# The libraries every image contains are scripts/bulkhead_config.py's
# KERNEL_LIBS. A name declared twice (an application folder named like
# another library) would mix two libraries' sources into one.
DUP_LIBS	:= $(strip $(foreach l,$(sort $(LIBS)),$(if $(word 2,$(filter $(l),$(LIBS))),$(l))))
ifneq ($(DUP_LIBS),)
$(error library $(DUP_LIBS) is declared twice (an application folder apps/NAME is library NAME: \
	rename the folder))
endif

src_to_obj	= $(patsubst %,$(OBJDIR)/%.o,$(1))
lib_obj		= $(LIBDIR)/$(1).o

# Generated intermediates (glue sources and the like) are kept.
.SECONDARY:

.PHONY: all image initrd run iso test test-build mutate fuzz explore inventory test-gates debug deps \
	clean distclean check-style FORCE test-redis
all: image

# --- set-up: Debian packages and newlib --------------------------------------
$(DEPS_STAMP): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(@D) && touch $@

$(NEWLIB_STAMP): scripts/build-newlib.sh $(NEWLIB_FLAGS_FILE) | $(DEPS_STAMP)
	scripts/build-newlib.sh $(NEWLIB) $(NEWLIB_CFLAGS)

deps: $(DEPS_STAMP)

# --- compiling --------------------------------------------------------------
$(GENINC)/x86.inc: include/bulkhead/x86.h scripts/gen-x86-inc.sh
	@mkdir -p $(@D)
	scripts/gen-x86-inc.sh $< $@

# Guest code sees lwIP's headers: the socket and poll headers of
# include/posix/ are lwIP's types, for every program (net/lwip/build.mk).
KCFLAGS		+= $(LWIP_CFLAGS)

$(OBJDIR)/%.c.o: %.c $(FLAGS_FILE) | $(NEWLIB_STAMP) $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

# Test sources include tests/ktest.h.
$(OBJDIR)/tests/%: KCFLAGS += -Itests

$(OBJDIR)/%.asm.o: %.asm $(GENINC)/x86.inc | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) $(@:.o=.d) $< -o $@

# One relocatable object per library.
define lib_rule
$(call lib_obj,$(1)): $(call src_to_obj,$($(1)_SRCS))
	@mkdir -p $$(@D)
	@echo "  LIB     $$@"
	@$(LD) -r -o $$@ $$^
endef
$(foreach l,$(LIBS),$(eval $(call lib_rule,$(l))))

# --- the configuration ------------------------------------------------------
# CONFIG names the configuration to build and run; everything generated for
# it goes to build/<name>/. scripts/bulkhead_config.py validates the file
# (errors are reported as file:line) and writes config.mk, which says which
# libraries each compartment holds (CFG_* variables).
CONFIG		?= configs/default.toml
CFG		:= $(basename $(notdir $(CONFIG)))
CFGDIR		:= $(BUILD)/$(CFG)
COMPDIR		:= $(CFGDIR)/comp
IMAGE		:= $(CFGDIR)/bulkhead.elf
CONFIG_ARGS	= $(CONFIG) --apps "$(APPS)" --optional-libs "$(OPT_LIBS)" \
		  --out $(CFGDIR)
API_FILES	:= $(wildcard */*.api apps/*/*.api tests/*/*.api net/*/*.api fs/*/*.api \
		     gates/*/*.api)
# What the configuration tool and the generator read besides the config.
CONFIG_TOOL	:= scripts/bulkhead_config.py scripts/backend.py scripts/layout.py \
		   $(wildcard gates/*/backend.py)

# Goals that need no configuration read none.
NO_CONFIG_GOALS	:= clean distclean deps check-style mutate fuzz explore help configs
ifeq ($(filter $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),)
ifeq ($(wildcard $(CONFIG)),)
$(shell $(PYTHON) scripts/configs.py --missing '$(CONFIG)' >&2)
$(error CONFIG=$(CONFIG) does not exist (the configurations are listed above))
endif
include $(CFGDIR)/config.mk
endif
$(CFGDIR)/config.mk: $(CONFIG) $(CONFIG_TOOL)
	@echo "  CONFIG  $(CONFIG)"
	@$(PYTHON) scripts/bulkhead_config.py $(CONFIG_ARGS)
	@touch $@

# The linker script, the compartment table and each compartment's list of
# exported symbols are rewritten only when their content changes.
$(CFGDIR)/layout.stamp: $(CFGDIR)/config.mk scripts/gen-image.py $(CONFIG_TOOL) \
		$(API_FILES) linker/image.ld.in include/bulkhead/x86.h
	@$(PYTHON) scripts/gen-image.py layout $(CONFIG_ARGS)
	@touch $@
$(CFGDIR)/kernel.ld $(CFGDIR)/comp_table.c: $(CFGDIR)/layout.stamp
	@test -f $@ || $(PYTHON) scripts/gen-image.py layout $(CONFIG_ARGS)
$(COMPDIR)/%.keep $(COMPDIR)/%.glue.c: $(CFGDIR)/layout.stamp
	@test -f $@ || $(PYTHON) scripts/gen-image.py layout $(CONFIG_ARGS)

# Per-compartment constants of its libc copy (its protection key, and the
# application's entry in the application's compartment).
$(COMPDIR)/%.glue.o: $(COMPDIR)/%.glue.c $(FLAGS_FILE) | $(NEWLIB_STAMP)
	@$(CC) $(KCFLAGS) -c $< -o $@

$(CFGDIR)/comp_table.o: $(CFGDIR)/comp_table.c $(FLAGS_FILE) | $(NEWLIB_STAMP)
	@$(CC) $(KCFLAGS) -c $< -o $@

# A hardened compartment's libraries, libc and newlib: those of its tag.
# The tag's make is asked every time (it knows the sources); the object
# changes, and what is linked from it is redone, only when it rebuilds.
define harden_rule
$(BUILD)/harden/$(1)/lib/%.o: FORCE | $(NEWLIB_STAMP)
	@$(MAKE) --no-print-directory -s HARDEN_TAG=$(1) OBJDIR=$(BUILD)/harden/$(1)/obj \
		LIBDIR=$(BUILD)/harden/$(1)/lib FLAGS_FILE=$(BUILD)/harden/$(1)/.kcflags $$@
$(BUILD)/newlib-$(1)/.built: scripts/build-newlib.sh Makefile $(NEWLIB_FLAGS_FILE) | $(DEPS_STAMP)
	scripts/build-newlib.sh $(BUILD)/newlib-$(1) $(NEWLIB_CFLAGS) $(call harden_flags,$(1)) \
		$(foreach o,$(call HARDEN_WORDS,$(1)),$(HNEWLIB_$(o)))
endef
ifeq ($(HARDEN_TAG),)
$(foreach t,$(CFG_HTAGS),$(eval $(call harden_rule,$(t))))
endif
comp_lib	= $(if $(CFG_COMP_$(1)_HTAG),$(BUILD)/harden/$(CFG_COMP_$(1)_HTAG)/lib/$(2).o,$(call lib_obj,$(2)))
comp_newlib	= $(if $(CFG_COMP_$(1)_HTAG),$(BUILD)/newlib-$(CFG_COMP_$(1)_HTAG),$(NEWLIB))

# A compartment: its libraries and a private copy of libc (Bulkhead's glue,
# newlib, libgcc) in one object, checked for references into other
# compartments that are not exported, its calls into other compartments
# sent to gate stubs, then stripped to what others may enter. With KASan,
# the constructors that register its globals (and any others it has) are
# moved to its own section, which its runtime runs in its own domain
# (libc/kasan.c); their destructors are dropped. It depends on config.mk
# too, which changes with the compartment's libraries: one moved in from
# elsewhere is older than the object.
define comp_rule
$(COMPDIR)/$(1).raw.o: $(foreach l,$(CFG_COMP_$(1)_LIBS) libc,$(call comp_lib,$(1),$(l))) \
		$(COMPDIR)/$(1).glue.o $(call comp_newlib,$(1))/.built $(CFGDIR)/config.mk
	@mkdir -p $$(@D)
	@echo "  COMP    $$@"
	@$(LD) -r -z noexecstack -o $$@ \
		$(foreach l,$(CFG_COMP_$(1)_LIBS) libc,$(call comp_lib,$(1),$(l))) \
		$(COMPDIR)/$(1).glue.o --start-group \
		$(patsubst $(NEWLIB)/%,$(call comp_newlib,$(1))/%,$(NEWLIB_LIBS)) \
		$(LIBGCC) --end-group
	$(if $(filter kasan,$(CFG_COMP_$(1)_HARDEN)),@objcopy \
		--rename-section .init_array=.kasan_init.b \
		--rename-section .fini_array=.kasan_fini $$@)

$(COMPDIR)/$(1).o: $(COMPDIR)/$(1).raw.o $(COMPDIR)/$(1).keep \
		$(COMPDIR)/$(1).redef $(CFGDIR)/kernel.ld
	@$(PYTHON) scripts/gen-image.py check $(CONFIG_ARGS) --comp $(1) --object $$<
	@objcopy --redefine-syms=$(COMPDIR)/$(1).redef $$< $$@.tmp
	@objcopy --keep-global-symbols=$(COMPDIR)/$(1).keep $$@.tmp $$@
	@rm -f $$@.tmp
endef
$(foreach c,$(CFG_COMPARTMENTS),$(eval $(call comp_rule,$(c))))

# The gates: which compartment calls what in which other compartment is
# read from the compartments' objects; the backend (gates/<backend>/)
# gives the stubs and runtime, in assembly and C, and each compartment a
# redefinition list.
RAW_OBJS	:= $(foreach c,$(CFG_COMPARTMENTS),$(COMPDIR)/$(c).raw.o)
$(CFGDIR)/gates.stamp: $(RAW_OBJS) $(CFGDIR)/config.mk scripts/gen-image.py $(CONFIG_TOOL) \
		$(API_FILES)
	@$(PYTHON) scripts/gen-image.py gates $(CONFIG_ARGS) --objects $(RAW_OBJS)
	@touch $@
$(CFGDIR)/gates.asm $(CFGDIR)/gates.c: $(CFGDIR)/gates.stamp
	@test -f $@ || $(PYTHON) scripts/gen-image.py gates $(CONFIG_ARGS) \
		--objects $(RAW_OBJS)
$(COMPDIR)/%.redef: $(CFGDIR)/gates.stamp
	@test -f $@ || $(PYTHON) scripts/gen-image.py gates $(CONFIG_ARGS) \
		--objects $(RAW_OBJS)
$(CFGDIR)/gates.o: $(CFGDIR)/gates.asm $(wildcard gates/*.inc gates/*/*.inc) \
		$(GENINC)/x86.inc
	@echo "  GATES   $@"
	@$(NASM) -f elf64 -g -F dwarf -Igates/ -I$(GENINC)/ $< -o $@
$(CFGDIR)/gates_c.o: $(CFGDIR)/gates.c $(FLAGS_FILE) gates/args.h | $(NEWLIB_STAMP)
	@$(CC) $(KCFLAGS) -mgeneral-regs-only -Igates/$(CFG_BACKEND) -Igates -c $< -o $@

# --- the initrd -------------------------------------------------------------
# Each image's initrd, build/<name>/initrd.cpio (a cpio newc archive the
# kernel finds as its boot module): the configuration's `files` folder,
# then the folders of FILES=DIR overlaid on it in order (a later file
# replaces an earlier one at the same path). With neither it is empty.
# An application's build.mk may add folders made at build time (files of
# a fetched source, which the tree does not keep) as <app>_INITRD, made by
# <app>_INITRD_DEPS: they come after the configuration's folder and before
# FILES. scripts/mkinitrd.py runs every time (the folders are small) and
# rewrites the archive only when its bytes change, so nothing else is
# redone.
FILES		?=
INITRD		:= $(CFGDIR)/initrd.cpio
initrd: $(INITRD)
$(INITRD): $(CFGDIR)/config.mk scripts/mkinitrd.py FORCE | $($(CFG_APP)_INITRD_DEPS)
	@$(PYTHON) scripts/mkinitrd.py $@ $(CFG_FILES) $($(CFG_APP)_INITRD) $(FILES)
FORCE:

# --- images -----------------------------------------------------------------
COMP_OBJS	:= $(foreach c,$(CFG_COMPARTMENTS),$(COMPDIR)/$(c).o)

image: $(IMAGE) $(INITRD)
# Linked outside every compartment: the compartment table, the gate stubs
# and runtime, and the backend's C runtime (which runs in its caller's
# domain).
IMAGE_OBJS	:= $(COMP_OBJS) $(CFGDIR)/comp_table.o $(CFGDIR)/gates.o \
		   $(CFGDIR)/gates_c.o $(BACKEND_$(CFG_BACKEND)_OBJS)

# One QEMU, or what the backend boots its images with.
RUN		:= $(or $(BACKEND_$(CFG_BACKEND)_RUN),scripts/qemu-run.sh)

$(IMAGE): $(CFGDIR)/kernel.ld scripts/link-image.sh scripts/gen-ksyms.py \
		scripts/check-image.py scripts/scan-wrpkru.py $(IMAGE_OBJS)
	@echo "  LINK    $@"
	@CC="$(CC)" KCFLAGS="$(KCFLAGS)" LD="$(LD)" PYTHON="$(PYTHON)" \
	SCAN_PRIVILEGED="$(if $(filter keys,$(CFG_FEATURES)),1)" \
	scripts/link-image.sh $@ $(CFGDIR)/kernel.ld $(IMAGE_OBJS) --

# --- running ----------------------------------------------------------------
# A configuration with the NIC driver gets a network: QEMU's user-mode
# (SLIRP) network, with host ports on 127.0.0.1 forwarded to the guest
# (ept: attached to the VM holding the driver only, scripts/ept-launch.py).
# NIC=properties: more properties of QEMU's virtio-net-pci device, e.g.
# NIC=disable-legacy=on (a virtio 1.0-only device) or NIC=disable-modern=on.
NIC		?=
comma		:= ,
HTTP_PORT	?= 8080
IPERF_PORT	?= 5001
REDIS_PORT	?= 6379
ifneq ($(filter virtio,$(foreach c,$(CFG_COMPARTMENTS),$(CFG_COMP_$(c)_LIBS))),)
RUN_NET		:= -netdev user,id=n0,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80,hostfwd=tcp:127.0.0.1:$(IPERF_PORT)-:5001,hostfwd=tcp:127.0.0.1:$(REDIS_PORT)-:6379 \
		   -device virtio-net-pci,netdev=n0$(if $(NIC),$(comma)$(NIC))
endif

# NET=tap: a tap network in a namespace of its own instead (root). The
# guest is 10.7.0.2; CLIENT="command" runs in the same namespace once the
# guest is listening, then the guest is stopped.
ifeq ($(NET),tap)
RUN		:= scripts/netns-run.py $(if $(CLIENT),--client "$(CLIENT)") \
		   $(if $(NIC),--nic "$(NIC)")
RUN_NET		:=
endif

# One QEMU, or with ept one per compartment (scripts/ept-launch.py); each
# boots with the image's initrd (the archive beside it). This terminal is
# the guest's serial console, input included.
# Without ARGS the configuration's own `args` (if any) are the command
# line; without QEMU_MEM its `memory` is the guest's RAM.
run: $(IMAGE) $(INITRD)
	QEMU_NET="$(RUN_NET)" QEMU_EXTRA="$(QEMU_EXTRA)" $(if $(or $(QEMU_MEM),$(CFG_MEMORY)),\
		QEMU_MEM="$(or $(QEMU_MEM),$(CFG_MEMORY))") $(RUN) $< $(or $(ARGS),$(CFG_ARGS))

debug: $(IMAGE) $(INITRD)
	@echo "QEMU waits for gdb on :1234. In another shell:"
	@echo "  gdb $< -ex 'target remote :1234'"
	scripts/qemu-run.sh --debug $< $(ARGS)

# The ISO holds every configuration in configs/, one GRUB menu entry each,
# with its initrd as a GRUB module; ARGS go on every entry's command line.
ISO_CONFIGS	:= $(wildcard configs/*.toml)
ISO_IMAGES	:= $(foreach c,$(ISO_CONFIGS),$(BUILD)/$(basename $(notdir $(c)))/bulkhead.elf)
ISO_INITRDS	:= $(ISO_IMAGES:bulkhead.elf=initrd.cpio)
ISO		:= $(BUILD)/bulkhead.iso
# The words of ARGS the ISO was made with, one a line.
ISO_ARGS	:= $(BUILD)/.iso-args
# The images are made by sub-makes, so the ISO is rebuilt only when one of
# them, an initrd, a configuration or the arguments are newer than it.
iso: images | $(DEPS_STAMP)
	@printf '%s\n' $(ARGS) | cmp -s - $(ISO_ARGS) || printf '%s\n' $(ARGS) > $(ISO_ARGS)
	@if [ ! -f $(ISO) ] || [ -n "$$(find $(ISO_IMAGES) $(ISO_INITRDS) $(ISO_CONFIGS) \
			$(ISO_ARGS) scripts/mkiso.sh -newer $(ISO))" ]; then \
		echo "  ISO     $(ISO)"; \
		scripts/mkiso.sh $(ISO) $(ISO_CONFIGS) -- $(ARGS); \
	fi

# Build the image of every configuration in configs/ (one make each, since
# each has its own config.mk).
.PHONY: images
images: | $(NEWLIB_STAMP)
	@for c in $(ISO_CONFIGS); do \
		$(MAKE) --no-print-directory CONFIG=$$c image || exit 1; \
	done

# --- tests ------------------------------------------------------------------
HOST_TEST_BIN := $(BUILD)/tests/host-tests
$(BUILD)/host/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(CC) $(HOSTCFLAGS) -c $< -o $@
$(HOST_TEST_BIN): $(patsubst %,$(BUILD)/host/%.o,$(HOST_TEST_SRCS))
	@mkdir -p $(@D)
	@echo "  HOSTLD  $@"
	@$(CC) $(HOSTCFLAGS) -o $@ $^

# Test kernels: the ktest application under each configuration in
# tests/configs/.
TEST_CONFIGS	:= $(wildcard tests/configs/*.toml)
.PHONY: test-images
test-images: | $(NEWLIB_STAMP)
	@for c in $(TEST_CONFIGS); do \
		$(MAKE) --no-print-directory CONFIG=$$c image || exit 1; \
	done

# Gate microbenchmarks: the kernel's gate templates in a Linux process
# (real WRPKRU where the CPU has PKU) and in the gate-test images under QEMU.
HOST_GATES	:= $(BUILD)/bench/host-gates
$(BUILD)/bench/host_gates.o: tests/bench/host_gates.asm $(wildcard gates/mpk/*.inc) \
		$(GENINC)/x86.inc | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -Igates/ -I$(GENINC)/ $< -o $@
$(HOST_GATES): tests/bench/host_gates.c gates/ept/rpc.c $(BUILD)/bench/host_gates.o
	@echo "  HOSTLD  $@"
	@$(CC) -std=gnu11 -O2 -no-pie -Wall -Wextra -Werror -o $@ $^

# The same harness linked statically, to run as /init of a Linux guest
# (scripts/linux-guest-run.sh) where the host has no PKU of its own.
$(HOST_GATES)-static: tests/bench/host_gates.c gates/ept/rpc.c $(BUILD)/bench/host_gates.o
	@echo "  HOSTLD  $@"
	@$(CC) -std=gnu11 -O2 -static -no-pie -Wall -Wextra -Werror -o $@ $^

test-gates: $(HOST_GATES) test-images
	$(PYTHON) scripts/bench-gates.py --build $(BUILD)

# Everything make test runs, built without running it (make mutate builds
# each mutant with it before taking the QEMU lock to run the cases).
test-build: $(HOST_TEST_BIN) $(HOST_GATES) $(HOST_GATES)-static $(POSIX_HOST) $(SPEEDTEST_HOST) \
		test-images iso

# ONLY=regex: only the cases whose full names (as make test prints them)
# match, e.g. make test ONLY='^qemu\.gates-mpk\.mpk_attack\.' (write $$ for $).
ONLY		?=
test: test-build
	$(PYTHON) scripts/run-tests.py --build $(BUILD) $(if $(ONLY),--only '$(ONLY)')

# Redis's own test suite, every unit of REDIS_UNITS (scripts/run-tests.py),
# against redis.toml and redis-mpk2.toml, with the load and bad-input
# checks (make test runs a short subset).
.PHONY: test-redis
test-redis: | $(NEWLIB_STAMP)
	@for c in configs/redis.toml configs/redis-mpk2.toml; do \
		$(MAKE) --no-print-directory CONFIG=$$c image || exit 1; \
	done
	$(PYTHON) scripts/run-tests.py --build $(BUILD) --redis-full \
		--only '^redis\.redis(-mpk2)?\.'

# The interface fuzzer (scripts/fuzz.py): calls every function the
# application's compartment (or FUZZ_IN's) may call in the others, through
# their gates, with hostile and plausible arguments, for FUZZ_SECONDS; ends
# with `N calls, M findings`. E.g. make fuzz CONFIG=configs/httpd-mpk.toml
FUZZ_SECONDS	?= 60
FUZZ_IN		?=
fuzz: | $(NEWLIB_STAMP)
	$(PYTHON) scripts/fuzz.py $(CONFIG) --seconds $(FUZZ_SECONDS) \
		$(if $(FUZZ_IN),--in $(FUZZ_IN)) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# The explorer (scripts/explore.py): the safest configurations of APP
# (the space of configs/explore/$(APP).toml) that meet BUDGET, a metric of
# its benchmark and a value, e.g. make explore APP=httpd
# BUDGET=requests_per_s=3000. It builds and measures few of them (each QEMU
# run takes /tmp/bulkhead-qemu.lock itself: do not wrap it in flock) and
# writes build/explore/$(APP)/: chosen/*.toml (for make run CONFIG=),
# table.txt and poset.{svg,png}. EXPLORE_ARGS=--cached-only reports from
# what is cached without measuring.
APP		?=
BUDGET		?=
EXPLORE_ARGS	?=
explore: | $(NEWLIB_STAMP)
	@test -n "$(APP)" -a -n "$(BUDGET)" || { echo "make explore: give APP=name and" \
		"BUDGET=metric=value (specs: $(notdir $(wildcard configs/explore/*.toml)))" >&2; exit 2; }
	$(PYTHON) scripts/explore.py configs/explore/$(APP).toml --budget '$(BUDGET)' \
		--apps "$(APPS)" --optional-libs "$(OPT_LIBS)" $(EXPLORE_ARGS)

# Do the tests bite? Each mutation of tests/mutations.txt, applied to a
# scratch copy of the tree (build/mutate/tree), must make the cases it
# names fail (scripts/mutate.py). Long: not part of make test. Here
# ONLY=regex picks mutations by name.
mutate:
	$(PYTHON) scripts/mutate.py $(if $(ONLY),--only '$(ONLY)')

# tests/inventory.txt, which pins the cases each test kernel must run, from
# the kernels' own listings (test=list): run it after adding a test.
inventory: $(HOST_TEST_BIN) test-images
	$(PYTHON) scripts/run-tests.py --build $(BUILD) --write-inventory

# --- help -------------------------------------------------------------------
#> Bulkhead: make [TARGET] [VARIABLE=value ...]
#>
#> Targets
#>   all          (the default) build CONFIG's image
#>   run          build CONFIG's image and boot it in QEMU; the terminal is its console
#>   image        build CONFIG's image (build/<config>/bulkhead.elf, initrd.cpio)
#>   initrd       build CONFIG's initrd alone (its files, then FILES)
#>   iso          build/bulkhead.iso: every configs/*.toml, a GRUB entry each
#>   debug        boot CONFIG's image stopped, for gdb on :1234
#>   test         every test (ends with `N passed, N failed`); ONLY=regex picks cases
#>   test-redis   Redis's own test suite (8 units) on redis and redis-mpk2, with load
#>   test-gates   gate microbenchmarks: host process and TCG guests, side by side
#>   fuzz         the interface fuzzer on CONFIG (FUZZ_SECONDS, FUZZ_IN, FUZZ_SEED)
#>   mutate       break each check on purpose, expect its tests to fail (ONLY=regex)
#>   explore      the safest configurations within a budget: APP=spec BUDGET=metric=value
#>                (specs in configs/explore/; EXPLORE_ARGS=--cached-only reports the cache)
#>   inventory    rewrite tests/inventory.txt after adding kernel tests
#>   configs      list the configurations with their descriptions
#>   images       build every configs/*.toml; test-images: every tests/configs/*.toml
#>   test-build   build everything `make test` runs, without running it
#>   check-style  clang-format, black and flake8 over the tracked files
#>   deps         install the Debian packages the build needs
#>   clean        remove build/ but the fetched sources; distclean: all of build/
#>   help         this screen
#>
#> Variables
#>   CONFIG=FILE  the configuration (default configs/default.toml; see make configs)
#>   ARGS='...'   the guest's command line; after --, the application's arguments
#>   FILES=DIR    DIR's files in the guest's initrd (beside the config's own files)
#>   NET=tap      a tap device in a network namespace instead of QEMU's user network
#>   CLIENT='cmd' with NET=tap: run cmd in the namespace once the guest listens
#>   NIC=props    more virtio-net-pci properties, e.g. disable-legacy=on (virtio 1.0 only)
#>   ACCEL=kvm    KVM with -cpu host instead of TCG, where the host can (refused otherwise)
#>   QEMU_MEM=M   guest memory (default 256M); QEMU_EXTRA: more QEMU arguments
#>
#> Benchmarks: scripts/bench-net.sh, bench-redis.sh, bench-sqlite.sh, bench-hardening.sh,
#> bench-fcall.py (see README.md)
.PHONY: help configs
help:
	@sed -n 's/^#> \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

configs:
	@$(PYTHON) scripts/configs.py

# --- style ------------------------------------------------------------------
# Fails when any tracked C file differs from .clang-format's layout, or a
# Python file from black's (pyproject.toml) or flake8 finds a fault.
check-style:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	black --check --quiet $$(git ls-files '*.py')
	flake8 $$(git ls-files '*.py')

# --- housekeeping -----------------------------------------------------------
clean:
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name newlib ! -name .deps-ok \
		! -name .kcflags ! -name .newlib-cflags ! -name lwip ! -name linux \
		! -name 'newlib-*' \
		-exec rm -rf {} + 2>/dev/null || true

distclean:
	rm -rf $(BUILD)

-include $(shell find $(OBJDIR) $(BUILD)/host -name '*.d' 2>/dev/null)
