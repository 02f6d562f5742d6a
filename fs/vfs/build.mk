# vfs: the virtual file system (mounts, paths, open files, /dev and the
# initrd's unpacking) over ramfs.
LIBS += vfs
vfs_SRCS := fs/vfs/vfs.c fs/vfs/path.c fs/vfs/dev.c fs/vfs/initrd.c
