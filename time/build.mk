# time: TSC clock, PIT tick, RTC wall clock.
LIBS += time
time_SRCS := time/clock.c time/rtc.c
