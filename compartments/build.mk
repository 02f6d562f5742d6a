# compartments: the compartment table's queries (the table itself is
# generated per configuration). Part of the kernel core.
kernel_SRCS += compartments/comp.c
