/*
 * counter: an example ember module, written as a third-party author would
 * write one: plain C99, built against module-api/ember_module.h alone.
 *
 *   CTR.INCRBY key n      add n to the counter at key (created at 0); its value
 *   CTR.GET key           the counter's value, or nil
 *   CTR.STATS key         [value, increments] as a map in RESP3
 *   CTR.MERGE dst src...  add the counters at src... into dst (keys on
 *                         several shards: the server holds them all)
 *
 * A counter is a module data type ("counter"): TYPE says so, DEL, EXPIRE,
 * COPY, DUMP/RESTORE and MEMORY USAGE work on it through its callbacks.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ember_module.h"

EMBER_MODULE("counter", 1);

static const EmberApi *api;
static EmberType *counter_type;
static long long step_limit; /* counter.max-step */

typedef struct Counter {
  long long value;
  long long increments;
} Counter;

/* ---- the data type ---- */

static void counter_free(void *v) { api->free(v); }

static size_t counter_mem_usage(const void *v) {
  (void)v;
  return sizeof(Counter);
}

static void counter_serialize(EmberIO *io, const void *v) {
  const Counter *c = v;
  api->save_i64(io, c->value);
  api->save_i64(io, c->increments);
}

static void *counter_deserialize(EmberIO *io, int encver) {
  Counter *c;
  if (encver != 1) return NULL;
  c = api->alloc(sizeof(Counter));
  c->value = api->load_i64(io);
  c->increments = api->load_i64(io);
  if (api->io_error(io)) {
    api->free(c);
    return NULL;
  }
  return c;
}

static void *counter_copy(const void *v) {
  Counter *c = api->alloc(sizeof(Counter));
  memcpy(c, v, sizeof(Counter));
  return c;
}

static void counter_digest(EmberDigest *d, const void *v) {
  const Counter *c = v;
  api->digest_add(d, (const char *)&c->value, sizeof(c->value));
}

/* ---- helpers ---- */

/* a + b into *out, or 0 when it would overflow. */
static int add_ll(long long a, long long b, long long *out) {
  if ((b > 0 && a > LLONG_MAX - b) || (b < 0 && a < LLONG_MIN - b)) return 0;
  *out = a + b;
  return 1;
}

static int parse_ll(EmberStr s, long long *out) {
  char buf[32], *end;
  if (s.len == 0 || s.len >= sizeof(buf)) return 0;
  memcpy(buf, s.ptr, s.len);
  buf[s.len] = 0;
  errno = 0;
  *out = strtoll(buf, &end, 10);
  return errno == 0 && *end == 0;
}

/* The counter at key, created when create is set; NULL (having replied)
 * when the key holds something else. */
static Counter *open_counter(EmberCtx *ctx, EmberKey *key, int create) {
  int type = api->key_type(key);
  Counter *c;
  if (type == EMBER_KEYTYPE_EMPTY) {
    if (!create) return NULL;
    c = api->calloc(1, sizeof(Counter));
    api->key_set_module_value(key, counter_type, c);
    return c;
  }
  if (api->key_module_type(key) != counter_type) {
    api->reply_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    return NULL;
  }
  return api->key_module_value(key);
}

/* ---- commands ---- */

static int cmd_incrby(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long by;
  EmberKey *key;
  Counter *c;
  (void)argc;
  if (!parse_ll(argv[2], &by)) {
    api->reply_error(ctx, "ERR value is not an integer or out of range");
    return EMBER_ERR;
  }
  if (by > step_limit || by < -step_limit) {
    api->reply_error(ctx, "ERR increment is larger than counter.max-step");
    return EMBER_ERR;
  }
  key = api->open_key(ctx, argv[1], EMBER_WRITE);
  c = open_counter(ctx, key, 1);
  if (!c) return EMBER_ERR;
  if (!add_ll(c->value, by, &c->value)) {
    api->reply_error(ctx, "ERR increment or decrement would overflow");
    return EMBER_ERR;
  }
  c->increments++;
  api->key_touched(key, "ctr.incrby");
  api->reply_integer(ctx, c->value);
  return EMBER_OK;
}

static int cmd_get(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *key = api->open_key(ctx, argv[1], EMBER_READ);
  Counter *c;
  (void)argc;
  if (api->key_type(key) == EMBER_KEYTYPE_EMPTY) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  c = open_counter(ctx, key, 0);
  if (!c) return EMBER_ERR;
  api->reply_integer(ctx, c->value);
  return EMBER_OK;
}

static int cmd_stats(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *key = api->open_key(ctx, argv[1], EMBER_READ);
  Counter *c;
  (void)argc;
  if (api->key_type(key) == EMBER_KEYTYPE_EMPTY) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  c = open_counter(ctx, key, 0);
  if (!c) return EMBER_ERR;
  api->reply_map(ctx, 2);
  api->reply_bulk(ctx, "value", 5);
  api->reply_integer(ctx, c->value);
  api->reply_bulk(ctx, "increments", 10);
  api->reply_integer(ctx, c->increments);
  return EMBER_OK;
}

static int cmd_merge(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *dst_key = api->open_key(ctx, argv[1], EMBER_WRITE);
  Counter *dst;
  long long total = 0;
  int i;
  /* Check every source before changing anything. */
  for (i = 2; i < argc; i++) {
    EmberKey *k = api->open_key(ctx, argv[i], EMBER_READ);
    int type = api->key_type(k);
    if (type != EMBER_KEYTYPE_EMPTY && api->key_module_type(k) != counter_type) {
      api->reply_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
      return EMBER_ERR;
    }
    if (type != EMBER_KEYTYPE_EMPTY && !add_ll(total, ((Counter *)api->key_module_value(k))->value, &total)) {
      api->reply_error(ctx, "ERR increment or decrement would overflow");
      return EMBER_ERR;
    }
    api->close_key(k);
  }
  if (api->key_type(dst_key) != EMBER_KEYTYPE_EMPTY && api->key_module_type(dst_key) == counter_type &&
      !add_ll(((Counter *)api->key_module_value(dst_key))->value, total, &total)) {
    api->reply_error(ctx, "ERR increment or decrement would overflow");
    return EMBER_ERR;
  }
  dst = open_counter(ctx, dst_key, 1);
  if (!dst) return EMBER_ERR;
  dst->value = total;
  dst->increments++;
  api->key_touched(dst_key, "ctr.merge");
  api->reply_integer(ctx, dst->value);
  return EMBER_OK;
}

static int set_max_step(void *state, const char *name, EmberStr value, char *err, size_t err_cap) {
  long long v;
  (void)state;
  (void)name;
  (void)err;
  (void)err_cap;
  if (!parse_ll(value, &v)) return EMBER_ERR;
  step_limit = v;
  return EMBER_OK;
}

static void info(EmberInfoCtx *ctx, int for_crash) {
  (void)for_crash;
  api->info_section(ctx, "stats");
  api->info_field_i64(ctx, "max_step", step_limit);
}

/* ---- entry point ---- */

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *a, int argc, const EmberStr *argv) {
  EmberTypeDef type = {sizeof(EmberTypeDef), "counter", 1, counter_free, counter_mem_usage,
                       counter_serialize, counter_deserialize, counter_copy, counter_digest, NULL, NULL};
  EmberCommandDef cmds[] = {
      {sizeof(EmberCommandDef), "ctr.incrby", 3, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM | EMBER_CMD_FAST, 1, 1, 1,
       cmd_incrby, NULL, "Adds to a counter.", "counter"},
      {sizeof(EmberCommandDef), "ctr.get", 2, EMBER_CMD_READONLY | EMBER_CMD_FAST, 1, 1, 1, cmd_get, NULL,
       "Returns a counter's value.", "counter"},
      {sizeof(EmberCommandDef), "ctr.stats", 2, EMBER_CMD_READONLY, 1, 1, 1, cmd_stats, NULL,
       "Returns a counter's value and number of increments.", "counter"},
      {sizeof(EmberCommandDef), "ctr.merge", -3, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM, 1, -1, 1, cmd_merge, NULL,
       "Adds counters into another.", "counter"},
  };
  EmberConfigDef max_step = {sizeof(EmberConfigDef), "counter.max-step", EMBER_CONFIG_INT, "1000000", 1,
                             1000000000000LL, NULL, 0, set_max_step, NULL};
  size_t i;
  api = a;
  step_limit = 1000000;
  /* "counter.so fail" refuses to load: the tests use it. */
  if (argc > 0 && argv[0].len == 4 && memcmp(argv[0].ptr, "fail", 4) == 0) {
    a->set_load_error(m, "asked to fail by its arguments");
    return EMBER_ERR;
  }
  counter_type = a->register_type(m, &type);
  if (!counter_type) return EMBER_ERR;
  for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
    if (a->register_command(m, &cmds[i]) != EMBER_OK) return EMBER_ERR;
  if (a->register_config(m, &max_step) != EMBER_OK) return EMBER_ERR;
  a->register_info(m, info);
  return EMBER_OK;
}
