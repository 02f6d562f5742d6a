# speedtest1: SQLite's own benchmark (test/speedtest1.c of Debian's sqlite3
# source package) with SQLite; its options from ARGS (--size N, ...).
# Nothing of it is kept here: see apps/sqlite3/sqlite.mk.
ifndef SQLITE_OUT
include apps/sqlite3/sqlite.mk
endif
speedtest1_SRCS	+= $(SQLITE_OUT)/src/test/speedtest1.c $(SQLITE_C)
