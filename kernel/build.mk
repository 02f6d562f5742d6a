# kernel: console, printk, traps, panic, command line, symbols, fw_cfg,
# the initrd,
# PCI and the device interface drivers use; and the kernel core's part of
# libc (libc/core.c: it may set the scheduler's hooks, which only the core
# may, so no other compartment's copy of libc holds it).
LIBS += kernel
kernel_SRCS := kernel/main.c kernel/console.c kernel/serial.c kernel/vga.c \
	kernel/format.c kernel/cmdline.c kernel/gdt.c kernel/trap.c \
	kernel/vectors.asm kernel/pic.c kernel/panic.c kernel/ksyms.c \
	kernel/fwcfg.c kernel/pci.c kernel/dev.c kernel/initrd.c kernel/harden.c \
	libc/core.c
