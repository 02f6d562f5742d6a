# apps: each application is a library of its own.
LIBS += hello
hello_SRCS := apps/hello/main.c
