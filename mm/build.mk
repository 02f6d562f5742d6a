# mm: memory regions, the page pool, heaps, page tables, guarded stacks.
LIBS += mm
mm_SRCS := mm/mm.c mm/regions.c mm/page.c mm/vm.c mm/stack.c mm/shared.c mm/slot.c \
	mm/kasan.c
