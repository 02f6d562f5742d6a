# apps: each application is a library of its own.
LIBS += hello
hello_SRCS := apps/hello/main.c

# httpd: the HTTP/1.1 static file server, on lwIP's sockets.
LIBS += httpd
httpd_SRCS := apps/httpd/main.c
$(OBJDIR)/apps/httpd/%: KCFLAGS += $(LWIP_CFLAGS)
$(patsubst %,$(BUILD)/obj/%.o,$(httpd_SRCS)): | $(LWIP_STAMP)
