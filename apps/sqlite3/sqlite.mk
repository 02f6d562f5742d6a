# SQLite for the apps that use it (apps/sqlite3/, apps/speedtest1/), which
# include this once: Debian's sqlite3 source package, fetched and made into
# the amalgamation by scripts/fetch-sqlite.sh under $(SQLITE_OUT), never
# kept in the tree, with zlib (the shell's .archive, sqlar and zipfile).
# Both apps link the same object of the amalgamation, compiled with
# Debian's options; the unix VFS runs on libc's POSIX layer.
SQLITE_OUT	:= $(BUILD)/sqlite
SQLITE_STAMP	:= $(SQLITE_OUT)/.fetched
SQLITE_GEN	:= $(SQLITE_OUT)/gen
SQLITE_C	:= $(SQLITE_GEN)/sqlite3.c
ZLIB_DIR	:= $(SQLITE_OUT)/zlib
# zlib's library proper (no gz* file calls: the shell uses none).
ZLIB_SRCS	:= $(addprefix $(ZLIB_DIR)/,adler32.c compress.c crc32.c deflate.c \
		   inffast.c inflate.c inftrees.c trees.c uncompr.c zutil.c)

# Debian's options (debian/rules and its configure line, as
# scripts/fetch-sqlite.sh found them), read when an object is compiled:
# the file exists once the fetch is done.
SQLITE_DEBIAN	= $(shell cat $(SQLITE_OUT)/cflags)
SQLITE_SHELL_OPT = $(shell cat $(SQLITE_OUT)/shell-cflags)
# What configure would find on Linux, said for Bulkhead's libc (the host's
# configuration header is not used): the calls libc has. Debian's build
# turns malloc_usable_size off (its patch 10-665363), so it is not here.
# SQLITE_MAX_MMAP_SIZE is the default SQLite gives Linux (sqliteInt.h),
# which this build does not define (-U__linux__): Debian's value.
SQLITE_HAVE	:= -DHAVE_FDATASYNC=1 -DHAVE_GMTIME_R=1 -DHAVE_LOCALTIME_R=1 \
		   -DHAVE_ISNAN=1 -DHAVE_USLEEP=1 -DHAVE_STRCHRNUL=1 -DHAVE_PREAD=1 \
		   -DHAVE_PWRITE=1 -DHAVE_STDINT_H=1 -DHAVE_INTTYPES_H=1 \
		   -DSQLITE_MAX_MMAP_SIZE=0x7fff0000
# SQLite's and zlib's sources are not Bulkhead's: their warnings are not
# errors here (-Wextra finds unused parameters and the like in both).
SQLITE_NOWARN	:= -w

# Fetch once; again whenever the script or a patch changes (the script
# does nothing while the stamp exists).
SQLITE_PATCHES	:= $(sort $(wildcard patches/sqlite/*.patch))
$(SQLITE_STAMP): scripts/fetch-sqlite.sh scripts/debian-source.sh $(SQLITE_PATCHES) | $(DEPS_STAMP)
	rm -f $(SQLITE_STAMP)
	scripts/fetch-sqlite.sh $(SQLITE_OUT)

# The sources appear when the tree is fetched (as lwIP's do).
SQLITE_FETCHED	:= $(SQLITE_C) $(SQLITE_GEN)/shell.c $(SQLITE_OUT)/src/test/speedtest1.c \
		   $(ZLIB_SRCS)
$(SQLITE_FETCHED): | $(SQLITE_STAMP)
	@test -f $@ || { echo "error: $@ missing from the fetched SQLite" >&2; exit 1; }
# Their objects are compiled with this file's flags, which make's record of
# KCFLAGS (build/.kcflags) does not hold: a change here rebuilds them.
$(patsubst %,$(OBJDIR)/%.o,$(SQLITE_FETCHED)): apps/sqlite3/sqlite.mk | $(SQLITE_STAMP)

$(OBJDIR)/$(SQLITE_OUT)/%: KCFLAGS += -I$(SQLITE_GEN) -I$(ZLIB_DIR) -fno-strict-aliasing \
	$(SQLITE_NOWARN) $(SQLITE_DEBIAN) $(SQLITE_HAVE)
# The shell's own options (Debian's Makefile's SHELL_OPT), its line
# editing off (no terminal library: read(0) is line by line already), and
# zlib, compiled here.
$(OBJDIR)/$(SQLITE_GEN)/shell.c.o: KCFLAGS += $(SQLITE_SHELL_OPT) -DHAVE_READLINE=0 \
	-DHAVE_EDITLINE=0 -DSQLITE_HAVE_ZLIB=1
