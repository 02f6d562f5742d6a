# redis_server: Redis 7 (redis-server of Debian's redis source package),
# unchanged, with Lua, hdr_histogram and hiredis from its deps/ as Redis
# builds them. Nothing of it is kept here: scripts/fetch-redis.sh fetches
# and unpacks it under $(REDIS_OUT) and lists its sources in srcs.mk,
# which make reads (fetching first, then starting over, when it is not
# there yet). Its allocator is libc's (MALLOC=libc), its event loop
# ae_select.c (this build's flags undefine __linux__, so src/config.h
# picks neither epoll nor kqueue), its bio threads Bulkhead's pthreads.
REDIS_OUT	:= $(BUILD)/redis
REDIS_STAMP	:= $(REDIS_OUT)/.fetched
REDIS_MK	:= $(REDIS_OUT)/srcs.mk
REDIS_SRC	:= $(REDIS_OUT)/src

# Fetch once; again whenever the script or a patch changes (the script
# does nothing while the stamp exists).
REDIS_PATCHES	:= $(sort $(wildcard patches/redis/*.patch))
$(REDIS_MK): scripts/fetch-redis.sh scripts/debian-source.sh $(REDIS_PATCHES) | $(DEPS_STAMP)
	rm -f $(REDIS_STAMP)
	scripts/fetch-redis.sh $(REDIS_OUT)
	@test -f $@

ifeq ($(filter clean distclean deps check-style mutate fuzz,$(MAKECMDGOALS)),)
include $(REDIS_MK)
endif

# hiredis: Sentinel's and replication's client side (async API).
REDIS_ALL_SRCS	:= $(REDIS_SERVER_SRCS) $(REDIS_LUA_SRCS) $(REDIS_HDR_SRCS) $(REDIS_HIREDIS_SRCS)
redis_server_SRCS += $(REDIS_ALL_SRCS)
$(REDIS_ALL_SRCS): | $(REDIS_MK)
	@test -f $@ || { echo "error: $@ missing from the fetched Redis" >&2; exit 1; }
# Their objects are compiled with this file's flags, which make's record of
# KCFLAGS (build/.kcflags) does not hold: a change here rebuilds them.
$(patsubst %,$(OBJDIR)/%.o,$(REDIS_ALL_SRCS)): apps/redis_server/build.mk

# Redis's sources are not Bulkhead's: their warnings are not errors here.
# The flags are those of Redis's Makefiles beside the kernel's: src/
# (STD, MALLOC=libc: no USE_* allocator), deps/lua (LUA_CFLAGS),
# deps/hdr_histogram (R_CFLAGS).
REDIS_NOWARN	:= -w
$(OBJDIR)/$(REDIS_SRC)/%: KCFLAGS += $(REDIS_NOWARN) -DREDIS_STATIC=''
# newlib names Linux's errno values beyond POSIX's (ESOCKTNOSUPPORT, which
# server.c tests) only when asked.
$(OBJDIR)/$(REDIS_SRC)/src/%: KCFLAGS += -std=c11 -D__LINUX_ERRNO_EXTENSIONS__ \
	-I$(REDIS_SRC)/deps/hiredis \
	-I$(REDIS_SRC)/deps/lua/src -I$(REDIS_SRC)/deps/hdr_histogram
$(OBJDIR)/$(REDIS_SRC)/deps/lua/%: KCFLAGS += -DLUA_ANSI -DENABLE_CJSON_GLOBAL \
	-DLUA_USE_MKSTEMP
$(OBJDIR)/$(REDIS_SRC)/deps/hiredis/%: KCFLAGS += -std=c99
$(OBJDIR)/$(REDIS_SRC)/deps/hdr_histogram/%: KCFLAGS += -std=c99 \
	-DHDR_MALLOC_INCLUDE=\"hdr_redis_malloc.h\"
