# iperf: an iPerf 2 TCP server, on lwIP's sockets, so compiled against
# lwIP's headers once they are fetched.
$(OBJDIR)/apps/iperf/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(OBJDIR)/%.o,$(iperf_SRCS)): | $(LWIP_STAMP)
