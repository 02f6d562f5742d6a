; sched/switch.asm - the cooperative context switch and a new thread's
; first instructions.

global sched_switch
global sched_thread_start
extern sched_exit
extern gate_callback

section .text

; void sched_switch(uint64_t *save_rsp, uint64_t load_rsp)
;
; Saves the callee-saved state of the running thread on its own stack,
; stores the stack pointer in *save_rsp (rdi), loads load_rsp (rsi) and
; resumes the thread that was saved there. Caller-saved registers,
; including every XMM register, are dead across a call by the ABI and are
; not saved. Called with interrupts off; the resumed thread restores its
; own interrupt flag.
;
;   entry:    rdi = save_rsp, rsi = load_rsp; interrupts off; called by
;             schedule() (sched/sched.c), in the scheduler's domain, on
;             the running thread's stack (full gates: the scheduler's
;             region of its slot; gate_set_slot has already named the
;             next thread's slot).
;   exit:     in the resumed thread, on its stack, returning to where it
;             called sched_switch (a new thread: to sched_thread_start);
;             rbx rbp r12-r15, MXCSR and the x87 control word are its own.
;             PKRU is not touched: schedule() restores the thread's own
;             after the return (gate_pkru_restore).
;   clobbers: what a call may (caller-saved registers, XMM, flags); rdi
;             and rsi still hold the switching thread's arguments.
;
; Saved frame, lowest address first (load_rsp points at it):
;
;   +0   mxcsr (4 bytes) | x87 control word (2 bytes) | pad
;   +8   r15
;   +16  r14
;   +24  r13
;   +32  r12
;   +40  rbx
;   +48  rbp
;   +56  return address
;
; sched.c builds the same frame for a new thread (struct switch_frame).
sched_switch:
	push rbp				; frame.rbp
	push rbx				; frame.rbx
	push r12				; frame.r12
	push r13				; frame.r13
	push r14				; frame.r14
	push r15				; frame.r15
	sub rsp, 8
	stmxcsr [rsp]				; frame.mxcsr
	fnstcw [rsp + 4]			; frame.fpu_cw
	mov [rdi], rsp
	mov rsp, rsi
	ldmxcsr [rsp]
	fldcw [rsp + 4]
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; void sched_thread_start(void), never called: the return address of a
; new thread's frame (init_frame in sched/sched.c).
;
; r12 = entry function, r13 = its argument; rsp is 16-byte aligned here.
; Interrupts are enabled (the switch that got here ran with them off), the
; function is called through gate_callback (it may belong to another
; compartment), and its return value goes to sched_exit.
;
;   entry:    by sched_switch's `ret`, in the scheduler's domain, on the
;             new thread's stack (full gates: the scheduler's region of its
;             slot), interrupts off.
;   exit:     never: sched_exit does not return.
sched_thread_start:
	sti
	mov rdi, r12
	mov rsi, r13
	call gate_callback
	mov rdi, rax
	call sched_exit
	ud2

; No executable stack.
section .note.GNU-stack noalloc noexec nowrite progbits
