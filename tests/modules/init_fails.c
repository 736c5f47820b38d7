/* A module whose init fails after registering a command, a type and a
 * config: the server must forget all of them (so that loading it again
 * fails the same way, not with "exists"). */
#include "ember_module.h"

EMBER_MODULE("initfails", 1);

static const EmberApi *api;

static int cmd(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_simple(ctx, "SHOULD-NOT-EXIST");
  return EMBER_OK;
}

static void free_value(void *v) { api->free(v); }

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *a, int argc, const EmberStr *argv) {
  EmberCommandDef def = {sizeof(EmberCommandDef), "initfails.cmd", 1, 0, 0, 0, 0, cmd, NULL, NULL, NULL};
  EmberTypeDef type = {sizeof(EmberTypeDef), "initfailstype", 1, free_value, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  EmberConfigDef cfg = {sizeof(EmberConfigDef), "initfails.param", EMBER_CONFIG_BOOL, "no", 0, 0, NULL, 0, NULL,
                        NULL};
  (void)argc;
  (void)argv;
  api = a;
  if (a->register_command(m, &def) != EMBER_OK || !a->register_type(m, &type) || a->register_config(m, &cfg) != EMBER_OK) {
    a->set_load_error(m, "a registration failed before the deliberate failure");
    return EMBER_ERR;
  }
  a->set_load_error(m, "init_fails refuses to initialize, as designed");
  return EMBER_ERR;
}
