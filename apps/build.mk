# apps: each application is a library of its own.
LIBS += hello
hello_SRCS := apps/hello/main.c

# httpd: the HTTP/1.1 static file server, on lwIP's sockets.
LIBS += httpd
httpd_SRCS := apps/httpd/main.c
$(OBJDIR)/apps/httpd/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(httpd_SRCS)): | $(LWIP_STAMP)

# iperf: an iPerf 2 TCP server, on lwIP's sockets.
LIBS += iperf
iperf_SRCS := apps/iperf/main.c
$(OBJDIR)/apps/iperf/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(iperf_SRCS)): | $(LWIP_STAMP)
