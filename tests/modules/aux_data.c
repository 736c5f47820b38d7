/* A module with module-global data (aux_save / aux_load): its state is the
 * word given on the loadmodule line, so a test can save it from one load
 * and restore it into another (tests/unit/test_module_aux.cc). Bytes
 * starting with "refuse" make aux_load fail. */
#include <string.h>

#include "ember_module.h"

EMBER_MODULE("auxdata", 1);

static const EmberApi *api;
static char state[64];
static size_t state_len;
static uint64_t loads;

static void free_value(void *v) { api->free(v); }

static void aux_save(EmberIO *io) {
  api->save_string(io, state, state_len);
  api->save_u64(io, loads);
}

static int aux_load(EmberIO *io, int encver) {
  EmberStr s = api->load_string(io);
  uint64_t n = api->load_u64(io);
  if (api->io_error(io) || encver < 2 || s.len > sizeof(state) || (s.len >= 6 && memcmp(s.ptr, "refuse", 6) == 0))
    return EMBER_ERR;
  memcpy(state, s.ptr, s.len);
  state_len = s.len;
  loads = n + 1; /* counts the loads the state went through */
  return EMBER_OK;
}

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *a, int argc, const EmberStr *argv) {
  EmberTypeDef type = {sizeof(EmberTypeDef), "auxtype", 3, free_value, NULL, NULL, NULL, NULL, NULL,
                       aux_save, aux_load};
  api = a;
  if (argc == 1 && argv[0].len <= sizeof(state)) {
    memcpy(state, argv[0].ptr, argv[0].len);
    state_len = argv[0].len;
  }
  return a->register_type(m, &type) ? EMBER_OK : EMBER_ERR;
}
