# boot: the multiboot entry and the loader's information structures.
LIBS += boot
boot_SRCS := boot/entry.asm boot/bootinfo.c
