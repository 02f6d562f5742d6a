# lwip: the lwIP 2.1.3 TCP/IP stack (IPv4, TCP, UDP, ICMP, DHCP, BSD
# sockets with select/poll) on Bulkhead's scheduler, an optional library
# (in an image only when its configuration names it).
#
# lwIP's sources are not kept in the tree: scripts/fetch-lwip.sh unpacks
# the upstream tarball of Debian's lwip source package into
# $(LWIP_OUT)/src and applies the small patches in patches/lwip/. Bulkhead's port is net/lwip/: the configuration
# (include/lwipopts.h), the compiler and OS glue (include/arch/) and the
# OS layer over the scheduler (sys_arch.c).

# Where the fetched tree lives, and its top (which holds src/core, ...).
LWIP_OUT	:= $(BUILD)/lwip
LWIP_DIR	:= $(LWIP_OUT)/src
LWIP_STAMP	:= $(LWIP_OUT)/.fetched

# Include paths for anything compiled against lwIP's headers: the port's
# (lwipopts.h, arch/cc.h, arch/sys_arch.h) and lwIP's own. Other libraries
# (the netif glue, applications) add these to their KCFLAGS and make their
# objects wait for $(LWIP_STAMP) (order-only), as below.
LWIP_CFLAGS	:= -Inet/lwip/include -I$(LWIP_DIR)/src/include

# Warnings to silence in lwIP's own sources (never in the port's). With
# this configuration lwIP 2.1.3 builds clean under -Wall -Wextra -Werror
# with gcc 12.2, so none; a newer gcc may need some here.
LWIP_NOWARN	:=

LIBS += lwip
OPT_LIBS += lwip

# lwIP's sources, as lwIP's Filelists.mk groups them (core, IPv4, the
# sequential and socket APIs, Ethernet/ARP, the iperf server). Modules
# disabled in lwipopts.h (DNS, IGMP, AUTOIP) compile to empty objects.
LWIP_CORE_SRCS	:= init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c \
		   netif.c pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c \
		   tcp_out.c timeouts.c udp.c
LWIP_IPV4_SRCS	:= autoip.c dhcp.c etharp.c icmp.c igmp.c ip4.c ip4_addr.c \
		   ip4_frag.c
LWIP_API_SRCS	:= api_lib.c api_msg.c err.c if_api.c netbuf.c netdb.c \
		   netifapi.c sockets.c tcpip.c
LWIP_SRCS	:= $(addprefix $(LWIP_DIR)/src/core/,$(LWIP_CORE_SRCS)) \
		   $(addprefix $(LWIP_DIR)/src/core/ipv4/,$(LWIP_IPV4_SRCS)) \
		   $(addprefix $(LWIP_DIR)/src/api/,$(LWIP_API_SRCS)) \
		   $(LWIP_DIR)/src/netif/ethernet.c \
		   $(LWIP_DIR)/src/apps/lwiperf/lwiperf.c
lwip_SRCS	:= $(LWIP_SRCS) net/lwip/sys_arch.c net/lwip/netif.c \
		   net/lwip/sockcall.c

# Fetch once, unpack and patch again whenever the script or a patch
# changes (the script does nothing while the stamp exists).
LWIP_PATCHES	:= $(sort $(wildcard patches/lwip/*.patch))
$(LWIP_STAMP): scripts/fetch-lwip.sh scripts/debian-source.sh $(LWIP_PATCHES) | $(DEPS_STAMP)
	rm -f $(LWIP_STAMP)
	scripts/fetch-lwip.sh $(LWIP_OUT)

# The sources appear when the tree is fetched: they are targets of their
# own (so the %.c.o pattern rule can use them before they exist) that
# only wait for the stamp, without taking its time stamp.
$(LWIP_SRCS): | $(LWIP_STAMP)
	@test -f $@ || { echo "error: $@ missing from the lwIP tree" >&2; exit 1; }

# lwIP's objects: its headers, and its sources' warnings silenced. The
# port's objects include lwIP's headers too, but keep every warning.
$(OBJDIR)/$(LWIP_DIR)/%: KCFLAGS += $(LWIP_CFLAGS) $(LWIP_NOWARN)
$(OBJDIR)/net/lwip/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(OBJDIR)/%.o,net/lwip/sys_arch.c net/lwip/netif.c \
	net/lwip/sockcall.c): | $(LWIP_STAMP)
