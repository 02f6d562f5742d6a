# ramfs: files and directories in memory, named by node handles, which
# only the vfs calls (include/bulkhead/fs.h). An optional library: in an
# image only when its configuration names it.
LIBS += ramfs
OPT_LIBS += ramfs
ramfs_SRCS := fs/ramfs/node.c fs/ramfs/file.c fs/ramfs/dir.c
