# sched: cooperative threads, wait queues, mutexes, semaphores, conditions.
LIBS += sched
sched_SRCS := sched/sched.c sched/sync.c sched/switch.asm
