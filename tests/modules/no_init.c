/* An ember module that forgot ember_module_init. */
#include "ember_module.h"

EMBER_MODULE("noinit", 1);

EMBER_EXPORT int ember_module_helper(void) { return 1; }
