# virtio: the virtio-net NIC driver, an optional library (in an image only
# when its configuration names it).
LIBS += virtio
OPT_LIBS += virtio
virtio_SRCS := net/virtio/virtio_net.c
