# httpd: the HTTP/1.1 static file server, on lwIP's sockets, so compiled
# against lwIP's headers once they are fetched.
$(OBJDIR)/apps/httpd/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(OBJDIR)/%.o,$(httpd_SRCS)): | $(LWIP_STAMP)
