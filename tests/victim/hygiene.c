/*
 * hygiene.c - victim functions that look at, and leave behind, the state
 * a gate must clean: the direction flag (every gate), the vector
 * registers, MXCSR and the x87 control word (full gates). Written in
 * assembly so the compiler neither relies on nor repairs that state.
 */
#include "victim.h"

/* long victim_df_on_entry(void): the direction flag as the callee found
 * it (1 if set). */
__asm__(".text\n"
	".globl victim_df_on_entry\n"
	"victim_df_on_entry:\n"
	"	pushfq\n"
	"	pop %rax\n"
	"	shr $10, %rax\n"
	"	and $1, %eax\n"
	"	ret\n");

/* long victim_leave_df(void): return with the direction flag set, as a
 * compromised callee may. */
__asm__(".text\n"
	".globl victim_leave_df\n"
	"victim_leave_df:\n"
	"	std\n"
	"	xor %eax, %eax\n"
	"	ret\n");

/* long victim_leave_vector_state(void): return with a secret in xmm0 and
 * xmm15 (as if it had copied a key with SSE), MXCSR rounding towards zero
 * and the x87 control word at single precision, round down. */
__asm__(".text\n"
	".globl victim_leave_vector_state\n"
	"victim_leave_vector_state:\n"
	"	movabs $0x5ec2e7da7a, %rax\n"
	"	movq %rax, %xmm0\n"
	"	movq %rax, %xmm15\n"
	"	push $0x7f80\n"
	"	ldmxcsr (%rsp)\n"
	"	movw $0x047f, (%rsp)\n"
	"	fldcw (%rsp)\n"
	"	add $8, %rsp\n"
	"	xor %eax, %eax\n"
	"	ret\n");

/* long victim_vector_state_on_entry(long out[4]): what the callee found:
 * xmm0 and xmm15 (low halves), MXCSR and the x87 control word. out must
 * be shared memory. */
__asm__(".text\n"
	".globl victim_vector_state_on_entry\n"
	"victim_vector_state_on_entry:\n"
	"	movq %xmm0, %rax\n"
	"	mov %rax, (%rdi)\n"
	"	movq %xmm15, %rax\n"
	"	mov %rax, 8(%rdi)\n"
	"	movq $0, 16(%rdi)\n"
	"	stmxcsr 16(%rdi)\n"
	"	movq $0, 24(%rdi)\n"
	"	fnstcw 24(%rdi)\n"
	"	xor %eax, %eax\n"
	"	ret\n");

/*
 * These functions, and victim_callee_saved, are written in assembly: this
 * table makes the compiler record their C prototypes, which the build
 * checks their API contracts against (scripts/prototypes.py).
 */
__attribute__((used)) static void (*const asm_functions[])(void) = {
	(void (*)(void))victim_callee_saved,
	(void (*)(void))victim_df_on_entry,
	(void (*)(void))victim_leave_df,
	(void (*)(void))victim_leave_vector_state,
	(void (*)(void))victim_vector_state_on_entry,
};
