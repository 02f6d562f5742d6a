# speedtest1: SQLite's own benchmark (test/speedtest1.c of Debian's sqlite3
# source package) with SQLite; its options from ARGS (--size N, ...).
# Nothing of it is kept here: see apps/sqlite3/sqlite.mk.
ifndef SQLITE_OUT
include apps/sqlite3/sqlite.mk
endif
speedtest1_SRCS	+= $(SQLITE_OUT)/src/test/speedtest1.c $(SQLITE_C)

# The same program as a Linux process on Debian's own libsqlite3 (the
# host's, which the shell tests compare with too): make test checks that
# both compute the same --verify hash, and scripts/bench-sqlite.sh times
# it beside the guests.
SPEEDTEST_HOST	:= $(BUILD)/tests/speedtest1-host
$(SPEEDTEST_HOST): $(SQLITE_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -O2 -I$(SQLITE_GEN) -o $@ $(SQLITE_OUT)/src/test/speedtest1.c -l:libsqlite3.so.0
