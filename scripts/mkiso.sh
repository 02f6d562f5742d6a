#!/bin/sh
# Build a BIOS-bootable GRUB ISO with one menu entry per configuration.
#
# usage: mkiso.sh OUT.iso CONFIG.toml... [-- WORD...]
#
# Each configuration's image is build/<name>/bulkhead.elf and its initrd
# build/<name>/initrd.cpio (beside OUT). GRUB loads the image through
# multiboot2 and the initrd as its module (module2). The WORDs after the
# first `--` (make iso ARGS=...) end every entry's command line, each
# quoted for GRUB's own parser, so that GRUB gives the kernel the same
# words (it double-quotes a word with a space and puts a backslash before
# \, ' and ", which kernel/cmdline.c undoes); an empty word, which GRUB
# would drop, is refused. Without WORDs, an entry ends with its
# configuration's `args` (Redis's name its redis.conf). GRUB's menu and
# the kernel's console both go to
# the serial port as well as the screen, so a headless
# `qemu -serial stdio` shows the boot end to end.
set -eu

out=$1
shift
build=$(dirname "$out")
dir=$out.d
rm -rf "$dir"
mkdir -p "$dir/boot/grub"

# One word in single quotes for GRUB's script parser (' as '\'').
grub_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

configs=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	configs="$configs $1"
	shift
done
[ $# -gt 0 ] && shift
words=
for word in "$@"; do
	if [ -z "$word" ]; then
		echo "mkiso: an empty argument cannot pass GRUB's command line" >&2
		exit 1
	fi
	words="$words $(grub_quote "$word")"
done

cfg=$dir/boot/grub/grub.cfg
cat > "$cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=3
set default=0
CFG
for config in $configs; do
	name=$(basename "$config" .toml)
	# An ept configuration is one VM per compartment: not for GRUB.
	if grep -q '^backend *= *"ept"' "$config"; then
		echo "mkiso: $name uses backend ept (one VM per compartment): left" \
		     "off the ISO; run it with make run CONFIG=$config" >&2
		continue
	fi
	if [ ! -f "$build/$name/initrd.cpio" ]; then
		echo "mkiso: $build/$name/initrd.cpio is missing: make CONFIG=$config image" \
		     "writes it" >&2
		exit 1
	fi
	desc=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb")).get("description", ""))' "$config")
	# Without WORDs an entry has its configuration's own `args` (plain
	# words: the configuration tool refuses quotes and the like).
	entry_words=$words
	if [ -z "$words" ]; then
		for word in $(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb")).get("args", ""))' "$config"); do
			entry_words="$entry_words $(grub_quote "$word")"
		done
	fi
	cp "$build/$name/bulkhead.elf" "$dir/boot/$name.elf"
	cp "$build/$name/initrd.cpio" "$dir/boot/$name.cpio"
	cat >> "$cfg" <<CFG
menuentry "Bulkhead: $name${desc:+ - $desc}" {
	multiboot2 /boot/$name.elf$entry_words
	module2 /boot/$name.cpio
	boot
}
CFG
done
grub-mkrescue -o "$out" "$dir" 2> "$out.log" || { cat "$out.log" >&2; exit 1; }
rm -rf "$dir" "$out.log"
