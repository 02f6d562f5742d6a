# ramfs: files and directories in memory, named by node handles, which
# only the vfs calls (include/bulkhead/fs.h). In every image, with the vfs
# (scripts/bulkhead_config.py's FS_LIBS).
LIBS += ramfs
ramfs_SRCS := fs/ramfs/node.c fs/ramfs/file.c fs/ramfs/dir.c
