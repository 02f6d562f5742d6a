; boot/entry.asm - the first instructions of Bulkhead.
;
; One image, two loaders:
;   * GRUB `multiboot2` reads the ELF program headers and finds the MB2 header.
;   * QEMU `-kernel` only loads multiboot1 images, and a 64-bit ELF only
;     through the "a.out kludge": flag bit 16 plus the address fields below,
;     which describe one contiguous load (see build/<config>/kernel.ld,
;     which scripts/gen-image.py generates for each configuration, and
;     scripts/check-image.py, which verifies the layout after every link).
;
; Both loaders enter boot_entry32 the same way.
;
; Contract of boot_entry32 (no C view: the loaders jump to it):
;   mode:   32-bit protected mode, paging off, interrupts off, flat segments
;   eax:    0x2badb002 (multiboot1) or 0x36d76289 (multiboot2)
;   ebx:    physical address of the loader's information structure
;   stack:  none; we load boot_stack_top
;   PKRU:   not in use (CR4.PKE off until comp_protect, much later)
;   exits:  never; calls kmain(magic, info) in long mode, on the boot stack,
;           with a 4 GiB identity map of 2 MiB pages that kmain replaces.
;   clobbers: everything (nothing of the loader's is kept but eax and ebx).
;
; Contract of boot_entry64 (no C view: reached only by the far jump that
; ends boot_entry32):
;   mode:   64-bit long mode on the boot tables, CS = SEL_KCODE
;   edi:    magic, esi: info (as boot_entry32 received them in eax, ebx)
;   does:   loads the data selectors and the boot stack, enables SSE, and
;           calls kmain(magic, info) with rbp = 0 (end of backtraces).
;   exits:  never; halts if kmain returns.

%include "x86.inc"

MB1_MAGIC	equ 0x1badb002
MB1_FLAGS	equ (1 << 0) | (1 << 1) | (1 << 16) ; page-align, mem info, a.out kludge
MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0
BOOT_PDS	equ 4				; page directories: 4 GiB of 2 MiB pages

extern __load_start		; first byte of the image (build/<config>/kernel.ld)
extern __load_end		; end of the file-backed part (.data end)
extern __bss_end		; end of .bss: the loader zeroes up to here
extern kmain

global boot_entry32
global boot_stack_guard
global boot_stack_bottom
global boot_stack_top

; ---------------------------------------------------------------------------
; Headers: the linker script puts this section first, inside the first 8 KiB.
section .boot.header progbits alloc noexec nowrite align=8

align 4
mb1_header:
	dd MB1_MAGIC				; magic
	dd MB1_FLAGS				; flags
	dd 0x100000000 - (MB1_MAGIC + MB1_FLAGS) ; checksum: sum is zero
	dd mb1_header				; header_addr: where this header loads
	dd __load_start				; load_addr: first byte to load
	dd __load_end				; load_end_addr: end of file data
	dd __bss_end				; bss_end_addr: zero up to here
	dd boot_entry32				; entry_addr

align 8
mb2_header:
	dd MB2_MAGIC				; magic
	dd MB2_ARCH_I386			; architecture: 32-bit protected mode
	dd mb2_header_end - mb2_header		; header length
	dd 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; end tag: type 0, flags 0, size 8
	dw 0
	dw 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
bits 32

boot_entry32:
	cli
	cld
	mov esp, boot_stack_top
	mov edi, eax				; keep magic (first kmain argument)
	mov esi, ebx				; keep info pointer (second argument)

	; The CPU must do long mode and no-execute.
	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEATURES
	jb .no_long_mode
	mov eax, CPUID_EXT_FEATURES
	cpuid
	test edx, CPUID_EXT_LM
	jz .no_long_mode
	test edx, CPUID_EXT_NX
	jz .no_long_mode

	; Boot page tables: PML4[0] -> PDPT, PDPT[0..3] -> four PDs, each PD
	; entry a 2 MiB identity page, so the first 4 GiB are reachable until
	; mm builds the real 4 KiB tables. .bss is already zero.
	mov eax, boot_pdpt
	or eax, PTE_P | PTE_W | PTE_U
	mov [boot_pml4], eax

	xor ecx, ecx
.fill_pdpt:
	mov eax, ecx
	shl eax, PAGE_SHIFT			; PD number -> its page in boot_pd
	add eax, boot_pd
	or eax, PTE_P | PTE_W | PTE_U
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, BOOT_PDS
	jne .fill_pdpt

	xor ecx, ecx
.fill_pd:
	mov eax, ecx
	shl eax, PAGE_2M_SHIFT			; entry number -> its 2 MiB frame
	or eax, PTE_P | PTE_W | PTE_U | PTE_PS
	mov [boot_pd + ecx * 8], eax
	inc ecx
	cmp ecx, BOOT_PDS * PT_ENTRIES
	jne .fill_pd

	; PAE, then the tables, then long mode + NX, then paging.
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP | CR0_PE
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp SEL_KCODE:boot_entry64

.no_long_mode:
	; Say why on COM1 (the loader left it usable), then stop.
	mov esi, no_long_mode_msg
.putc:
	lodsb
	test al, al
	jz .halt
	mov dx, PORT_COM1
	out dx, al
	jmp .putc
.halt:
	hlt
	jmp .halt

bits 64
boot_entry64:
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top

	; SSE on: newlib and gcc-generated code use it.
	mov rax, cr0
	and eax, ~CR0_EM
	or eax, CR0_MP
	mov cr0, rax
	mov rax, cr4
	or eax, CR4_OSFXSR | CR4_OSXMMEXCPT
	mov cr4, rax

	mov edi, edi				; magic, zero-extended
	mov esi, esi				; info, zero-extended
	xor ebp, ebp				; end of frame-pointer chain
	call kmain
.dead:
	cli
	hlt
	jmp .dead

; ---------------------------------------------------------------------------
section .rodata

no_long_mode_msg:
	db "Bulkhead: this CPU lacks long mode or NX; stopping.", 13, 10, 0

align 8
boot_gdt:
	dq 0					; null
	dq 0x00af9a000000ffff			; SEL_KCODE: 64-bit code, ring 0
	dq 0x00cf92000000ffff			; SEL_KDATA: data, ring 0
boot_gdt_end:

boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1		; limit
	dd boot_gdt				; base (32-bit lgdt form)

; ---------------------------------------------------------------------------
section .bss.boot nobits alloc write align=PAGE_SIZE

boot_pml4:	resb PAGE_SIZE
boot_pdpt:	resb PAGE_SIZE
boot_pd:	resb BOOT_PDS * PAGE_SIZE

; The guard page stays unmapped once mm builds the final tables, so an
; overflow of the boot stack faults instead of corrupting .bss.
boot_stack_guard:	resb PAGE_SIZE
boot_stack_bottom:	resb 32768
boot_stack_top:

; No executable stack.
section .note.GNU-stack noalloc noexec nowrite progbits
