#!/bin/sh
# Build a BIOS-bootable GRUB ISO with a menu entry per image.
#
# usage: mkiso.sh OUT.iso IMAGE.elf...
#
# GRUB loads each image through multiboot2. Its menu and the kernel's
# console both go to the serial port as well as the screen, so a headless
# `qemu -serial stdio` shows the boot end to end.
set -eu

out=$1
shift
dir=$out.d
rm -rf "$dir"
mkdir -p "$dir/boot/grub"

cfg=$dir/boot/grub/grub.cfg
cat > "$cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=3
set default=0
CFG
for image in "$@"; do
	name=$(basename "$image" .elf)
	cp "$image" "$dir/boot/$name.elf"
	cat >> "$cfg" <<CFG
menuentry "Bulkhead: $name" {
	multiboot2 /boot/$name.elf
	boot
}
CFG
done
grub-mkrescue -o "$out" "$dir" 2> "$out.log" || { cat "$out.log" >&2; exit 1; }
rm -rf "$dir" "$out.log"
