#!/bin/sh
# Build a BIOS-bootable GRUB ISO with one menu entry per configuration.
#
# usage: mkiso.sh OUT.iso CONFIG.toml...
#
# Each configuration's image is build/<name>/bulkhead.elf (beside OUT).
# GRUB loads it through multiboot2. GRUB's menu and the kernel's console
# both go to the serial port as well as the screen, so a headless
# `qemu -serial stdio` shows the boot end to end.
set -eu

out=$1
shift
build=$(dirname "$out")
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
for config in "$@"; do
	name=$(basename "$config" .toml)
	# An ept configuration is one VM per compartment: not for GRUB.
	if grep -q '^backend *= *"ept"' "$config"; then
		echo "mkiso: $name uses backend ept (one VM per compartment): left" \
		     "off the ISO; run it with make run CONFIG=$config" >&2
		continue
	fi
	desc=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb")).get("description", ""))' "$config")
	cp "$build/$name/bulkhead.elf" "$dir/boot/$name.elf"
	cat >> "$cfg" <<CFG
menuentry "Bulkhead: $name${desc:+ - $desc}" {
	multiboot2 /boot/$name.elf
	boot
}
CFG
done
grub-mkrescue -o "$out" "$dir" 2> "$out.log" || { cat "$out.log" >&2; exit 1; }
rm -rf "$dir" "$out.log"
