main.o: apps/httpd/main.c include/bulkhead/netstack.h \
 include/bulkhead/sched.h include/bulkhead/mm.h include/bulkhead/x86.h
include/bulkhead/netstack.h:
include/bulkhead/sched.h:
include/bulkhead/mm.h:
include/bulkhead/x86.h:
