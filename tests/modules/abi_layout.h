/* One fact of the ABI's layout (see abi_layout.c). */
#ifndef EMBER_TEST_ABI_LAYOUT_H
#define EMBER_TEST_ABI_LAYOUT_H

#include <stddef.h>

typedef struct AbiFact {
  const char *name;
  long long value; /* a member's offset, or a constant's value */
  size_t size;     /* a member's or a struct's size */
  int kind;        /* 0 member, 1 struct size, 2 constant */
} AbiFact;

extern const AbiFact abi_facts_v1[];
extern const size_t abi_facts_v1_count;
extern const AbiFact abi_facts_live[];
extern const size_t abi_facts_live_count;

#endif
