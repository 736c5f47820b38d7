/*
 * abi_layout_check: the live module-api/ember_module.h still contains ABI
 * v1 (the frozen tests/modules/abi_v1/ember_module.h) as its prefix. Exits
 * non-zero, naming each difference, when it does not.
 */
#include <stdio.h>
#include <string.h>

#include "abi_layout.h"

int main(void) {
  size_t i;
  int bad = 0;
  if (abi_facts_v1_count != abi_facts_live_count) {
    fprintf(stderr, "fact tables differ in length: %zu vs %zu\n", abi_facts_v1_count, abi_facts_live_count);
    return 1;
  }
  for (i = 0; i < abi_facts_v1_count; i++) {
    const AbiFact *v1 = &abi_facts_v1[i], *live = &abi_facts_live[i];
    if (strcmp(v1->name, live->name) != 0) {
      fprintf(stderr, "fact %zu: %s vs %s\n", i, v1->name, live->name);
      bad = 1;
    } else if (v1->kind == 1 && live->size < v1->size) {
      fprintf(stderr, "%s shrank: %zu bytes in v1, %zu now\n", v1->name, v1->size, live->size);
      bad = 1;
    } else if (v1->kind != 1 && (v1->value != live->value || v1->size != live->size)) {
      fprintf(stderr, "%s: %s %lld size %zu in v1, %lld size %zu now\n", v1->name,
              v1->kind == 2 ? "value" : "offset", v1->value, v1->size, live->value, live->size);
      bad = 1;
    }
  }
  /* The function table of v1 must be exactly its members, nothing hidden. */
  for (i = 0; i < abi_facts_v1_count; i++)
    if (strcmp(abi_facts_v1[i].name, "EmberApi") == 0) {
      size_t j = i + 1, end = 0;
      while (j < abi_facts_v1_count && strncmp(abi_facts_v1[j].name, "EmberApi.", 9) == 0) {
        end = (size_t)abi_facts_v1[j].value + abi_facts_v1[j].size;
        j++;
      }
      if (end != abi_facts_v1[i].size) {
        fprintf(stderr, "the v1 member list does not cover EmberApi (%zu of %zu bytes)\n", end,
                abi_facts_v1[i].size);
        bad = 1;
      }
    }
  if (!bad) printf("ABI v1 layout: %zu facts match\n", abi_facts_v1_count);
  return bad;
}
