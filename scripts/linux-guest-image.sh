#!/bin/sh
# Build, once, the Linux guest that scripts/bench-net.sh measures Bulkhead
# against: Debian's cloud kernel and an initramfs holding a Debian root
# file system made with debootstrap (nginx-light, iperf, redis-server),
# whose /init brings eth0 up at 10.7.0.2, starts nginx (with Bulkhead's
# nginx.conf, apps/nginx/root/etc/nginx/nginx.conf, so scripts/bench-net.sh
# compares nginx with nginx; only its `use poll;` is left out), iperf -s and redis-server (on 6379, as
# Bulkhead's redis.conf: no snapshots, no AOF, no protected mode), and says
# "linux guest: listening" (scripts/bench-redis.sh measures Bulkhead's
# Redis against it). Everything goes to build/linux-guest/ and is kept: a
# second run does nothing unless nginx.conf changed (a root file system
# made before redis-server was in it is made again).
#
# usage: scripts/linux-guest-image.sh
set -eu

out=build/linux-guest
# Bulkhead's nginx.conf, but for its event method: Debian builds nginx
# without the poll module, and Linux's nginx takes its best, epoll.
mkdir -p "$out"
conf=$out/nginx.conf
sed '/^[[:space:]]*use poll;/d' apps/nginx/root/etc/nginx/nginx.conf >"$conf"
[ -f "$out/.built" ] && [ -x "$out/root/usr/bin/redis-server" ] &&
	cmp -s "$conf" "$out/root/etc/nginx/nginx.conf" && exit 0
[ -x "$out/root/usr/bin/redis-server" ] || rm -f "$out/.rootfs"
mkdir -p "$out"
for tool in debootstrap:debootstrap depmod:kmod cpio:cpio; do
	command -v "${tool%%:*}" >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool##*:}" >/dev/null
done

# The kernel and its modules (virtio-net is a module in Debian's kernel).
pkg=$(apt-cache depends linux-image-cloud-amd64 |
      sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "linux-guest-image: no cloud kernel package" >&2; exit 1; }
rm -rf "$out/kernel"
mkdir -p "$out/kernel"
(cd "$out/kernel" && apt-get download -qq "$pkg" >/dev/null 2>&1 &&
 dpkg-deb -x linux-image-*.deb . && rm -f linux-image-*.deb)
cp "$out"/kernel/boot/vmlinuz-* "$out/vmlinuz"

# The root file system, with the same page the HTTP server serves.
root=$out/root
if [ ! -f "$out/.rootfs" ]; then
	rm -rf "$root"
	debootstrap --variant=minbase --include=nginx-light,iperf,redis-server,iproute2,kmod \
		bookworm "$root" http://deb.debian.org/debian > "$out/debootstrap.log" 2>&1 ||
		{ tail -20 "$out/debootstrap.log" >&2; exit 1; }
	touch "$out/.rootfs"
fi
# Only what the virtio network needs (and modprobe's indexes): the
# initramfs stays small enough to unpack quickly.
rm -rf "$root/lib/modules"
for dir in "$out"/kernel/lib/modules/*; do
	v=$(basename "$dir")
	mkdir -p "$root/lib/modules/$v"
	cp "$dir"/modules.* "$root/lib/modules/$v/"
	(cd "$dir" && find kernel/drivers/virtio kernel/drivers/net kernel/net/core \
		-name '*.ko*' \
		-exec cp --parents {} "$OLDPWD/$root/lib/modules/$v/" \;)
	depmod -b "$root" "$v"	# the package leaves this to its postinst
done
printf "hello from Bulkhead's httpd\n" > "$root/var/www/html/hello.txt"
cp "$conf" "$root/etc/nginx/nginx.conf"
cat > "$root/init" <<'INIT'
#!/bin/sh
# The benchmark guest: network up, nginx and iperf started.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
modprobe virtio_pci
modprobe virtio_net
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /sys/class/net/eth0 ] && break
	sleep 0.5
done
ip link set lo up
ip addr add 10.7.0.2/24 dev eth0
ip link set eth0 up
nginx &	# in the foreground (daemon off), as on Bulkhead
iperf -s -D >/dev/null 2>&1
redis-server --bind 0.0.0.0 --port 6379 --protected-mode no --save "" --appendonly no \
	--daemonize yes --logfile /var/log/redis-bench.log
ip -brief addr show eth0
echo "linux guest: listening"
exec sleep infinity
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null) > "$out/initrd.cpio"
touch "$out/.built"
echo "linux-guest-image: $out/vmlinuz and $out/initrd.cpio ready"
