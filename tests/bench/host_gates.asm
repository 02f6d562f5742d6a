; tests/bench/host_gates.asm - the kernel's own gate templates
; (gates/mpk/gate.inc) instantiated in a Linux process, so make test-gates
; can time them with the host CPU's real WRPKRU.
;
; Domain A (the caller) may use keys 0 and 1, domain B (the callee) keys
; 0 and 2: in a Linux process the stack, heap and libc live on key 0, so
; both keep it (as compartments keep key 15 in the kernel). Keys 1 and 2
; are the first two pkey_alloc hands out; host_gates.c checks that it got
; them. With full gates, A's stack region of the slot carries key 1 and
; B's key 2 (host_gates.c sets them up with pkey_mprotect).

%include "x86.inc"

%define HOST_PKRU_A (0xffffffff & ~3 & ~(3 << 2))
%define HOST_PKRU_B (0xffffffff & ~3 & ~(3 << 4))

%include "mpk/gate.inc"

extern __executable_start, etext
extern bench_target0, bench_target6
extern gate_mpk_violation

global __gates_start, __gates_end
global host_wrpkru, host_pkru_a

section .gates.text progbits alloc exec nowrite align=16
__gates_start:

; Light and full gates from A to B, to an empty function and to one that
; takes six arguments.
GATE_LIGHT host_light0, bench_target0, HOST_PKRU_A, HOST_PKRU_B, __executable_start, etext
GATE_LIGHT host_light6, bench_target6, HOST_PKRU_A, HOST_PKRU_B, __executable_start, etext
GATE_FULL host_full0, bench_target0, HOST_PKRU_A, HOST_PKRU_B, 0, 1
GATE_FULL host_full6, bench_target6, HOST_PKRU_A, HOST_PKRU_B, 0, 1

; void host_wrpkru(void): one WRPKRU of domain A's value, nothing else.
host_wrpkru:
	xor ecx, ecx
	xor edx, edx
	mov eax, HOST_PKRU_A
	wrpkru
	ret

; uint32_t host_pkru_a(void): domain A's PKRU, for the harness's checks.
host_pkru_a:
	mov eax, HOST_PKRU_A
	ret

align 16
__gates_end:

section .data
global gate_slot
gate_slot:
	dq 0				; the slot of the (only) thread, full gates

section .note.GNU-stack noalloc noexec nowrite progbits
