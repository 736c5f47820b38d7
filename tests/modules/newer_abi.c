/* A module that needs a newer ABI than the server implements: its
 * ember_module_info is written by hand with EMBER_ABI_VERSION + 1. The
 * server must refuse it before calling anything in it. */
#include "ember_module.h"

EMBER_EXPORT const EmberModuleInfo ember_module_info = {sizeof(EmberModuleInfo), EMBER_ABI_VERSION + 1, "newerabi", 1};

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *api, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->set_load_error(m, "newer_abi's init must never run");
  return EMBER_ERR;
}
