/* A shared library that is not an ember module: it exports an init
 * function but no ember_module_info. */
#include "ember_module.h"

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *api, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->set_load_error(m, "no_info's init must never run");
  return EMBER_ERR;
}
