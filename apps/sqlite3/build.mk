# sqlite3: SQLite's own command-line shell (shell.c of Debian's sqlite3
# source package) with SQLite and zlib; arguments from ARGS, SQL from the
# console or .read of the initrd's files. Nothing of it is kept here: see
# sqlite.mk.
ifndef SQLITE_OUT
include apps/sqlite3/sqlite.mk
endif
sqlite3_SRCS	+= $(SQLITE_GEN)/shell.c $(SQLITE_C) $(ZLIB_SRCS)
