/*
 * mpk.h - what the MPK backend's C runtime shares with the code generated
 * for each configuration (gates/mpk/backend.py writes build/<config>/gates.c).
 */
#ifndef GATES_MPK_H
#define GATES_MPK_H

/* A callback stub: calls fn(arg) in the callee's domain (gate.inc). */
typedef void *(*mpk_cb_stub)(void *(*fn)(void *), void *arg);

/* Callback stubs by [caller * count + callee] compartment index; 0 on the
 * diagonal (a call within a compartment needs no stub). Generated. */
extern const mpk_cb_stub mpk_cb_stubs[];

#endif
