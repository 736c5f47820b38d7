/*
 * abiv1: a module built against the frozen ABI v1 header (abi_v1/, and
 * nothing else) with a representative subset of the API: commands, a data
 * type, a config, INFO, a timer and a reply of each kind. Later servers
 * must keep loading it and running it unchanged (tests/integration/
 * test_abi_v1.py).
 */
#include <stdlib.h>
#include <string.h>

#include "ember_module.h"

#if EMBER_ABI_VERSION != 1 && !defined(EMBER_ABI_V1_LIVE_BUILD)
#error "abi_v1_module.c must be built against the frozen v1 header"
#endif

EMBER_MODULE("abiv1", 1);

static const EmberApi *api;
static EmberModule *self;
static EmberType *box_type;
static EmberTimer *pending;
static long long level = 3;

typedef struct Box {
  int64_t n;
} Box;

static void box_free(void *v) { api->free(v); }
static size_t box_mem(const void *v) {
  (void)v;
  return sizeof(Box);
}
static void box_save(EmberIO *io, const void *v) { api->save_i64(io, ((const Box *)v)->n); }
static void *box_load(EmberIO *io, int encver) {
  Box *b;
  if (encver != 1) return NULL;
  b = api->alloc(sizeof(Box));
  b->n = api->load_i64(io);
  if (api->io_error(io)) {
    api->free(b);
    return NULL;
  }
  return b;
}
static void *box_copy(const void *v) {
  Box *b = api->alloc(sizeof(Box));
  *b = *(const Box *)v;
  return b;
}
static void box_digest(EmberDigest *d, const void *v) { api->digest_add(d, (const char *)v, sizeof(Box)); }

static int parse_ll(EmberStr s, long long *out) {
  char buf[32], *end;
  if (s.len == 0 || s.len >= sizeof(buf)) return 0;
  memcpy(buf, s.ptr, s.len);
  buf[s.len] = 0;
  *out = strtoll(buf, &end, 10);
  return *end == 0;
}

static int cmd_ping(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_simple(ctx, "PONG v1");
  return EMBER_OK;
}

/* [the table is at least v1's size, its ABI is at least 1, the last v1 entry is present] */
static int cmd_api(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 3);
  api->reply_integer(ctx, api->size >= sizeof(EmberApi));
  api->reply_integer(ctx, api->abi_version >= 1);
  api->reply_integer(ctx, EMBER_HAS(api, free));
  return EMBER_OK;
}

static int cmd_set(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long n;
  EmberKey *k;
  Box *b;
  (void)argc;
  if (!parse_ll(argv[2], &n)) {
    api->reply_error(ctx, "ERR value is not an integer or out of range");
    return EMBER_ERR;
  }
  k = api->open_key(ctx, argv[1], EMBER_WRITE);
  if (api->key_type(k) != EMBER_KEYTYPE_EMPTY && api->key_module_type(k) != box_type) {
    api->reply_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    return EMBER_ERR;
  }
  b = api->alloc(sizeof(Box));
  b->n = n;
  api->key_set_module_value(k, box_type, b);
  api->reply_simple(ctx, "OK");
  return EMBER_OK;
}

static int cmd_get(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  (void)argc;
  if (api->key_type(k) == EMBER_KEYTYPE_EMPTY) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  if (api->key_module_type(k) != box_type) {
    api->reply_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    return EMBER_ERR;
  }
  api->reply_integer(ctx, ((Box *)api->key_module_value(k))->n);
  return EMBER_OK;
}

static int cmd_replies(EmberCtx *ctx, int argc, const EmberStr *argv) {
  size_t token;
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 10);
  api->reply_simple(ctx, "ok");
  api->reply_integer(ctx, 7);
  api->reply_double(ctx, 1.5);
  api->reply_bool(ctx, 1);
  api->reply_bulk(ctx, "bulk", 4);
  api->reply_null(ctx);
  api->reply_verbatim(ctx, "verbatim", 8);
  api->reply_map(ctx, 1);
  api->reply_bulk(ctx, "level", 5);
  api->reply_integer(ctx, level);
  api->reply_set(ctx, 1);
  api->reply_bulk(ctx, "member", 6);
  token = api->reply_array_begin(ctx);
  api->reply_integer(ctx, 1);
  api->reply_integer(ctx, 2);
  api->reply_array_end(ctx, token, 2);
  return EMBER_OK;
}

static int cmd_error(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_error(ctx, "ABIERR an error from a v1 module");
  return EMBER_ERR;
}

static void on_timer(EmberCtx *ctx, void *data) {
  (void)ctx;
  (void)data;
  pending = NULL;
}

/* v1.timer ms: one pending timer on this shard; v1.timer-del deletes it */
static int cmd_timer(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long ms;
  (void)argc;
  if (pending || !parse_ll(argv[1], &ms)) {
    api->reply_error(ctx, "ERR a timer is pending, or bad ms");
    return EMBER_ERR;
  }
  pending = api->timer_create(self, api->ctx_shard(ctx), (uint64_t)ms, on_timer, NULL);
  api->reply_integer(ctx, pending != NULL);
  return EMBER_OK;
}

static int cmd_timer_del(EmberCtx *ctx, int argc, const EmberStr *argv) {
  int rc = pending ? api->timer_delete(pending) : EMBER_ERR;
  (void)argc;
  (void)argv;
  pending = NULL;
  api->reply_integer(ctx, rc == EMBER_OK);
  return EMBER_OK;
}

static int on_level(void *state, const char *name, EmberStr value, char *err, size_t err_cap) {
  (void)state;
  (void)name;
  (void)err;
  (void)err_cap;
  return parse_ll(value, &level) ? EMBER_OK : EMBER_ERR;
}

static void on_info(EmberInfoCtx *ctx, int for_crash) {
  (void)for_crash;
  api->info_section(ctx, "state");
  api->info_field_i64(ctx, "level", level);
  api->info_field_str(ctx, "timer_pending", pending ? "yes" : "no");
}

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *a, int argc, const EmberStr *argv) {
  EmberTypeDef type = {sizeof(EmberTypeDef), "v1box", 1, box_free, box_mem, box_save, box_load, box_copy,
                       box_digest};
  EmberCommandDef cmds[] = {
      {sizeof(EmberCommandDef), "v1.ping", 1, EMBER_CMD_FAST, 0, 0, 0, cmd_ping, NULL, "Answers PONG v1.", NULL},
      {sizeof(EmberCommandDef), "v1.api", 1, 0, 0, 0, 0, cmd_api, NULL, NULL, NULL},
      {sizeof(EmberCommandDef), "v1.set", 3, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM, 1, 1, 1, cmd_set, NULL,
       "Stores an integer in a box.", NULL},
      {sizeof(EmberCommandDef), "v1.get", 2, EMBER_CMD_READONLY, 1, 1, 1, cmd_get, NULL, NULL, NULL},
      {sizeof(EmberCommandDef), "v1.replies", 1, 0, 0, 0, 0, cmd_replies, NULL, NULL, NULL},
      {sizeof(EmberCommandDef), "v1.error", 1, 0, 0, 0, 0, cmd_error, NULL, NULL, NULL},
      {sizeof(EmberCommandDef), "v1.timer", 2, 0, 0, 0, 0, cmd_timer, NULL, NULL, NULL},
      {sizeof(EmberCommandDef), "v1.timer-del", 1, 0, 0, 0, 0, cmd_timer_del, NULL, NULL, NULL},
  };
  EmberConfigDef cfg = {sizeof(EmberConfigDef), "abiv1.level", EMBER_CONFIG_INT, "3", 0, 10, NULL, 0, on_level,
                        NULL};
  size_t i;
  (void)argc;
  (void)argv;
  api = a;
  self = m;
  box_type = a->register_type(m, &type);
  if (!box_type) return EMBER_ERR;
  for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
    if (a->register_command(m, &cmds[i]) != EMBER_OK) return EMBER_ERR;
  if (a->register_config(m, &cfg) != EMBER_OK || a->register_info(m, on_info) != EMBER_OK) return EMBER_ERR;
  return EMBER_OK;
}

EMBER_EXPORT void ember_module_deinit(EmberModule *m) { api->log(m, EMBER_LOG_NOTICE, "abiv1 deinit"); }
