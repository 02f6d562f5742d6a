# nginx: nginx 1.22 (the nginx binary of Debian's nginx source package),
# unchanged, configured by its own ./configure for Bulkhead's libc with
# the modules of a static file server (core, events with select and poll,
# http with static, index, autoindex, range, not-modified and gzip, with
# Debian's zlib). Nothing of it is kept here: scripts/fetch-nginx.sh
# fetches, unpacks and configures it under $(NGINX_OUT) and lists its
# sources in srcs.mk, which make reads (fetching first, then starting
# over, when it is not there yet). Its files in the initrd (Debian's
# layout) are apps/nginx/root/.
NGINX_OUT	:= $(BUILD)/nginx
NGINX_STAMP	:= $(NGINX_OUT)/.fetched
NGINX_MK	:= $(NGINX_OUT)/srcs.mk
NGINX_SRC	:= $(NGINX_OUT)/src
# zlib, of the gzip module: Debian's, as SQLite's fetch unpacks it (the
# sources, their compile rule and flags are sqlite.mk's: ZLIB_DIR,
# ZLIB_SRCS), compiled into the app as apps/sqlite3 does.
ifndef SQLITE_OUT
include apps/sqlite3/sqlite.mk
endif

# Fetch and configure once; again whenever the script or a patch changes
# (the script does nothing while the stamp exists). configure's tests
# compile with the guest's flags, so newlib's and lwIP's headers must be
# there first, and zlib's (SQLite's fetch).
NGINX_PATCHES	:= $(sort $(wildcard patches/nginx/*.patch))
$(NGINX_MK): scripts/fetch-nginx.sh scripts/debian-source.sh $(NGINX_PATCHES) \
		| $(DEPS_STAMP) $(NEWLIB_STAMP) $(LWIP_STAMP) $(SQLITE_STAMP)
	rm -f $(NGINX_STAMP)
	scripts/fetch-nginx.sh $(NGINX_OUT) $(ZLIB_DIR) $(KCFLAGS)
	@test -f $@

ifeq ($(filter clean distclean deps check-style mutate fuzz,$(MAKECMDGOALS)),)
include $(NGINX_MK)
endif

nginx_SRCS	+= $(NGINX_SRCS) $(ZLIB_SRCS)
$(NGINX_SRCS): | $(NGINX_MK)
	@test -f $@ || { echo "error: $@ missing from the fetched nginx" >&2; exit 1; }
# Their objects are compiled with this file's flags, which make's record of
# KCFLAGS (build/.kcflags) does not hold: a change here rebuilds them.
$(patsubst %,$(OBJDIR)/%.o,$(NGINX_SRCS)): apps/nginx/build.mk

# nginx's sources are not Bulkhead's: their warnings are not errors here.
# Its include folders are those of its objs/Makefile (ALL_INCS, HTTP_INCS),
# and zlib's (configure found zlib.h there).
$(OBJDIR)/$(NGINX_SRC)/%: KCFLAGS += -w $(NGINX_INCS) -I$(ZLIB_DIR)

# The package's own files of the initrd (/etc/nginx/mime.types), beside the
# configuration's apps/nginx/root (Makefile, "the initrd").
nginx_INITRD	:= $(NGINX_OUT)/root
nginx_INITRD_DEPS := $(NGINX_MK)
