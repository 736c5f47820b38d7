/* hiredis client compatibility check for ember.
 *
 * usage: test_hiredis HOST PORT
 * Exits 0 when every check passes; otherwise prints what failed and exits 1.
 * Built by CMake and run by test_hiredis.py against a server started by the harness.
 */
#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);           \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                         \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static redisReply *run(redisContext *c, redisReply *r, const char *what) {
    if (r == NULL) {
        fprintf(stderr, "FATAL: %s: connection error: %s\n", what, c->errstr);
        exit(1);
    }
    return r;
}

static int is_status(redisReply *r, const char *s) {
    return r->type == REDIS_REPLY_STATUS && strcmp(r->str, s) == 0;
}

static int is_bulk(redisReply *r, const char *s, size_t len) {
    return r->type == REDIS_REPLY_STRING && r->len == len && memcmp(r->str, s, len) == 0;
}

static void test_set_get(redisContext *c) {
    redisReply *r = run(c, redisCommand(c, "SET %s %s", "hiredis:key", "hello world"), "SET");
    CHECK(is_status(r, "OK"), "SET reply: type %d", r->type);
    freeReplyObject(r);

    r = run(c, redisCommand(c, "GET %s", "hiredis:key"), "GET");
    CHECK(is_bulk(r, "hello world", 11), "GET reply: type %d", r->type);
    freeReplyObject(r);

    r = run(c, redisCommand(c, "GET %s", "hiredis:missing"), "GET missing");
    CHECK(r->type == REDIS_REPLY_NIL, "GET missing: type %d", r->type);
    freeReplyObject(r);

    r = run(c, redisCommand(c, "PING"), "PING");
    CHECK(is_status(r, "PONG"), "PING reply");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "GET"), "GET no args");
    CHECK(r->type == REDIS_REPLY_ERROR &&
              strcmp(r->str, "ERR wrong number of arguments for 'get' command") == 0,
          "arity error: type %d str %s", r->type, r->type == REDIS_REPLY_ERROR ? r->str : "");
    freeReplyObject(r);
}

static void test_binary(redisContext *c) {
    const char key[] = {'b', 'i', 'n', 0, 'k', (char)0xff};
    char value[300];
    for (int i = 0; i < 300; i++) value[i] = (char)(i % 256);
    redisReply *r = run(c, redisCommand(c, "SET %b %b", key, sizeof(key), value, sizeof(value)), "SET bin");
    CHECK(is_status(r, "OK"), "SET binary");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "GET %b", key, sizeof(key)), "GET bin");
    CHECK(is_bulk(r, value, sizeof(value)), "GET binary: type %d len %zu", r->type,
          r->type == REDIS_REPLY_STRING ? r->len : 0);
    freeReplyObject(r);

    r = run(c, redisCommand(c, "STRLEN %b", key, sizeof(key)), "STRLEN bin");
    CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == 300, "STRLEN binary");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "GET %b", key, (size_t)3), "GET prefix");
    CHECK(r->type == REDIS_REPLY_NIL, "key prefix before NUL must not match");
    freeReplyObject(r);
}

static void test_mget(redisContext *c) {
    redisReply *r = run(c, redisCommand(c, "MSET a 1 b 2 c 3"), "MSET");
    CHECK(is_status(r, "OK"), "MSET");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "MGET a b nokey c"), "MGET");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 4, "MGET shape");
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        CHECK(is_bulk(r->element[0], "1", 1), "MGET[0]");
        CHECK(is_bulk(r->element[1], "2", 1), "MGET[1]");
        CHECK(r->element[2]->type == REDIS_REPLY_NIL, "MGET[2] nil");
        CHECK(is_bulk(r->element[3], "3", 1), "MGET[3]");
    }
    freeReplyObject(r);
}

static void test_pipeline(redisContext *c) {
    const int n = 1000;
    for (int i = 0; i < n; i++) {
        int rc;
        if (i % 2 == 0)
            rc = redisAppendCommand(c, "SET pipe:%d %d", i, i * 7);
        else
            rc = redisAppendCommand(c, "INCR pipe:counter");
        CHECK(rc == REDIS_OK, "redisAppendCommand %d", i);
    }
    long long expect_counter = 0;
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL) {
            fprintf(stderr, "FATAL: pipeline reply %d: %s\n", i, c->errstr);
            exit(1);
        }
        if (i % 2 == 0) {
            CHECK(is_status(r, "OK"), "pipeline SET reply %d", i);
        } else {
            expect_counter++;
            CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == expect_counter,
                  "pipeline INCR reply %d: got %lld want %lld", i, r->integer, expect_counter);
        }
        freeReplyObject(r);
    }
    redisReply *r = run(c, redisCommand(c, "GET pipe:998"), "GET pipe");
    CHECK(is_bulk(r, "6986", 4), "pipelined SET stored");
    freeReplyObject(r);
}

static void test_incr(redisContext *c) {
    redisReply *r;
    for (int i = 1; i <= 100; i++) {
        r = run(c, redisCommand(c, "INCR hiredis:counter"), "INCR");
        CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == i, "INCR %d", i);
        freeReplyObject(r);
    }
    r = run(c, redisCommand(c, "INCRBY hiredis:counter %lld", -200LL), "INCRBY");
    CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == -100, "INCRBY");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "SET hiredis:str abc"), "SET str");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "INCR hiredis:str"), "INCR str");
    CHECK(r->type == REDIS_REPLY_ERROR &&
              strcmp(r->str, "ERR value is not an integer or out of range") == 0,
          "INCR on non-integer");
    freeReplyObject(r);
}

/* The collection types and a transaction, through hiredis's reply objects. */
static void test_types(redisContext *c) {
    redisReply *r = run(c, redisCommand(c, "HSET hiredis:h f1 v1 f2 %b", "v\0two", (size_t)5), "HSET");
    CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == 2, "HSET added");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "HGET hiredis:h f2"), "HGET");
    CHECK(is_bulk(r, "v\0two", 5), "HGET binary value");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "SADD hiredis:s a b c a"), "SADD");
    CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == 3, "SADD added");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "SCARD hiredis:s"), "SCARD");
    CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == 3, "SCARD");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "RPUSH hiredis:l x y z"), "RPUSH");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "LRANGE hiredis:l 0 -1"), "LRANGE");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3 && is_bulk(r->element[2], "z", 1), "LRANGE");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "ZADD hiredis:z 2 b 1 a 3 c"), "ZADD");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "ZRANGE hiredis:z 0 -1 WITHSCORES"), "ZRANGE");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 6 && is_bulk(r->element[0], "a", 1) &&
              is_bulk(r->element[1], "1", 1) && is_bulk(r->element[4], "c", 1),
          "ZRANGE WITHSCORES");
    freeReplyObject(r);

    r = run(c, redisCommand(c, "MULTI"), "MULTI");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "INCR hiredis:tx"), "queued INCR");
    CHECK(is_status(r, "QUEUED"), "QUEUED");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "LPOP hiredis:l"), "queued LPOP");
    freeReplyObject(r);
    r = run(c, redisCommand(c, "EXEC"), "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->integer == 1 &&
              is_bulk(r->element[1], "x", 1),
          "EXEC replies");
    freeReplyObject(r);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    struct timeval tv = {10, 0};
    redisContext *c = redisConnectWithTimeout(argv[1], atoi(argv[2]), tv);
    if (c == NULL || c->err) {
        fprintf(stderr, "FATAL: connect: %s\n", c ? c->errstr : "out of memory");
        return 1;
    }
    redisSetTimeout(c, tv);

    redisReply *r = run(c, redisCommand(c, "FLUSHALL"), "FLUSHALL");
    freeReplyObject(r);

    test_set_get(c);
    test_binary(c);
    test_mget(c);
    test_pipeline(c);
    test_incr(c);
    test_types(c);

    redisFree(c);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("hiredis: all checks passed\n");
    return 0;
}
