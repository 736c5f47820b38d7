/*
 * ember_module.h: the ember module ABI. A module is a shared library that
 * includes this header and nothing else from ember.
 *
 * The rules a module author relies on (see README.md beside this file):
 *
 *  1. A module defines its identity with EMBER_MODULE(name, version) and
 *     exports `ember_module_init` (and optionally `ember_module_deinit`).
 *     EMBER_MODULE records EMBER_ABI_VERSION as the ABI the module needs:
 *     a server that implements an older ABI refuses to load it.
 *  2. Init receives an `EmberApi` table. The table only ever grows: an
 *     entry, once published, keeps its position, its signature and its
 *     meaning forever. `api->size` is the size of the table the running
 *     server has; EMBER_HAS(api, entry) tells whether an entry added after
 *     ABI v1 is present. Every v1 entry is always present.
 *  3. Structs the module fills in for the server (EmberCommandDef,
 *     EmberTypeDef, ...) begin with a `size` field set to sizeof(the
 *     struct) as the module knew it; the server reads only that many bytes,
 *     so later fields are optional to modules built before they existed.
 *     The server copies the struct and every string in it: they may live
 *     on the stack.
 *  4. Nothing crosses the boundary but C types. Strings are EmberStr
 *     (pointer + length, binary safe, not NUL-terminated unless stated);
 *     they are valid only during the call that passed them.
 *  5. Threads: a command handler runs on the thread of the shard that owns
 *     its keys (or holds them, for a command whose keys span shards). Keys
 *     may be opened only from a handler or from a function run on a shard
 *     by run_on_shard, timers or fd events, and only keys of that shard.
 *     Functions marked "any thread" may be called from a module's own
 *     threads.
 *
 * C99; usable from C, C++ and Rust (bindgen).
 */
#ifndef EMBER_MODULE_H
#define EMBER_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. A server implements every ABI up to its
 * own: a module built against an older header keeps loading. */
#define EMBER_ABI_VERSION 1

#define EMBER_OK 0
#define EMBER_ERR (-1)

/* Handles owned by the server; a module sees only pointers. */
typedef struct EmberModule EmberModule;   /* one loaded module */
typedef struct EmberCtx EmberCtx;         /* one command call (or shard task) */
typedef struct EmberKey EmberKey;         /* a key opened on the current shard */
typedef struct EmberType EmberType;       /* a registered data type */
typedef struct EmberIO EmberIO;           /* a serialization stream */
typedef struct EmberDigest EmberDigest;   /* a digest being computed */
typedef struct EmberInfoCtx EmberInfoCtx; /* an INFO reply being built */
typedef struct EmberTimer EmberTimer;     /* a pending timer */
typedef struct EmberFdWatch EmberFdWatch; /* a watched file descriptor */

/* A byte string: not NUL-terminated, may hold any byte. */
typedef struct EmberStr {
  const char *ptr;
  size_t len;
} EmberStr;

/* ---------------------------------------------------------------------------
 * Module identity: EMBER_MODULE(name, version) in exactly one source file.
 * ------------------------------------------------------------------------- */
typedef struct EmberModuleInfo {
  uint32_t size;        /* sizeof(EmberModuleInfo) */
  uint32_t abi_version; /* the ABI the module needs */
  const char *name;     /* MODULE LIST's name; [A-Za-z0-9_-] */
  int32_t version;      /* the module's own version, an integer */
} EmberModuleInfo;

#ifdef __cplusplus
#define EMBER_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define EMBER_EXPORT __attribute__((visibility("default")))
#endif

#define EMBER_MODULE(name_, version_)                   \
  EMBER_EXPORT const EmberModuleInfo ember_module_info = \
      {sizeof(EmberModuleInfo), EMBER_ABI_VERSION, name_, version_}

struct EmberApi;
/* The entry points, by these exact names:
 *   int  ember_module_init(EmberModule *m, const struct EmberApi *api,
 *                          int argc, const EmberStr *argv);
 *   void ember_module_deinit(EmberModule *m);          (optional)
 * argv are the words after the path on the loadmodule line. Init returns
 * EMBER_OK, or EMBER_ERR after set_load_error: the server then unloads the
 * module (at start-up it exits). The api pointer stays valid until deinit. */
typedef int (*EmberInitFn)(EmberModule *m, const struct EmberApi *api, int argc, const EmberStr *argv);
typedef void (*EmberDeinitFn)(EmberModule *m);

/* ---------------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------------- */
/* Command flags, as Redis names them (COMMAND INFO reports them). */
#define EMBER_CMD_WRITE         (1u << 0)
#define EMBER_CMD_READONLY      (1u << 1)
#define EMBER_CMD_FAST          (1u << 2)
#define EMBER_CMD_ADMIN         (1u << 3)
#define EMBER_CMD_DENYOOM       (1u << 4)
#define EMBER_CMD_NOSCRIPT      (1u << 5)
#define EMBER_CMD_LOADING       (1u << 6)
#define EMBER_CMD_STALE         (1u << 7)
#define EMBER_CMD_NO_AUTH       (1u << 8)
#define EMBER_CMD_BLOCKING      (1u << 9)
#define EMBER_CMD_PUBSUB        (1u << 10)
#define EMBER_CMD_MAY_REPLICATE (1u << 11)

/* A command handler. argv[0] is the command name as the client sent it.
 * Returns EMBER_OK or EMBER_ERR; either way it must have replied exactly
 * once (one value, which may be an aggregate). */
typedef int (*EmberCommandFn)(EmberCtx *ctx, int argc, const EmberStr *argv);

/* Keys found by keyword (a command whose keys follow e.g. "KEYS n"): write
 * the argv positions of the keys to out (room for max) and return how many
 * there are; returning more than max asks to be called again with room. */
typedef int (*EmberGetKeysFn)(int argc, const EmberStr *argv, int *out, int max);

typedef struct EmberCommandDef {
  uint32_t size;        /* sizeof(EmberCommandDef) */
  const char *name;     /* case-insensitive; must not exist yet */
  int arity;            /* N: exactly N words (the name counts); -N: at least N */
  uint32_t flags;       /* EMBER_CMD_* */
  int first_key;        /* argv index of the first key; 0: no keys */
  int last_key;         /* last key index; -1: the last argument, -2 ... */
  int key_step;         /* distance between keys */
  EmberCommandFn handler;
  EmberGetKeysFn get_keys; /* when set, replaces first/last/step */
  const char *summary;  /* COMMAND DOCS; may be NULL */
  const char *acl_categories; /* extra, space-separated ("search"); may be NULL */
} EmberCommandDef;

/* ---------------------------------------------------------------------------
 * Data types
 * ------------------------------------------------------------------------- */
typedef void (*EmberTypeFreeFn)(void *value);
/* Bytes the value holds beyond the key's own entry (MEMORY USAGE, and
 * memory accounting for maxmemory). */
typedef size_t (*EmberTypeMemUsageFn)(const void *value);
/* Writes the value with the io's save_* functions. */
typedef void (*EmberTypeSerializeFn)(EmberIO *io, const void *value);
/* Reads a value written by serialize with encoding version encver (which
 * may be older than the type's current one). Returns NULL when the bytes
 * are bad (the io's load_* functions report that too). */
typedef void *(*EmberTypeDeserializeFn)(EmberIO *io, int encver);
/* A deep copy (COPY); NULL when out of memory. */
typedef void *(*EmberTypeCopyFn)(const void *value);
/* Feeds the value's content to the digest (DEBUG DIGEST-VALUE). */
typedef void (*EmberTypeDigestFn)(EmberDigest *digest, const void *value);
/* Module-global data (a schema registry, say) that values of the type
 * need: aux_save writes it with the io's save_* functions, once per
 * snapshot or AOF rewrite, before any key; aux_load reads it back, before
 * any key, with the encoding version aux_save's type had. aux_load returns
 * EMBER_OK, or EMBER_ERR when the bytes are bad (the load then fails). */
typedef void (*EmberTypeAuxSaveFn)(EmberIO *io);
typedef int (*EmberTypeAuxLoadFn)(EmberIO *io, int encver);

/* Type callbacks run on the thread of the shard that owns the key, except
 * free, which may run on a background thread (FLUSHALL ASYNC), and
 * serialize, which persistence may run from its own thread while the shard
 * goes on, but never while a command writes the same value. */
typedef struct EmberTypeDef {
  uint32_t size;     /* sizeof(EmberTypeDef) */
  const char *name;  /* TYPE's reply; unique; 1-32 of [A-Za-z0-9_-] */
  int encver;        /* the encoding version serialize writes */
  EmberTypeFreeFn free;               /* required */
  EmberTypeMemUsageFn mem_usage;      /* may be NULL: counts as 0 */
  EmberTypeSerializeFn serialize;     /* may be NULL: the type is not persisted */
  EmberTypeDeserializeFn deserialize; /* required when serialize is set */
  EmberTypeCopyFn copy;               /* may be NULL: COPY answers an error */
  EmberTypeDigestFn digest;           /* may be NULL */
  /* Appended after ABI v1's members; a module built before them passes a
   * smaller size and has none. */
  EmberTypeAuxSaveFn aux_save;        /* may be NULL */
  EmberTypeAuxLoadFn aux_load;        /* required when aux_save is set */
} EmberTypeDef;

/* ---------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------- */
#define EMBER_READ  1
#define EMBER_WRITE 2

#define EMBER_KEYTYPE_EMPTY  0
#define EMBER_KEYTYPE_STRING 1
#define EMBER_KEYTYPE_LIST   2
#define EMBER_KEYTYPE_HASH   3
#define EMBER_KEYTYPE_SET    4
#define EMBER_KEYTYPE_ZSET   5
#define EMBER_KEYTYPE_MODULE 6

#define EMBER_NO_EXPIRE (-1)

/* ---------------------------------------------------------------------------
 * Configuration parameters (CONFIG GET/SET, ember.conf, --flags)
 * ------------------------------------------------------------------------- */
#define EMBER_CONFIG_BOOL   0
#define EMBER_CONFIG_INT    1 /* int64 within [min, max]; accepts 1k/1mb/1gb */
#define EMBER_CONFIG_STRING 2
#define EMBER_CONFIG_ENUM   3 /* one word of enum_values */

/* Called after a new value was validated against type and bounds, in its
 * normal form (an INT as decimal digits, "1k" having become "1024"; a BOOL
 * as yes/no; an ENUM as the word declared); not called for the default.
 * Returns EMBER_OK to accept it, or EMBER_ERR having written a reason
 * (NUL-terminated, at most err_cap bytes) to err. Runs on the thread that
 * executes CONFIG SET, or the main thread while loading ember.conf. */
typedef int (*EmberConfigSetFn)(void *state, const char *name, EmberStr value, char *err, size_t err_cap);

typedef struct EmberConfigDef {
  uint32_t size;          /* sizeof(EmberConfigDef) */
  const char *name;       /* full name, e.g. "vector.default-ef" */
  int type;               /* EMBER_CONFIG_* */
  const char *default_value;
  int64_t min, max;       /* for EMBER_CONFIG_INT */
  const char *enum_values; /* for EMBER_CONFIG_ENUM: space-separated words */
  int immutable;          /* 1: settable only at start-up */
  EmberConfigSetFn on_set; /* may be NULL */
  void *state;            /* passed to on_set */
} EmberConfigDef;

/* INFO: the callback adds its sections; for_crash is 1 in a crash report. */
typedef void (*EmberInfoFn)(EmberInfoCtx *ctx, int for_crash);

/* A metric (exported with the server's own, e.g. as Prometheus text). */
#define EMBER_METRIC_COUNTER 0
#define EMBER_METRIC_GAUGE   1
typedef double (*EmberMetricFn)(void *state);

/* ---------------------------------------------------------------------------
 * Hooks for infrastructure modules
 * ------------------------------------------------------------------------- */

/* Transport: connections accepted on a port the module listens on read and
 * write through these callbacks instead of the socket (TLS). All run on the
 * shard thread that owns the connection. read and write return the byte
 * count (> 0), 0 when the peer closed (read only), or one of: */
#define EMBER_IO_WANT_READ  (-2) /* retry when the fd is readable */
#define EMBER_IO_WANT_WRITE (-3) /* retry when the fd is writable */
#define EMBER_IO_ERROR      (-1) /* the connection is broken: close it */

typedef struct EmberTransportDef {
  uint32_t size;    /* sizeof(EmberTransportDef) */
  const char *name; /* "tls"; CLIENT LIST shows it */
  void *state;      /* passed to accept */
  /* A new connection on fd (non-blocking). Returns the connection's state
   * (passed to the other callbacks) or NULL to refuse it. */
  void *(*accept)(void *state, int fd);
  long (*read)(void *conn, void *buf, size_t len);
  long (*write)(void *conn, const void *buf, size_t len);
  /* Bytes already decrypted and buffered that read would return without
   * the fd becoming readable. May be NULL. */
  size_t (*pending)(void *conn);
  /* Frees the state; the server closes the fd afterwards. */
  void (*close)(void *conn);
  /* Extra " name=value" fields for CLIENT LIST/INFO, written to buf
   * (NUL-terminated, at most cap bytes); returns the length. May be NULL. */
  size_t (*client_info)(void *conn, char *buf, size_t cap);
} EmberTransportDef;

/* Persistence codec: every frame the server writes to an AOF or snapshot
 * passes through encode, and every frame read back through decode
 * (encryption at rest, compression). Codecs registered by several modules
 * apply in load order on encode and in reverse on decode. */
typedef struct EmberBuf EmberBuf; /* an output buffer owned by the server */
typedef struct EmberCodecDef {
  uint32_t size;    /* sizeof(EmberCodecDef) */
  const char *name; /* recorded in each file so a reader knows the codec */
  void *state;
  /* Append the transformed bytes with api->buf_append; EMBER_ERR on
   * failure (decode: the frame is corrupt or the key is wrong), having
   * set a message with api->buf_set_error. Any thread. */
  int (*encode)(void *state, EmberStr in, EmberBuf *out);
  int (*decode)(void *state, EmberStr in, EmberBuf *out);
} EmberCodecDef;

/* Command filter: runs on the client's thread before a command with keys
 * is queued (MULTI) or routed. slot is the hash slot (0-16383) all its
 * keys share, or -1 when they span several slots. Returns EMBER_OK to let
 * the command go on, or EMBER_ERR having replied (e.g. -MOVED) on ctx,
 * which then answers for the command. */
typedef int (*EmberFilterFn)(void *state, EmberCtx *ctx, uint32_t cmd_flags, int slot, int argc,
                             const EmberStr *argv);

/* Write stream: called after each write command that succeeded, on the
 * thread that ran it, with the command as executed (replication, change
 * feeds). A transaction arrives as MULTI, its writes, EXEC. A write in
 * another database than the thread's previous one is preceded by SELECT n;
 * each thread's stream starts in database 0 when a listener registers. */
typedef void (*EmberWriteFn)(void *state, uint32_t shard, int argc, const EmberStr *argv);

/* Runs on a shard's thread (timers, fd events, run_on_shard). ctx opens
 * keys of that shard; its replies go nowhere. */
typedef void (*EmberShardFn)(EmberCtx *ctx, void *data);

#define EMBER_FD_READABLE 1
#define EMBER_FD_WRITABLE 2
typedef void (*EmberFdFn)(EmberCtx *ctx, int fd, int events, void *data);

#define EMBER_LOG_DEBUG   0
#define EMBER_LOG_VERBOSE 1
#define EMBER_LOG_NOTICE  2
#define EMBER_LOG_WARNING 3

/* ---------------------------------------------------------------------------
 * The function table. Append only: never reorder, remove or change an
 * entry. New entries go at the end, under a comment naming their ABI.
 * ------------------------------------------------------------------------- */
typedef struct EmberApi {
  uint32_t size;        /* sizeof(EmberApi) in the running server */
  uint32_t abi_version; /* the newest ABI the running server implements */

  /* ---- ABI 1 ---- */

  /* Module lifecycle (init only). */
  void (*set_load_error)(EmberModule *m, const char *message);

  /* Registration (init only, except where noted). */
  int (*register_command)(EmberModule *m, const EmberCommandDef *def);
  EmberType *(*register_type)(EmberModule *m, const EmberTypeDef *def);
  int (*register_config)(EmberModule *m, const EmberConfigDef *def);
  int (*register_info)(EmberModule *m, EmberInfoFn fn);
  int (*register_metric)(EmberModule *m, const char *name, const char *help, int kind, EmberMetricFn fn,
                         void *state);
  int (*register_transport)(EmberModule *m, const EmberTransportDef *def);
  int (*register_codec)(EmberModule *m, const EmberCodecDef *def);
  int (*register_command_filter)(EmberModule *m, EmberFilterFn fn, void *state);
  int (*register_write_listener)(EmberModule *m, EmberWriteFn fn, void *state);

  /* Replies (in a command handler). Aggregates are followed by their
   * elements (a map: key, value, key, value ...). In RESP2 a map is an
   * array of 2n, a double a bulk string, a bool an integer, a set an array. */
  void (*reply_simple)(EmberCtx *ctx, const char *s);
  /* "ERR msg" or "CODE msg": a first word of upper-case letters, digits
   * and '_' (starting with a letter) is the code, as Redis's
   * addReplyError; a message without one gets "ERR ". */
  void (*reply_error)(EmberCtx *ctx, const char *msg);
  void (*reply_integer)(EmberCtx *ctx, int64_t v);
  void (*reply_double)(EmberCtx *ctx, double v);
  void (*reply_bool)(EmberCtx *ctx, int v);
  void (*reply_bulk)(EmberCtx *ctx, const char *ptr, size_t len);
  void (*reply_null)(EmberCtx *ctx);
  void (*reply_verbatim)(EmberCtx *ctx, const char *ptr, size_t len);
  void (*reply_array)(EmberCtx *ctx, size_t n);
  void (*reply_map)(EmberCtx *ctx, size_t pairs);
  void (*reply_set)(EmberCtx *ctx, size_t n);
  /* An array whose length is known only after its elements: begin returns
   * a token, end fills in the count. */
  size_t (*reply_array_begin)(EmberCtx *ctx);
  void (*reply_array_end)(EmberCtx *ctx, size_t token, size_t n);
  /* Protocol the client speaks: 2 or 3. */
  int (*ctx_resp)(EmberCtx *ctx);
  /* The client's id, or 0 when there is no client (shard tasks). */
  uint64_t (*ctx_client_id)(EmberCtx *ctx);
  /* The shard this ctx runs on. */
  uint32_t (*ctx_shard)(EmberCtx *ctx);

  /* Keys (the current shard's, or one held by the running command).
   * open_key returns NULL for a key the call may not touch (see rule 5)
   * or a mode that is neither EMBER_READ nor EMBER_WRITE; a missing key
   * opens fine (its type is EMBER_KEYTYPE_EMPTY). Keys still open when the
   * call returns are closed for it. */
  EmberKey *(*open_key)(EmberCtx *ctx, EmberStr key, int mode);
  void (*close_key)(EmberKey *k);
  int (*key_type)(EmberKey *k);
  /* Deletes the key; EMBER_OK when there was one. Like Redis, no keyspace
   * event is sent: call key_touched(k, "del") first if one is wanted. */
  int (*key_delete)(EmberKey *k);
  /* Absolute unix ms, or EMBER_NO_EXPIRE. */
  int64_t (*key_expire)(EmberKey *k);
  int (*key_set_expire)(EmberKey *k, int64_t unix_ms);
  /* A string value (valid until the key is written or closed). Setting
   * one keeps the key's expiry. */
  int (*key_string_get)(EmberKey *k, EmberStr *out);
  int (*key_string_set)(EmberKey *k, EmberStr value);
  /* The type of a module value (NULL if not one) and the value itself. */
  EmberType *(*key_module_type)(EmberKey *k);
  void *(*key_module_value)(EmberKey *k);
  /* Stores value of type t at the key, replacing what is there (whose
   * value is freed) and keeping its expiry; the key then owns value. On
   * EMBER_ERR (a key not open for writing) the module still owns it. */
  int (*key_set_module_value)(EmberKey *k, EmberType *t, void *value);
  /* Tells the server a module value changed in place (WATCH, blocked
   * clients, keyspace notification `event` when not NULL). */
  void (*key_touched)(EmberKey *k, const char *event);

  /* Serialization streams (in serialize / deserialize). Loads report bad
   * input through io_error (then return 0 / empty) instead of crashing. */
  void (*save_u64)(EmberIO *io, uint64_t v);
  void (*save_i64)(EmberIO *io, int64_t v);
  void (*save_double)(EmberIO *io, double v);
  void (*save_float)(EmberIO *io, float v);
  void (*save_string)(EmberIO *io, const char *ptr, size_t len);
  uint64_t (*load_u64)(EmberIO *io);
  int64_t (*load_i64)(EmberIO *io);
  double (*load_double)(EmberIO *io);
  float (*load_float)(EmberIO *io);
  /* The bytes are valid until the next load on this io. */
  EmberStr (*load_string)(EmberIO *io);
  int (*io_error)(EmberIO *io);
  void (*digest_add)(EmberDigest *d, const char *ptr, size_t len);

  /* INFO (in an EmberInfoFn). Section names are prefixed with the module's
   * name unless they already start with it. */
  void (*info_section)(EmberInfoCtx *ctx, const char *name);
  void (*info_field_str)(EmberInfoCtx *ctx, const char *field, const char *value);
  void (*info_field_i64)(EmberInfoCtx *ctx, const char *field, int64_t value);
  void (*info_field_double)(EmberInfoCtx *ctx, const char *field, double value);

  /* Transports: listens on bindaddr:port (NULL bindaddr: the server's
   * `bind`) with the transport named; connections are spread over the
   * shards like plain ones. Init or later, any thread. */
  int (*listen)(EmberModule *m, const char *transport, const char *bindaddr, int port);
  /* Codec buffers. */
  void (*buf_append)(EmberBuf *b, const void *ptr, size_t len);
  void (*buf_set_error)(EmberBuf *b, const char *message);

  /* Threads, timers and events. */
  uint32_t (*shard_count)(void);                 /* any thread */
  uint32_t (*key_shard)(EmberStr key);           /* any thread */
  int (*key_slot)(EmberStr key);                 /* any thread: CRC16 hash slot */
  /* Runs fn(ctx, data) on the shard's thread soon. Any thread. */
  int (*run_on_shard)(EmberModule *m, uint32_t shard, EmberShardFn fn, void *data);
  /* fn runs once on the shard's thread after ms milliseconds. Any thread;
   * the timer may be deleted only on that shard's thread. */
  EmberTimer *(*timer_create)(EmberModule *m, uint32_t shard, uint64_t ms, EmberShardFn fn, void *data);
  /* Stops a timer that has not fired; returns EMBER_ERR if it already did. */
  int (*timer_delete)(EmberTimer *t);
  /* fn runs on the shard's thread whenever fd has one of `events`
   * (EMBER_FD_*). Call on that shard's thread (from a ctx of it). */
  EmberFdWatch *(*fd_watch)(EmberCtx *ctx, int fd, int events, EmberFdFn fn, void *data);
  void (*fd_unwatch)(EmberFdWatch *w);

  /* Logging, the server's clock and allocator. */
  void (*log)(EmberModule *m, int level, const char *message);
  int64_t (*milliseconds)(void); /* unix ms */
  void *(*alloc)(size_t n);
  void *(*calloc)(size_t n, size_t size);
  void *(*realloc)(void *p, size_t n);
  void (*free)(void *p);
} EmberApi;

/* Whether the server's table has `entry` (for entries added after ABI 1). */
#define EMBER_HAS(api, entry) \
  ((api)->size >= offsetof(struct EmberApi, entry) + sizeof(((struct EmberApi *)0)->entry))

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MODULE_H */
