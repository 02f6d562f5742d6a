# sched: cooperative threads, wait queues, mutexes, semaphores, conditions,
# and the handle table that names them to other compartments.
LIBS += sched
sched_SRCS := sched/sched.c sched/sync.c sched/handle.c sched/switch.asm
