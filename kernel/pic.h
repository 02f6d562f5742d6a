/* pic.h - the 8259 pair, for trap.c and dev.c only. */
#ifndef KERNEL_PIC_H
#define KERNEL_PIC_H

void pic_init(void);
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);
int pic_is_spurious(int irq);

#endif
