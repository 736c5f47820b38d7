/*
 * hooks: the test module that exercises every entry of EmberApi (ABI v1).
 * Its commands are named hooks.* and are driven by
 * tests/integration/test_modules.py; its codec is driven in-process by
 * tests/unit/test_module_host.cc.
 *
 * Arguments (the words after the path): "port N" listens on N with the
 * "xor" transport, "xor K" sets the transport's byte key (default 90).
 *
 * What it registers:
 *   types     hooktype (every callback: free, mem_usage, serialize with every
 *             save_*, deserialize with every load_* and io_error, copy,
 *             digest) and hookbare (free only: no copy, no serialization)
 *   configs   hooks.codec-fail (bool), hooks.refuse-crossslot (bool),
 *             hooks.limit (int 0..1000000, refuses 13), hooks.moved-slots
 *             (string "" or "A-B", refuses anything else), hooks.mode (enum
 *             fast|slow|safe), hooks.boot-only (int, immutable)
 *   INFO      sections hooks_stats and hooks_extra; metrics
 *             hooks_writes_total (counter) and hooks_live_values (gauge)
 *   transport xor: every byte XORed with the key
 *   codec     hooks-codec: "HKC1" + every byte XOR 0x5A
 *   filter    -MOVED <slot> 127.0.0.1:1 for slots in hooks.moved-slots;
 *             -CROSSSLOT when hooks.refuse-crossslot and slot is -1; refuses
 *             without replying when the first key starts "refuse-silently"
 *   listener  counts successful writes and keeps the last 64 of them
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ember_module.h"

EMBER_MODULE("hooks", 3);

static const EmberApi *api;
static EmberModule *self;
static EmberType *htype, *bare_type;

#define ATOMIC_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_GET(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ATOMIC_SET(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/* ---------------------------------------------------------------- helpers */

static int eq(EmberStr s, const char *lit) {
  size_t n = strlen(lit);
  return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
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

static int parse_double(EmberStr s, double *out) {
  char buf[64], *end;
  if (s.len == 0 || s.len >= sizeof(buf)) return 0;
  memcpy(buf, s.ptr, s.len);
  buf[s.len] = 0;
  *out = strtod(buf, &end);
  return *end == 0;
}

/* A NUL-terminated copy made with the server's allocator. */
static char *dupz(const char *p, size_t n) {
  char *s = api->alloc(n + 1);
  memcpy(s, p, n);
  s[n] = 0;
  return s;
}

static void reply_ok(EmberCtx *ctx) { api->reply_simple(ctx, "OK"); }

static const char *kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

/* ----------------------------------------------------------- the types */

typedef struct HVal {
  int64_t i;
  uint64_t u;
  double d;
  float f;
  char *s;
  size_t slen;
} HVal;

#define HVAL_PAD 10000 /* mem_usage reports this much more, so tests see it */

static long live_values; /* hooktype values alive (atomic) */

static HVal *hval_new(void) {
  HVal *v = api->calloc(1, sizeof(HVal));
  ATOMIC_ADD(&live_values, 1);
  return v;
}

static void hval_free(void *p) {
  HVal *v = p;
  api->free(v->s);
  api->free(v);
  ATOMIC_ADD(&live_values, -1);
}

static size_t hval_mem(const void *p) {
  const HVal *v = p;
  return sizeof(HVal) + v->slen + HVAL_PAD;
}

static void hval_save(EmberIO *io, const void *p) {
  const HVal *v = p;
  api->save_i64(io, v->i);
  api->save_u64(io, v->u);
  api->save_double(io, v->d);
  api->save_float(io, v->f);
  api->save_string(io, v->s ? v->s : "", v->slen);
}

static void *hval_load(EmberIO *io, int encver) {
  HVal *v;
  EmberStr s;
  if (encver != 1) return NULL;
  v = hval_new();
  v->i = api->load_i64(io);
  v->u = api->load_u64(io);
  v->d = api->load_double(io);
  v->f = api->load_float(io);
  s = api->load_string(io);
  if (api->io_error(io)) {
    hval_free(v);
    return NULL;
  }
  v->s = dupz(s.ptr, s.len);
  v->slen = s.len;
  return v;
}

static void *hval_copy(const void *p) {
  const HVal *src = p;
  HVal *v = hval_new();
  v->i = src->i;
  v->u = src->u;
  v->d = src->d;
  v->f = src->f;
  v->s = dupz(src->s ? src->s : "", src->slen);
  v->slen = src->slen;
  return v;
}

static void hval_digest(EmberDigest *d, const void *p) {
  const HVal *v = p;
  api->digest_add(d, (const char *)&v->i, sizeof(v->i));
  api->digest_add(d, (const char *)&v->u, sizeof(v->u));
  api->digest_add(d, v->s ? v->s : "", v->slen);
}

static void bare_free(void *p) { api->free(p); }

/* ---------------------------------------------------------- the configs */

static int codec_fail, refuse_crossslot;
static long long limit_value = 10, boot_only = 1;
static int moved_from = -1, moved_to = -1;
static char moved_text[64] = "";
static char mode_text[16] = "fast";
static int config_state; /* its address is every config's state */

static int copy_value(EmberStr value, char *dst, size_t cap) {
  if (value.len >= cap) return 0;
  memcpy(dst, value.ptr, value.len);
  dst[value.len] = 0;
  return 1;
}

static int on_set(void *state, const char *name, EmberStr value, char *err, size_t err_cap) {
  long long v;
  if (state != &config_state) {
    snprintf(err, err_cap, "on_set got the wrong state");
    return EMBER_ERR;
  }
  if (strcmp(name, "hooks.codec-fail") == 0) {
    codec_fail = eq(value, "yes");
  } else if (strcmp(name, "hooks.refuse-crossslot") == 0) {
    refuse_crossslot = eq(value, "yes");
  } else if (strcmp(name, "hooks.limit") == 0) {
    if (!parse_ll(value, &v)) {
      snprintf(err, err_cap, "hooks.limit got a non-integer");
      return EMBER_ERR;
    }
    if (v == 13) {
      snprintf(err, err_cap, "13 is unlucky");
      return EMBER_ERR;
    }
    limit_value = v;
  } else if (strcmp(name, "hooks.moved-slots") == 0) {
    int a = -1, b = -1, used = 0;
    char buf[64];
    if (!copy_value(value, buf, sizeof(buf))) {
      snprintf(err, err_cap, "too long");
      return EMBER_ERR;
    }
    if (buf[0] != 0) {
      if (sscanf(buf, "%d-%d%n", &a, &b, &used) != 2 || buf[used] != 0 || a < 0 || b < a || b > 16383) {
        snprintf(err, err_cap, "hooks.moved-slots must be empty or FROM-TO within 0-16383");
        return EMBER_ERR;
      }
    }
    moved_from = a;
    moved_to = b;
    strcpy(moved_text, buf);
  } else if (strcmp(name, "hooks.mode") == 0) {
    if (!copy_value(value, mode_text, sizeof(mode_text))) return EMBER_ERR;
  } else if (strcmp(name, "hooks.boot-only") == 0) {
    if (!parse_ll(value, &boot_only)) return EMBER_ERR;
  } else {
    snprintf(err, err_cap, "unexpected parameter %s", name);
    return EMBER_ERR;
  }
  return EMBER_OK;
}

/* --------------------------------------------------- the write listener */

#define WLOG_MAX 64
static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static long long writes_seen;
static char *wlog[WLOG_MAX]; /* oldest first */
static int wlog_n;
static int listener_state;
static long long bad_shard_writes; /* a shard number out of range */

static char *join_argv(int argc, const EmberStr *argv) {
  size_t n = 0, at = 0;
  int i;
  char *s;
  for (i = 0; i < argc; i++) n += argv[i].len + 1;
  s = api->alloc(n + 1);
  for (i = 0; i < argc; i++) {
    if (i) s[at++] = ' ';
    memcpy(s + at, argv[i].ptr, argv[i].len);
    at += argv[i].len;
  }
  s[at] = 0;
  return s;
}

static void on_write(void *state, uint32_t shard, int argc, const EmberStr *argv) {
  char *line;
  if (state != &listener_state) return;
  line = join_argv(argc, argv);
  pthread_mutex_lock(&wmu);
  if (shard >= api->shard_count()) bad_shard_writes++;
  writes_seen++;
  if (wlog_n == WLOG_MAX) {
    api->free(wlog[0]);
    memmove(wlog, wlog + 1, sizeof(wlog[0]) * (WLOG_MAX - 1));
    wlog_n--;
  }
  wlog[wlog_n++] = line;
  pthread_mutex_unlock(&wmu);
}

static double metric_writes(void *state) {
  double v;
  (void)state;
  pthread_mutex_lock(&wmu);
  v = (double)writes_seen;
  pthread_mutex_unlock(&wmu);
  return v;
}

static double metric_live(void *state) {
  (void)state;
  return (double)ATOMIC_GET(&live_values);
}

/* ---------------------------------------------------- the command filter */

static int filter_state;
static pthread_mutex_t fmu = PTHREAD_MUTEX_INITIALIZER;
static long long filter_calls;
static int filter_last_slot = -2;
static uint32_t filter_last_flags;
static char filter_last_cmd[64];

static int on_filter(void *state, EmberCtx *ctx, uint32_t cmd_flags, int slot, int argc, const EmberStr *argv) {
  char msg[96];
  size_t n;
  if (state != &filter_state) {
    api->reply_error(ctx, "ERR filter got the wrong state");
    return EMBER_ERR;
  }
  pthread_mutex_lock(&fmu);
  filter_calls++;
  filter_last_slot = slot;
  filter_last_flags = cmd_flags;
  n = argc > 0 ? argv[0].len : 0;
  if (n >= sizeof(filter_last_cmd)) n = sizeof(filter_last_cmd) - 1;
  if (n) memcpy(filter_last_cmd, argv[0].ptr, n);
  filter_last_cmd[n] = 0;
  pthread_mutex_unlock(&fmu);
  if (moved_from >= 0 && slot >= moved_from && slot <= moved_to) {
    snprintf(msg, sizeof(msg), "MOVED %d 127.0.0.1:1", slot);
    api->reply_error(ctx, msg);
    return EMBER_ERR;
  }
  if (slot == -1 && refuse_crossslot) {
    api->reply_error(ctx, "CROSSSLOT Keys in request don't hash to the same slot");
    return EMBER_ERR;
  }
  if (argc >= 2 && argv[1].len >= 15 && memcmp(argv[1].ptr, "refuse-silently", 15) == 0) return EMBER_ERR;
  return EMBER_OK;
}

/* --------------------------------------------------------- the transport */

/* Like TLS, it reads ahead: a read takes all the socket has into the
 * connection's buffer and hands it out a few bytes at a time, so the rest
 * is "pending" where the socket will not signal it again (the server must
 * ask xor_pending). */
#define XOR_BUFFER 65536
#define XOR_RECORD 7

typedef struct XorConn {
  int fd;
  unsigned char key;
  unsigned long rx, tx;
  size_t in_off, in_len;
  unsigned char in[XOR_BUFFER];
} XorConn;

static unsigned char xor_key = 90;
static int transport_state;
static long transports_accepted, transports_closed;

static void *xor_accept(void *state, int fd) {
  XorConn *c;
  if (state != &transport_state) return NULL;
  c = api->alloc(sizeof(XorConn));
  c->fd = fd;
  c->key = xor_key;
  c->rx = c->tx = 0;
  c->in_off = c->in_len = 0;
  ATOMIC_ADD(&transports_accepted, 1);
  return c;
}

static long xor_read(void *conn, void *buf, size_t len) {
  XorConn *c = conn;
  unsigned char *b = buf;
  size_t i, m;
  if (c->in_off == c->in_len) {
    ssize_t n = read(c->fd, c->in, sizeof(c->in));
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return EMBER_IO_WANT_READ;
      return EMBER_IO_ERROR;
    }
    c->in_off = 0;
    c->in_len = (size_t)n;
    c->rx += (unsigned long)n;
  }
  m = c->in_len - c->in_off;
  if (m > XOR_RECORD) m = XOR_RECORD;
  if (m > len) m = len;
  for (i = 0; i < m; i++) b[i] = c->in[c->in_off + i] ^ c->key;
  c->in_off += m;
  return (long)m;
}

static long xor_write(void *conn, const void *buf, size_t len) {
  XorConn *c = conn;
  unsigned char tmp[16384];
  const unsigned char *b = buf;
  size_t m = len < sizeof(tmp) ? len : sizeof(tmp), i;
  ssize_t n;
  for (i = 0; i < m; i++) tmp[i] = b[i] ^ c->key;
  n = write(c->fd, tmp, m);
  if (n > 0) {
    c->tx += (unsigned long)n;
    return (long)n;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return EMBER_IO_WANT_WRITE;
  return EMBER_IO_ERROR;
}

static size_t xor_pending(void *conn) {
  XorConn *c = conn;
  return c->in_len - c->in_off;
}

static void xor_close(void *conn) {
  api->free(conn);
  ATOMIC_ADD(&transports_closed, 1);
}

static size_t xor_client_info(void *conn, char *buf, size_t cap) {
  XorConn *c = conn;
  int n = snprintf(buf, cap, " xor-key=%u xor-rx=%lu", (unsigned)c->key, c->rx);
  if (n < 0) return 0;
  return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ------------------------------------------------------------- the codec */

static int codec_state;

static int codec_encode(void *state, EmberStr in, EmberBuf *out) {
  unsigned char tmp[256];
  size_t i = 0;
  if (state != &codec_state) return EMBER_ERR;
  if (codec_fail) {
    api->buf_set_error(out, "encoding refused by hooks.codec-fail");
    return EMBER_ERR;
  }
  api->buf_append(out, "HKC1", 4);
  while (i < in.len) {
    size_t m = in.len - i < sizeof(tmp) ? in.len - i : sizeof(tmp), j;
    for (j = 0; j < m; j++) tmp[j] = (unsigned char)in.ptr[i + j] ^ 0x5A;
    api->buf_append(out, tmp, m);
    i += m;
  }
  return EMBER_OK;
}

static int codec_decode(void *state, EmberStr in, EmberBuf *out) {
  size_t i;
  if (state != &codec_state) return EMBER_ERR;
  if (in.len < 4 || memcmp(in.ptr, "HKC1", 4) != 0) {
    api->buf_set_error(out, "not a hooks-codec frame");
    return EMBER_ERR;
  }
  for (i = 4; i < in.len; i++) {
    unsigned char c = (unsigned char)in.ptr[i] ^ 0x5A;
    api->buf_append(out, &c, 1);
  }
  return EMBER_OK;
}

/* -------------------------------------------------------------- INFO */

static void on_info(EmberInfoCtx *ctx, int for_crash) {
  (void)for_crash;
  api->info_section(ctx, "stats");
  api->info_field_str(ctx, "greeting", "hello\r\nworld");
  api->info_field_i64(ctx, "limit", limit_value);
  api->info_field_double(ctx, "ratio", 0.5);
  api->info_section(ctx, "hooks_extra");
  api->info_field_i64(ctx, "live_values", ATOMIC_GET(&live_values));
}

/* ------------------------------------------------- shard tasks: set a key */

typedef struct SetTask {
  char *key, *value;
  size_t klen, vlen;
  int touch;              /* increment a hooktype value with an event instead */
  EmberTimer *timer;      /* the task's own timer, when it is one */
} SetTask;

static EmberTimer *last_fired; /* atomic */

static SetTask *task_new(EmberStr key, EmberStr value, int touch) {
  SetTask *t = api->calloc(1, sizeof(SetTask));
  t->key = dupz(key.ptr, key.len);
  t->klen = key.len;
  t->value = dupz(value.ptr, value.len);
  t->vlen = value.len;
  t->touch = touch;
  return t;
}

static void task_free(SetTask *t) {
  api->free(t->key);
  api->free(t->value);
  api->free(t);
}

/* Sets the task's key (on the current shard) to value, suffixed with
 * "|<ctx shard>|<ctx client id>" so a test sees where it ran. */
static void run_set_task(EmberCtx *ctx, void *data) {
  SetTask *t = data;
  EmberStr key = {t->key, t->klen};
  EmberKey *k = api->open_key(ctx, key, EMBER_WRITE);
  if (t->timer) ATOMIC_SET(&last_fired, t->timer);
  if (k && t->touch) {
    HVal *v;
    if (api->key_type(k) == EMBER_KEYTYPE_EMPTY) {
      v = hval_new();
      api->key_set_module_value(k, htype, v);
    }
    v = api->key_module_value(k);
    if (v) {
      v->i++;
      api->key_touched(k, "hooks.timer");
    }
  } else if (k) {
    char suffix[64];
    size_t n = (size_t)snprintf(suffix, sizeof(suffix), "|%u|%llu", (unsigned)api->ctx_shard(ctx),
                                (unsigned long long)api->ctx_client_id(ctx));
    char *buf = api->alloc(t->vlen + n);
    EmberStr v = {buf, t->vlen + n};
    memcpy(buf, t->value, t->vlen);
    memcpy(buf + t->vlen, suffix, n);
    api->key_string_set(k, v);
    api->free(buf);
    api->close_key(k);
  }
  /* Replies from a shard task go nowhere; this must be harmless. */
  api->reply_integer(ctx, 1);
  task_free(t);
}

/* A module-owned thread: run_on_shard (or timer_create) from outside. */
static void *spawn_main(void *arg) {
  SetTask *t = arg;
  EmberStr key = {t->key, t->klen};
  uint32_t shard = api->key_shard(key);
  if (t->touch == 2) { /* by timer from this thread */
    t->touch = 0;
    if (!api->timer_create(self, shard, 1, run_set_task, t)) task_free(t);
  } else if (api->run_on_shard(self, shard, run_set_task, t) != EMBER_OK) {
    task_free(t);
  }
  return NULL;
}

/* fd events: a pipe written by a module thread, read on the key's shard. */
typedef struct FdTask {
  int rfd, wfd;
  EmberFdWatch *watch;
  char *key;
  size_t klen;
  char *buf;
  size_t len;
  char *msg;
  size_t msglen;
} FdTask;

static void *fd_writer(void *arg) {
  FdTask *t = arg;
  size_t at = 0;
  int wfd = t->wfd;
  char *msg = t->msg;
  size_t len = t->msglen;
  while (at < len) {
    ssize_t n = write(wfd, msg + at, len - at);
    if (n <= 0) break;
    at += (size_t)n;
  }
  api->free(msg);
  close(wfd);
  api->free(t);
  return NULL;
}

static void fd_task_done(EmberCtx *ctx, FdTask *t, const char *value, size_t vlen) {
  EmberStr key = {t->key, t->klen};
  EmberKey *k = api->open_key(ctx, key, EMBER_WRITE);
  EmberStr v = {value, vlen};
  if (k) api->key_string_set(k, v);
  api->fd_unwatch(t->watch);
  close(t->rfd);
  if (t->wfd >= 0) close(t->wfd);
  api->free(t->key);
  api->free(t->buf);
  api->free(t);
}

static void on_readable(EmberCtx *ctx, int fd, int events, void *data) {
  FdTask *t = data;
  char chunk[512];
  ssize_t n;
  if (!(events & EMBER_FD_READABLE)) return;
  for (;;) {
    n = read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      t->buf = api->realloc(t->buf, t->len + (size_t)n);
      memcpy(t->buf + t->len, chunk, (size_t)n);
      t->len += (size_t)n;
      continue;
    }
    if (n == 0) {
      fd_task_done(ctx, t, t->buf ? t->buf : "", t->len);
      return;
    }
    return; /* EAGAIN: more later */
  }
}

static void on_writable(EmberCtx *ctx, int fd, int events, void *data) {
  FdTask *t = data;
  (void)fd;
  if (events & EMBER_FD_WRITABLE) fd_task_done(ctx, t, "writable", 8);
}

/* ------------------------------------------------------------ commands */

static int cmd_reply(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberStr k = argv[1];
  (void)argc;
  if (eq(k, "simple")) {
    api->reply_simple(ctx, "hello\r\nworld");
  } else if (eq(k, "error")) {
    api->reply_error(ctx, "something went wrong");
  } else if (eq(k, "errcode")) {
    api->reply_error(ctx, "MYCODE custom failure");
  } else if (eq(k, "errlines")) {
    api->reply_error(ctx, "BADLINE one\r\ntwo");
  } else if (eq(k, "integer")) {
    api->reply_integer(ctx, -42);
  } else if (eq(k, "double")) {
    api->reply_double(ctx, 3.25);
  } else if (eq(k, "true")) {
    api->reply_bool(ctx, 7);
  } else if (eq(k, "false")) {
    api->reply_bool(ctx, 0);
  } else if (eq(k, "bulk")) {
    api->reply_bulk(ctx, "a\0b\r\n", 5);
  } else if (eq(k, "null")) {
    api->reply_null(ctx);
  } else if (eq(k, "verbatim")) {
    api->reply_verbatim(ctx, "some text", 9);
  } else if (eq(k, "array")) {
    api->reply_array(ctx, 3);
    api->reply_integer(ctx, 1);
    api->reply_bulk(ctx, "two", 3);
    api->reply_array(ctx, 2);
    api->reply_integer(ctx, 3);
    api->reply_null(ctx);
  } else if (eq(k, "map")) {
    api->reply_map(ctx, 2);
    api->reply_bulk(ctx, "a", 1);
    api->reply_integer(ctx, 1);
    api->reply_bulk(ctx, "b", 1);
    api->reply_double(ctx, 2.5);
  } else if (eq(k, "set")) {
    api->reply_set(ctx, 3);
    api->reply_bulk(ctx, "x", 1);
    api->reply_bulk(ctx, "y", 1);
    api->reply_bulk(ctx, "z", 1);
  } else if (eq(k, "deferred")) {
    size_t token = api->reply_array_begin(ctx), i;
    for (i = 0; i < 5; i++) api->reply_integer(ctx, (int64_t)i);
    api->reply_array_end(ctx, token, 5);
  } else if (eq(k, "deferred-empty")) {
    size_t token = api->reply_array_begin(ctx);
    api->reply_array_end(ctx, token, 0);
  } else if (eq(k, "deferred-nested")) {
    size_t outer = api->reply_array_begin(ctx), inner, i;
    api->reply_bulk(ctx, "first", 5);
    inner = api->reply_array_begin(ctx);
    for (i = 0; i < 12; i++) api->reply_integer(ctx, (int64_t)(i * 1000));
    api->reply_array_end(ctx, inner, 12);
    api->reply_map(ctx, 1);
    api->reply_bulk(ctx, "k", 1);
    api->reply_bool(ctx, 1);
    api->reply_array_end(ctx, outer, 3);
  } else {
    api->reply_error(ctx, "ERR unknown reply kind");
    return EMBER_ERR;
  }
  return EMBER_OK;
}

static int cmd_noreply(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)ctx;
  (void)argc;
  (void)argv;
  return EMBER_OK;
}

/* HOOKS.CTX [key]: with a key it runs on that key's shard. */
static int cmd_ctx(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 3);
  api->reply_integer(ctx, api->ctx_resp(ctx));
  api->reply_integer(ctx, (int64_t)api->ctx_client_id(ctx));
  api->reply_integer(ctx, api->ctx_shard(ctx));
  return EMBER_OK;
}

static int cmd_keytype(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  (void)argc;
  api->reply_integer(ctx, api->key_type(k));
  api->close_key(k);
  return EMBER_OK;
}

/* hooks.del key [READ]: key_delete (refused on a key opened for reading) */
static int cmd_del(EmberCtx *ctx, int argc, const EmberStr *argv) {
  int mode = argc > 2 && eq(argv[2], "read") ? EMBER_READ : EMBER_WRITE;
  EmberKey *k = api->open_key(ctx, argv[1], mode);
  api->reply_integer(ctx, api->key_delete(k) == EMBER_OK);
  return EMBER_OK;
}

static int cmd_pexpireat(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long ms;
  EmberKey *k;
  (void)argc;
  if (!parse_ll(argv[2], &ms)) {
    api->reply_error(ctx, "ERR value is not an integer or out of range");
    return EMBER_ERR;
  }
  k = api->open_key(ctx, argv[1], EMBER_WRITE);
  api->reply_integer(ctx, api->key_set_expire(k, ms) == EMBER_OK);
  return EMBER_OK;
}

static int cmd_pexpiretime(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  (void)argc;
  api->reply_integer(ctx, api->key_expire(k));
  return EMBER_OK;
}

static int cmd_get(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  EmberStr v;
  (void)argc;
  if (api->key_type(k) == EMBER_KEYTYPE_EMPTY) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  if (api->key_string_get(k, &v) != EMBER_OK) {
    api->reply_error(ctx, kWrongType);
    return EMBER_ERR;
  }
  api->reply_bulk(ctx, v.ptr, v.len);
  return EMBER_OK;
}

static int cmd_set(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_WRITE);
  (void)argc;
  if (api->key_string_set(k, argv[2]) != EMBER_OK) {
    api->reply_error(ctx, "ERR key_string_set failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.tset key i u d f s */
static int cmd_tset(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long i, u;
  double d, f;
  HVal *v;
  EmberKey *k;
  (void)argc;
  if (!parse_ll(argv[2], &i) || !parse_ll(argv[3], &u) || u < 0 || !parse_double(argv[4], &d) ||
      !parse_double(argv[5], &f)) {
    api->reply_error(ctx, "ERR bad hooktype fields");
    return EMBER_ERR;
  }
  k = api->open_key(ctx, argv[1], EMBER_WRITE);
  v = hval_new();
  v->i = i;
  v->u = (uint64_t)u;
  v->d = d;
  v->f = (float)f;
  v->s = dupz(argv[6].ptr, argv[6].len);
  v->slen = argv[6].len;
  if (api->key_set_module_value(k, htype, v) != EMBER_OK) {
    hval_free(v);
    api->reply_error(ctx, "ERR key_set_module_value failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_tget(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  HVal *v;
  (void)argc;
  if (api->key_type(k) == EMBER_KEYTYPE_EMPTY) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  if (api->key_module_type(k) != htype) {
    api->reply_error(ctx, kWrongType);
    return EMBER_ERR;
  }
  v = api->key_module_value(k);
  api->reply_array(ctx, 5);
  api->reply_integer(ctx, v->i);
  api->reply_integer(ctx, (int64_t)v->u);
  api->reply_double(ctx, v->d);
  api->reply_double(ctx, (double)v->f);
  api->reply_bulk(ctx, v->s ? v->s : "", v->slen);
  return EMBER_OK;
}

/* hooks.tincr key: changes a hooktype value in place, with an event */
static int cmd_tincr(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_WRITE);
  HVal *v;
  (void)argc;
  if (api->key_type(k) == EMBER_KEYTYPE_EMPTY) {
    v = hval_new();
    api->key_set_module_value(k, htype, v);
  } else if (api->key_module_type(k) != htype) {
    api->reply_error(ctx, kWrongType);
    return EMBER_ERR;
  }
  v = api->key_module_value(k);
  v->i++;
  api->key_touched(k, "hooks.tincr");
  api->reply_integer(ctx, v->i);
  return EMBER_OK;
}

/* hooks.touch key: key_touched without an event */
static int cmd_touch(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_WRITE);
  (void)argc;
  api->key_touched(k, NULL);
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_bare(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_WRITE);
  (void)argc;
  api->key_set_module_value(k, bare_type, api->alloc(16));
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_live(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_integer(ctx, ATOMIC_GET(&live_values));
  return EMBER_OK;
}

/* hooks.closed key: what a closed key answers */
static int cmd_closed(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  EmberStr v;
  (void)argc;
  api->close_key(k);
  api->reply_array(ctx, 3);
  api->reply_integer(ctx, api->key_type(k));
  api->reply_integer(ctx, api->key_string_get(k, &v) == EMBER_OK);
  api->reply_integer(ctx, api->key_module_value(k) != NULL);
  return EMBER_OK;
}

/* hooks.openany key: declares no keys, so it may open only its own shard's */
static int cmd_openany(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberKey *k = api->open_key(ctx, argv[1], EMBER_READ);
  (void)argc;
  api->reply_integer(ctx, k != NULL);
  return EMBER_OK;
}

/* hooks.mset2 k v [k v ...]: first 1, last -1, step 2 */
static int cmd_mset2(EmberCtx *ctx, int argc, const EmberStr *argv) {
  int i;
  if (argc % 2 != 1) {
    api->reply_error(ctx, "ERR wrong number of arguments for 'hooks.mset2' command");
    return EMBER_ERR;
  }
  for (i = 1; i < argc; i += 2) {
    EmberKey *k = api->open_key(ctx, argv[i], EMBER_WRITE);
    if (!k || api->key_string_set(k, argv[i + 1]) != EMBER_OK) {
      api->reply_error(ctx, "ERR could not open a key");
      return EMBER_ERR;
    }
    api->close_key(k);
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.mget2 anything KEYS n key... : keys found by keyword */
static int keys_by_keyword(int argc, const EmberStr *argv, int *first, int *count) {
  int i;
  long long n;
  for (i = 1; i + 1 < argc; i++)
    if (eq(argv[i], "keys")) {
      if (!parse_ll(argv[i + 1], &n) || n < 0 || n > argc - i - 2) return 0;
      *first = i + 2;
      *count = (int)n;
      return 1;
    }
  return 0;
}

static int mget2_keys(int argc, const EmberStr *argv, int *out, int max) {
  int first, count, i;
  if (!keys_by_keyword(argc, argv, &first, &count)) return 0;
  for (i = 0; i < count && i < max; i++) out[i] = first + i;
  return count;
}

static int cmd_mget2(EmberCtx *ctx, int argc, const EmberStr *argv) {
  int first, count, i;
  if (!keys_by_keyword(argc, argv, &first, &count)) {
    api->reply_error(ctx, "ERR syntax error");
    return EMBER_ERR;
  }
  api->reply_array(ctx, (size_t)count);
  for (i = 0; i < count; i++) {
    EmberKey *k = api->open_key(ctx, argv[first + i], EMBER_READ);
    EmberStr v;
    if (k && api->key_string_get(k, &v) == EMBER_OK)
      api->reply_bulk(ctx, v.ptr, v.len);
    else
      api->reply_null(ctx);
    api->close_key(k);
  }
  return EMBER_OK;
}

static int cmd_keyinfo(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  api->reply_array(ctx, 3);
  api->reply_integer(ctx, api->key_shard(argv[1]));
  api->reply_integer(ctx, api->key_slot(argv[1]));
  api->reply_integer(ctx, api->shard_count());
  return EMBER_OK;
}

static int cmd_writes(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  pthread_mutex_lock(&wmu);
  api->reply_array(ctx, 3);
  api->reply_integer(ctx, writes_seen);
  if (wlog_n)
    api->reply_bulk(ctx, wlog[wlog_n - 1], strlen(wlog[wlog_n - 1]));
  else
    api->reply_null(ctx);
  api->reply_integer(ctx, bad_shard_writes);
  pthread_mutex_unlock(&wmu);
  return EMBER_OK;
}

static int cmd_writelog(EmberCtx *ctx, int argc, const EmberStr *argv) {
  int i;
  (void)argc;
  (void)argv;
  pthread_mutex_lock(&wmu);
  api->reply_array(ctx, (size_t)wlog_n);
  for (i = 0; i < wlog_n; i++) api->reply_bulk(ctx, wlog[i], strlen(wlog[i]));
  pthread_mutex_unlock(&wmu);
  return EMBER_OK;
}

static void writelog_clear(void) {
  int i;
  pthread_mutex_lock(&wmu);
  for (i = 0; i < wlog_n; i++) api->free(wlog[i]);
  wlog_n = 0;
  writes_seen = 0;
  pthread_mutex_unlock(&wmu);
}

static int cmd_writereset(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  writelog_clear();
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_filterstats(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  pthread_mutex_lock(&fmu);
  api->reply_array(ctx, 4);
  api->reply_integer(ctx, filter_calls);
  api->reply_integer(ctx, filter_last_slot);
  api->reply_integer(ctx, filter_last_flags);
  api->reply_bulk(ctx, filter_last_cmd, strlen(filter_last_cmd));
  pthread_mutex_unlock(&fmu);
  return EMBER_OK;
}

/* hooks.timer key ms value: a timer on the key's shard sets key */
static int cmd_timer(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long ms;
  SetTask *t;
  (void)argc;
  if (!parse_ll(argv[2], &ms) || ms < 0) {
    api->reply_error(ctx, "ERR bad ms");
    return EMBER_ERR;
  }
  t = task_new(argv[1], argv[3], 0);
  t->timer = api->timer_create(self, api->key_shard(argv[1]), (uint64_t)ms, run_set_task, t);
  if (!t->timer) {
    task_free(t);
    api->reply_error(ctx, "ERR timer_create failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.timer-touch key ms: a timer increments a hooktype value with the
 * "hooks.timer" event (key_touched from a shard task) */
static int cmd_timer_touch(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long ms;
  SetTask *t;
  EmberStr none = {"", 0};
  (void)argc;
  if (!parse_ll(argv[2], &ms) || ms < 0) {
    api->reply_error(ctx, "ERR bad ms");
    return EMBER_ERR;
  }
  t = task_new(argv[1], none, 1);
  if (!api->timer_create(self, api->key_shard(argv[1]), (uint64_t)ms, run_set_task, t)) {
    task_free(t);
    api->reply_error(ctx, "ERR timer_create failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.timer-cancel key ms value: a timer on this shard, deleted at once */
static int cmd_timer_cancel(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long ms;
  SetTask *t;
  EmberTimer *timer;
  int rc;
  (void)argc;
  if (!parse_ll(argv[2], &ms) || ms < 0) {
    api->reply_error(ctx, "ERR bad ms");
    return EMBER_ERR;
  }
  t = task_new(argv[1], argv[3], 0);
  timer = api->timer_create(self, api->ctx_shard(ctx), (uint64_t)ms, run_set_task, t);
  if (!timer) {
    task_free(t);
    api->reply_error(ctx, "ERR timer_create failed");
    return EMBER_ERR;
  }
  rc = api->timer_delete(timer);
  if (rc == EMBER_OK) task_free(t);
  api->reply_integer(ctx, rc == EMBER_OK);
  return EMBER_OK;
}

/* hooks.timer-delete-fired: timer_delete on the timer that fired last */
static int cmd_timer_delete_fired(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberTimer *t = ATOMIC_GET(&last_fired);
  (void)argc;
  (void)argv;
  if (!t) {
    api->reply_null(ctx);
    return EMBER_OK;
  }
  api->reply_integer(ctx, api->timer_delete(t));
  return EMBER_OK;
}

/* hooks.spawn key value [TIMER]: a module thread runs a task on the key's shard */
static int cmd_spawn(EmberCtx *ctx, int argc, const EmberStr *argv) {
  pthread_t th;
  SetTask *t = task_new(argv[1], argv[2], argc > 3 && eq(argv[3], "timer") ? 2 : 0);
  if (pthread_create(&th, NULL, spawn_main, t) != 0) {
    task_free(t);
    api->reply_error(ctx, "ERR pthread_create failed");
    return EMBER_ERR;
  }
  pthread_detach(th);
  reply_ok(ctx);
  return EMBER_OK;
}

static FdTask *fd_task_new(EmberStr key) {
  FdTask *t = api->calloc(1, sizeof(FdTask));
  int fds[2];
  if (pipe(fds) != 0) {
    api->free(t);
    return NULL;
  }
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  t->rfd = fds[0];
  t->wfd = fds[1];
  t->key = dupz(key.ptr, key.len);
  t->klen = key.len;
  return t;
}

/* hooks.fdread key value: a module thread writes value into a pipe; the
 * shard reads it (fd event) and stores it at key */
static int cmd_fdread(EmberCtx *ctx, int argc, const EmberStr *argv) {
  FdTask *t = fd_task_new(argv[1]);
  pthread_t th;
  (void)argc;
  if (!t) {
    api->reply_error(ctx, "ERR pipe failed");
    return EMBER_ERR;
  }
  t->watch = api->fd_watch(ctx, t->rfd, EMBER_FD_READABLE, on_readable, t);
  if (!t->watch) {
    api->reply_error(ctx, "ERR fd_watch failed");
    return EMBER_ERR;
  }
  t->msg = dupz(argv[2].ptr, argv[2].len);
  t->msglen = argv[2].len;
  {
    /* the writer thread owns (and closes) the write end */
    FdTask *w = api->calloc(1, sizeof(FdTask));
    w->wfd = t->wfd;
    w->msg = t->msg;
    w->msglen = t->msglen;
    t->wfd = -1;
    t->msg = NULL;
    if (pthread_create(&th, NULL, fd_writer, w) != 0) {
      api->reply_error(ctx, "ERR pthread_create failed");
      return EMBER_ERR;
    }
    pthread_detach(th);
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.fdwrite key: a pipe's write end is watched for writability */
static int cmd_fdwrite(EmberCtx *ctx, int argc, const EmberStr *argv) {
  FdTask *t = fd_task_new(argv[1]);
  (void)argc;
  if (!t) {
    api->reply_error(ctx, "ERR pipe failed");
    return EMBER_ERR;
  }
  t->watch = api->fd_watch(ctx, t->wfd, EMBER_FD_WRITABLE, on_writable, t);
  if (!t->watch) {
    api->reply_error(ctx, "ERR fd_watch failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.badargs: the refusals of the thread/timer/event entries */
static int cmd_badargs(EmberCtx *ctx, int argc, const EmberStr *argv) {
  uint32_t n = api->shard_count();
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 5);
  api->reply_integer(ctx, api->run_on_shard(self, n, run_set_task, NULL));
  api->reply_integer(ctx, api->timer_create(self, n, 1, run_set_task, NULL) == NULL);
  api->reply_integer(ctx, api->fd_watch(ctx, -1, EMBER_FD_READABLE, on_readable, NULL) == NULL);
  api->reply_integer(ctx, api->fd_watch(ctx, 0, 0, on_readable, NULL) == NULL);
  api->reply_integer(ctx, api->timer_delete(NULL));
  return EMBER_OK;
}

static int cmd_log(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long level;
  char *msg;
  (void)argc;
  if (!parse_ll(argv[1], &level)) {
    api->reply_error(ctx, "ERR bad level");
    return EMBER_ERR;
  }
  msg = dupz(argv[2].ptr, argv[2].len);
  api->log(self, (int)level, msg);
  api->free(msg);
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_now(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_integer(ctx, api->milliseconds());
  return EMBER_OK;
}

/* hooks.alloc n: calloc zeroes, realloc keeps, free frees */
static int cmd_alloc(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long n;
  unsigned char *p;
  long long i;
  (void)argc;
  if (!parse_ll(argv[1], &n) || n <= 0 || n > (1 << 24)) {
    api->reply_error(ctx, "ERR bad size");
    return EMBER_ERR;
  }
  p = api->calloc((size_t)n, 1);
  for (i = 0; i < n; i++)
    if (p[i] != 0) {
      api->free(p);
      api->reply_error(ctx, "ERR calloc did not zero");
      return EMBER_ERR;
    }
  memset(p, 0xAB, (size_t)n);
  p = api->realloc(p, (size_t)n * 2);
  for (i = 0; i < n; i++)
    if (p[i] != 0xAB) {
      api->free(p);
      api->reply_error(ctx, "ERR realloc lost bytes");
      return EMBER_ERR;
    }
  memset(p, 0, (size_t)n * 2);
  api->free(p);
  p = api->alloc((size_t)n);
  p[n - 1] = 1;
  api->free(p);
  api->free(NULL);
  api->reply_integer(ctx, n * 2);
  return EMBER_OK;
}

static int cmd_nothing(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  reply_ok(ctx);
  return EMBER_OK;
}

/* hooks.lateregister: every register_* after init is refused */
static int cmd_lateregister(EmberCtx *ctx, int argc, const EmberStr *argv) {
  EmberCommandDef c = {sizeof(EmberCommandDef), "hooks.late", 1, 0, 0, 0, 0, cmd_nothing, NULL, NULL, NULL};
  EmberTypeDef t = {sizeof(EmberTypeDef), "hooklate", 1, bare_free, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  EmberConfigDef cfg = {sizeof(EmberConfigDef), "hooks.late", EMBER_CONFIG_BOOL, "no", 0, 0, NULL, 0, NULL, NULL};
  EmberTransportDef tr = {sizeof(EmberTransportDef), "late", NULL, xor_accept, xor_read, xor_write, NULL,
                          xor_close, NULL};
  EmberCodecDef co = {sizeof(EmberCodecDef), "late", NULL, codec_encode, codec_decode};
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 9);
  api->reply_integer(ctx, api->register_command(self, &c));
  api->reply_integer(ctx, api->register_type(self, &t) == NULL ? -1 : 0);
  api->reply_integer(ctx, api->register_config(self, &cfg));
  api->reply_integer(ctx, api->register_info(self, on_info));
  api->reply_integer(ctx, api->register_metric(self, "late", "late", EMBER_METRIC_GAUGE, metric_live, NULL));
  api->reply_integer(ctx, api->register_transport(self, &tr));
  api->reply_integer(ctx, api->register_codec(self, &co));
  api->reply_integer(ctx, api->register_command_filter(self, on_filter, NULL));
  api->reply_integer(ctx, api->register_write_listener(self, on_write, NULL));
  return EMBER_OK;
}

/* hooks.listen port: listen after init */
static int cmd_listen(EmberCtx *ctx, int argc, const EmberStr *argv) {
  long long port;
  (void)argc;
  if (!parse_ll(argv[1], &port)) {
    api->reply_error(ctx, "ERR bad port");
    return EMBER_ERR;
  }
  if (api->listen(self, "xor", NULL, (int)port) != EMBER_OK) {
    api->reply_error(ctx, "ERR listen failed");
    return EMBER_ERR;
  }
  reply_ok(ctx);
  return EMBER_OK;
}

static int cmd_transportstats(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_array(ctx, 2);
  api->reply_integer(ctx, ATOMIC_GET(&transports_accepted));
  api->reply_integer(ctx, ATOMIC_GET(&transports_closed));
  return EMBER_OK;
}

/* hooks.config: the module's own view of its parameters (from on_set) */
static int cmd_config(EmberCtx *ctx, int argc, const EmberStr *argv) {
  (void)argc;
  (void)argv;
  api->reply_map(ctx, 6);
  api->reply_bulk(ctx, "codec-fail", 10);
  api->reply_integer(ctx, codec_fail);
  api->reply_bulk(ctx, "refuse-crossslot", 16);
  api->reply_integer(ctx, refuse_crossslot);
  api->reply_bulk(ctx, "limit", 5);
  api->reply_integer(ctx, limit_value);
  api->reply_bulk(ctx, "moved-slots", 11);
  api->reply_bulk(ctx, moved_text, strlen(moved_text));
  api->reply_bulk(ctx, "mode", 4);
  api->reply_bulk(ctx, mode_text, strlen(mode_text));
  api->reply_bulk(ctx, "boot-only", 9);
  api->reply_integer(ctx, boot_only);
  return EMBER_OK;
}

/* ------------------------------------------------------------ init */

#define RO EMBER_CMD_READONLY
#define WR EMBER_CMD_WRITE
#define CMD(name, arity, flags, first, last, step, fn, summary) \
  {sizeof(EmberCommandDef), name, arity, flags, first, last, step, fn, NULL, summary, NULL}

static int fail(EmberModule *m, const char *why) {
  api->set_load_error(m, why);
  return EMBER_ERR;
}

EMBER_EXPORT int ember_module_init(EmberModule *m, const EmberApi *a, int argc, const EmberStr *argv) {
  static char why[128];
  EmberCommandDef cmds[] = {
      CMD("hooks.reply", 2, RO | EMBER_CMD_FAST, 0, 0, 0, cmd_reply, "Replies with a value of the kind named."),
      CMD("hooks.noreply", 1, RO, 0, 0, 0, cmd_noreply, NULL),
      CMD("hooks.ctx", -1, RO | EMBER_CMD_FAST, 1, 1, 1, cmd_ctx, NULL),
      CMD("hooks.keytype", 2, RO, 1, 1, 1, cmd_keytype, NULL),
      CMD("hooks.del", -2, WR, 1, 1, 1, cmd_del, NULL),
      CMD("hooks.pexpireat", 3, WR, 1, 1, 1, cmd_pexpireat, NULL),
      CMD("hooks.pexpiretime", 2, RO, 1, 1, 1, cmd_pexpiretime, NULL),
      CMD("hooks.get", 2, RO | EMBER_CMD_FAST, 1, 1, 1, cmd_get, NULL),
      CMD("hooks.set", 3, WR | EMBER_CMD_DENYOOM, 1, 1, 1, cmd_set, NULL),
      CMD("hooks.tset", 7, WR | EMBER_CMD_DENYOOM, 1, 1, 1, cmd_tset, NULL),
      CMD("hooks.tget", 2, RO, 1, 1, 1, cmd_tget, NULL),
      CMD("hooks.tincr", 2, WR, 1, 1, 1, cmd_tincr, NULL),
      CMD("hooks.touch", 2, WR, 1, 1, 1, cmd_touch, NULL),
      CMD("hooks.bare", 2, WR, 1, 1, 1, cmd_bare, NULL),
      CMD("hooks.live", 1, RO, 0, 0, 0, cmd_live, NULL),
      CMD("hooks.closed", 2, RO, 1, 1, 1, cmd_closed, NULL),
      CMD("hooks.openany", 2, RO, 0, 0, 0, cmd_openany, NULL),
      CMD("hooks.mset2", -3, WR | EMBER_CMD_DENYOOM, 1, -1, 2, cmd_mset2, "Sets several keys."),
      CMD("hooks.keyinfo", 2, RO, 0, 0, 0, cmd_keyinfo, NULL),
      CMD("hooks.writes", 1, RO, 0, 0, 0, cmd_writes, NULL),
      CMD("hooks.writelog", 1, RO, 0, 0, 0, cmd_writelog, NULL),
      CMD("hooks.writereset", 1, 0, 0, 0, 0, cmd_writereset, NULL),
      CMD("hooks.filterstats", 1, RO, 0, 0, 0, cmd_filterstats, NULL),
      CMD("hooks.timer", 4, 0, 1, 1, 1, cmd_timer, NULL),
      CMD("hooks.timer-touch", 3, 0, 1, 1, 1, cmd_timer_touch, NULL),
      CMD("hooks.timer-cancel", 4, 0, 1, 1, 1, cmd_timer_cancel, NULL),
      CMD("hooks.timer-delete-fired", 1, 0, 0, 0, 0, cmd_timer_delete_fired, NULL),
      CMD("hooks.spawn", -3, 0, 0, 0, 0, cmd_spawn, NULL),
      CMD("hooks.fdread", 3, 0, 1, 1, 1, cmd_fdread, NULL),
      CMD("hooks.fdwrite", 2, 0, 1, 1, 1, cmd_fdwrite, NULL),
      CMD("hooks.badargs", 1, 0, 0, 0, 0, cmd_badargs, NULL),
      CMD("hooks.log", 3, EMBER_CMD_ADMIN, 0, 0, 0, cmd_log, NULL),
      CMD("hooks.now", 1, RO | EMBER_CMD_FAST, 0, 0, 0, cmd_now, NULL),
      CMD("hooks.alloc", 2, 0, 0, 0, 0, cmd_alloc, NULL),
      CMD("hooks.lateregister", 1, EMBER_CMD_ADMIN, 0, 0, 0, cmd_lateregister, NULL),
      CMD("hooks.listen", 2, EMBER_CMD_ADMIN, 0, 0, 0, cmd_listen, NULL),
      CMD("hooks.transportstats", 1, 0, 0, 0, 0, cmd_transportstats, NULL),
      CMD("hooks.config", 1, 0, 0, 0, 0, cmd_config, NULL),
  };
  EmberCommandDef mget2 = {sizeof(EmberCommandDef), "hooks.mget2", -4, RO, 0, 0, 0, cmd_mget2, mget2_keys,
                           "Gets the keys that follow KEYS n.", "hooks keyword"};
  EmberTypeDef hdef = {sizeof(EmberTypeDef), "hooktype", 1, hval_free, hval_mem, hval_save, hval_load, hval_copy,
                       hval_digest, NULL, NULL};
  EmberTypeDef bdef = {sizeof(EmberTypeDef), "hookbare", 1, bare_free, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  EmberConfigDef configs[] = {
      {sizeof(EmberConfigDef), "hooks.codec-fail", EMBER_CONFIG_BOOL, "no", 0, 0, NULL, 0, on_set, &config_state},
      {sizeof(EmberConfigDef), "hooks.refuse-crossslot", EMBER_CONFIG_BOOL, "no", 0, 0, NULL, 0, on_set,
       &config_state},
      {sizeof(EmberConfigDef), "hooks.limit", EMBER_CONFIG_INT, "10", 0, 1000000, NULL, 0, on_set, &config_state},
      {sizeof(EmberConfigDef), "hooks.moved-slots", EMBER_CONFIG_STRING, "", 0, 0, NULL, 0, on_set, &config_state},
      {sizeof(EmberConfigDef), "hooks.mode", EMBER_CONFIG_ENUM, "fast", 0, 0, "fast slow safe", 0, on_set,
       &config_state},
      {sizeof(EmberConfigDef), "hooks.boot-only", EMBER_CONFIG_INT, "1", 0, 100, NULL, 1, on_set, &config_state},
  };
  EmberTransportDef transport = {sizeof(EmberTransportDef), "xor", &transport_state, xor_accept, xor_read,
                                 xor_write, xor_pending, xor_close, xor_client_info};
  EmberCodecDef codec = {sizeof(EmberCodecDef), "hooks-codec", &codec_state, codec_encode, codec_decode};
  long long port = 0, key;
  size_t i;
  int j;

  api = a;
  self = m;
  if (a->size < sizeof(EmberApi) || a->abi_version < 1) return fail(m, "the server's table is too small");
  for (j = 0; j < argc; j++) {
    if (eq(argv[j], "port") && j + 1 < argc && parse_ll(argv[j + 1], &port)) {
      j++;
    } else if (eq(argv[j], "xor") && j + 1 < argc && parse_ll(argv[j + 1], &key) && key > 0 && key < 256) {
      xor_key = (unsigned char)key;
      j++;
    } else {
      snprintf(why, sizeof(why), "unknown argument '%.*s'", (int)argv[j].len, argv[j].ptr);
      return fail(m, why);
    }
  }
  for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
    if (a->register_command(m, &cmds[i]) != EMBER_OK) return fail(m, "register_command failed");
  if (a->register_command(m, &mget2) != EMBER_OK) return fail(m, "register_command (get_keys) failed");
  htype = a->register_type(m, &hdef);
  bare_type = a->register_type(m, &bdef);
  if (!htype || !bare_type) return fail(m, "register_type failed");
  for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
    if (a->register_config(m, &configs[i]) != EMBER_OK) return fail(m, "register_config failed");
  if (a->register_info(m, on_info) != EMBER_OK) return fail(m, "register_info failed");
  if (a->register_metric(m, "hooks_writes_total", "Writes the listener saw.", EMBER_METRIC_COUNTER, metric_writes,
                         NULL) != EMBER_OK ||
      a->register_metric(m, "hooks_live_values", "Live hooktype values.", EMBER_METRIC_GAUGE, metric_live, NULL) !=
          EMBER_OK)
    return fail(m, "register_metric failed");
  if (a->register_transport(m, &transport) != EMBER_OK) return fail(m, "register_transport failed");
  if (a->register_codec(m, &codec) != EMBER_OK) return fail(m, "register_codec failed");
  if (a->register_command_filter(m, on_filter, &filter_state) != EMBER_OK) return fail(m, "filter failed");
  if (a->register_write_listener(m, on_write, &listener_state) != EMBER_OK) return fail(m, "listener failed");
  if (port > 0 && a->listen(m, "xor", NULL, (int)port) != EMBER_OK) return fail(m, "listen failed");
  a->log(m, EMBER_LOG_NOTICE, "hooks module initialized");
  return EMBER_OK;
}

EMBER_EXPORT void ember_module_deinit(EmberModule *m) {
  (void)m;
  writelog_clear();
}
