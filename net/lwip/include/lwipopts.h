/*
 * lwipopts.h - lwIP 2.1.3's configuration for Bulkhead.
 *
 * lwIP runs as a library over Bulkhead's cooperative scheduler (NO_SYS 0,
 * net/lwip/sys_arch.c): one tcpip thread owns the stack, applications use
 * the BSD socket API (lwip_* names; Bulkhead provides its own POSIX
 * wrappers) or netconns, and the network driver hands received frames to
 * the tcpip thread. IPv4 only: TCP, UDP, ICMP, DHCP, raw sockets.
 *
 * Every option not set here keeps lwIP's default (src/include/lwip/opt.h).
 */
#ifndef BULKHEAD_LWIPOPTS_H
#define BULKHEAD_LWIPOPTS_H

/* --- core locking -------------------------------------------------------- */
/* An OS is there: sys_arch.c maps threads, semaphores, mutexes and
 * mailboxes to the scheduler's. */
#define NO_SYS			      0
/* Short critical sections (pbuf reference counts, memp lists) disable
 * interrupts: sys_arch_protect()/sys_arch_unprotect(). */
#define SYS_LIGHTWEIGHT_PROT	      1
/* The socket and netconn APIs call into the stack under one mutex instead
 * of posting a message to the tcpip thread and waiting for it. */
#define LWIP_TCPIP_CORE_LOCKING	      1
/* Received frames still travel through the tcpip thread's mailbox
 * (tcpip_input posts them), so the driver never runs the stack itself. */
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
/* Check that the stack is entered with the core lock held (the tcpip
 * thread holds it while it works): sys_check_core_locking() panics if not,
 * which catches a driver or application calling raw lwIP functions
 * without LOCK_TCPIP_CORE() or the netifapi_* / tcpip_callback() APIs. */
void sys_check_core_locking(void);
#define LWIP_ASSERT_CORE_LOCKED()    sys_check_core_locking()

/* --- threads and mailboxes ----------------------------------------------- */
/* Priorities are ignored: the scheduler has none. */
#define TCPIP_THREAD_NAME	     "tcpip"
#define TCPIP_THREAD_STACKSIZE	     16384
#define TCPIP_THREAD_PRIO	     1
#define DEFAULT_THREAD_STACKSIZE     16384
#define DEFAULT_THREAD_PRIO	     1
/* Messages to the tcpip thread: received frames (tcpip_input drops a frame
 * when this is full), callbacks, timeouts. Large enough for a burst of a
 * whole receive window (TCP_WND / TCP_MSS = 176) and then some. */
#define TCPIP_MBOX_SIZE		     256
/* Per-netconn receive queues: one entry per received segment/datagram,
 * so the TCP one must hold a full window (176 segments). Each is a ring
 * of pointers in lwIP's heap, made with the netconn: 2 KiB a socket. */
#define DEFAULT_TCP_RECVMBOX_SIZE    256
#define DEFAULT_UDP_RECVMBOX_SIZE    64
#define DEFAULT_RAW_RECVMBOX_SIZE    16
/* Connections waiting for accept(). lwIP resets a connection it cannot
 * queue here, so this must hold any listen() backlog (at most 255, which
 * TCP_LISTEN_BACKLOG enforces by ignoring further SYNs: the client
 * retries). */
#define DEFAULT_ACCEPTMBOX_SIZE	     256

/* --- memory -------------------------------------------------------------- */
/* x86_64: pointers and u64_t need 8-byte alignment. */
#define MEM_ALIGNMENT		     8
/* All memory comes from the compartment's malloc(): the heap (mem_malloc)
 * and every memp pool. The MEMP_NUM_* counts below are then not limits
 * (except MEMP_NUM_NETCONN, the size of the socket table) but still feed
 * lwIP's sanity checks. */
#define MEM_LIBC_MALLOC		     1
#define MEMP_MEM_MALLOC		     1
/* MEMP_NUM_NETCONN is the number of sockets, so of simultaneous
 * connections: a connection accepted beyond it is reset (accept() fails
 * with ENFILE). Numbered from LWIP_SOCKET_OFFSET (3, after the console's
 * 0..2) they must fit in fd_set, so the build sets FD_SETSIZE to 1024 for
 * all code, as on Linux (newlib's default is 64); lwIP stops the build if
 * they do not. The table costs about 40 bytes a socket. */
#define MEMP_NUM_NETCONN	     (1024 - LWIP_SOCKET_OFFSET)
#define MEMP_NUM_TCP_PCB	     MEMP_NUM_NETCONN
#define MEMP_NUM_TCP_PCB_LISTEN	     16
#define MEMP_NUM_UDP_PCB	     16
#define MEMP_NUM_RAW_PCB	     8
#define MEMP_NUM_NETBUF		     64
#define MEMP_NUM_TCP_SEG	     512
#define MEMP_NUM_TCPIP_MSG_API	     64
#define MEMP_NUM_TCPIP_MSG_INPKT     TCPIP_MBOX_SIZE
#define MEMP_NUM_REASSDATA	     8
#define MEMP_NUM_ARP_QUEUE	     32
/* lwIP's own timers plus a few for applications (sys_timeout). */
#define MEMP_NUM_SYS_TIMEOUT	     (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
/* Pool pbufs (also malloc'ed): one full Ethernet frame each. */
#define PBUF_POOL_SIZE		     128

/* --- protocols ----------------------------------------------------------- */
#define LWIP_IPV4		     1
#define LWIP_IPV6		     0
#define LWIP_ARP		     1
#define LWIP_ETHERNET		     1
#define LWIP_ICMP		     1
/* Raw IP pcbs and SOCK_RAW sockets (ping). */
#define LWIP_RAW		     1
#define LWIP_UDP		     1
#define LWIP_TCP		     1
/* DHCP client; it probes the offered address with ARP before using it
 * (DHCP_DOES_ARP_CHECK, lwIP's default). */
#define LWIP_DHCP		     1
#define LWIP_DNS		     0
#define LWIP_IGMP		     0
#define LWIP_AUTOIP		     0
/* IP fragmentation and reassembly (lwIP's defaults, stated). */
#define IP_REASSEMBLY		     1
#define IP_FRAG			     1

/* --- TCP tuning ---------------------------------------------------------- */
/* Ethernet MTU 1500 - 40 bytes of IPv4 and TCP headers. */
#define TCP_MSS			     1460
/* A 250 KiB receive window (176 segments), announced with window scaling
 * (RFC 7323: the peer reads the window field shifted left by 2): under
 * iPerf a 46 KiB window without scaling kept the sender waiting while
 * the guest worked through a burst. The window is a promise, not an
 * allocation: memory is taken only for data received and not yet read
 * (up to the window per connection, in one malloc'ed pbuf per received
 * frame: about 1.6 KiB for a 1,460-byte segment, up to 64 KiB for a
 * segment the host handed over whole, virtio's receive TSO; lwIP takes a
 * received segment longer than TCP_MSS as it is). */
#define LWIP_WND_SCALE		     1
#define TCP_RCV_SCALE		     2
#define TCP_WND			     (176 * TCP_MSS)
/* Up to 91 KiB of sent data not yet acknowledged per connection. */
#define TCP_SND_BUF		     (64 * TCP_MSS)
/* Segments queued for sending: enough for TCP_SND_BUF in small writes. */
#define TCP_SND_QUEUELEN	     (4 * TCP_SND_BUF / TCP_MSS)
/* Keep out-of-order segments instead of dropping them (default with TCP),
 * and answer with SACK so the peer resends only what is missing. */
#define TCP_QUEUE_OOSEQ		     1
#define LWIP_TCP_SACK_OUT	     1
#define TCP_LISTEN_BACKLOG	     1
#define LWIP_TCP_KEEPALIVE	     1

/* --- network interfaces -------------------------------------------------- */
/* netifapi_*: add, bring up and configure interfaces (and start DHCP)
 * from any thread. */
#define LWIP_NETIF_API		     1
/* Callbacks when an interface goes up/down or gets an address (DHCP). */
#define LWIP_NETIF_STATUS_CALLBACK   1
#define LWIP_NETIF_LINK_CALLBACK     1
/* The hostname sent in DHCP requests (netif->hostname). */
#define LWIP_NETIF_HOSTNAME	     1
/* A loopback interface (127.0.0.1) and delivery of packets sent to the
 * netif's own address: sockets can be tested without a NIC. */
#define LWIP_NETIF_LOOPBACK	     1
#define LWIP_HAVE_LOOPIF	     1
/* No padding in front of the Ethernet header: frames are plain. */
#define ETH_PAD_SIZE		     0

/* --- APIs ---------------------------------------------------------------- */
#define LWIP_NETCONN		     1
#define LWIP_SOCKET		     1
/* Only the lwip_* names: Bulkhead's own wrappers provide socket(),
 * select(), read() and friends on top of them. */
#define LWIP_COMPAT_SOCKETS	     0
#define LWIP_POSIX_SOCKETS_IO_NAMES  0
/* Sockets are numbered from 3: descriptors 0..2 are the console, and
 * libc's read/write/close hand the others to lwIP (libc/syscalls.c). */
#define LWIP_SOCKET_OFFSET	     3 /* after stdin, stdout, stderr */
#define LWIP_SOCKET_SELECT	     1
#define LWIP_SOCKET_POLL	     1
/* SO_RCVTIMEO, SO_SNDTIMEO, SO_REUSEADDR, SO_RCVBUF. */
#define LWIP_SO_RCVTIMEO	     1
#define LWIP_SO_SNDTIMEO	     1
#define LWIP_SO_RCVBUF		     1
#define SO_REUSE		     1
/* newlib has struct timeval (<sys/time.h>, included by arch/cc.h). */
#define LWIP_TIMEVAL_PRIVATE	     0
/* One semaphore per netconn, not per thread (no thread-local storage). */
#define LWIP_NETCONN_SEM_PER_THREAD  0
#define LWIP_NETCONN_FULLDUPLEX	     0

/* --- checksums, statistics, debugging ------------------------------------ */
/* Checksums are computed and checked in software (lwIP's defaults), but
 * per interface: when the virtio-net device offers checksum offload,
 * net/lwip/netif.c turns TCP's generation and check off for it
 * (NETIF_SET_CHECKSUM_CTRL) and the driver and the glue do them. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_STATS		     0
#define LWIP_STATS_DISPLAY	     0
/* LWIP_DEBUG is left undefined: LWIP_DEBUGF() compiles to nothing. */

#endif
