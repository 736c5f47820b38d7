"""The encryption module with real persistence files: every AOF and snapshot
frame sealed with AES-256-GCM; a wrong or missing key, a missing module or a
tampered file stops start-up and changes nothing; key rotation with a rewrite;
acknowledged writes survive SIGKILL with the module loaded."""

import os
import struct
import threading
import time
import unittest

import redis
import xxhash

import harness
from encryption_util import (AUTH_FAILED, different_key_error, loadmodule_args, make_key_file)
from test_persistence import PersistenceBase, check_acked, incr_path, info, kill9, snapshot_of, wait_for

SECRET = b"plaintext-that-must-not-appear-on-disk"


def frames(path):
    """(offset, body) of every frame after the file header (persist_file.h)."""
    data = open(path, "rb").read()
    pos = 8 + 2
    count, shift = 0, 0
    while True:  # varint codec count
        b = data[pos]
        pos += 1
        count |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    for _ in range(count):
        n = data[pos]
        pos += 1 + n
    pos += 8  # header checksum
    out = []
    while pos < len(data):
        length, = struct.unpack_from("<I", data, pos)
        out.append((pos, data[pos + 12:pos + 12 + length]))
        pos += 12 + length
    return out


def tamper(path, frame_index, byte_in_body):
    """Flips a byte inside a frame's body and fixes the frame's checksum, so
    only the cipher's authentication can notice."""
    offset, body = frames(path)[frame_index]
    body = bytearray(body)
    body[byte_in_body] ^= 0x01
    with open(path, "r+b") as f:
        f.seek(offset + 4)
        f.write(struct.pack("<Q", xxhash.xxh3_64_intdigest(bytes(body))))
        f.seek(offset + 12)
        f.write(bytes(body))


@harness.ember_only
class TestEncryptedFiles(PersistenceBase):
    def setUp(self):
        super().setUp()
        self.key = make_key_file(self.data, "k1.key")

    def enc(self, key=None):
        return loadmodule_args(key or self.key)

    def fill(self, r):
        r.set("secret", SECRET)
        r.hset("h", mapping={"f%d" % i: SECRET for i in range(200)})
        r.rpush("l", *[SECRET] * 50)
        r.set("ttl", SECRET, ex=1000)

    def test_aof_and_snapshot_are_sealed_and_read_back(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", *self.enc())
        r = srv.client()
        self.fill(r)
        before = snapshot_of(r)
        r.save()
        kill9(srv)
        for name in [os.path.join(self.data, "dump.rdb")] + [
                os.path.join(self.data, "appendonlydir", f) for f in os.listdir(os.path.join(self.data, "appendonlydir"))]:
            self.assertNotIn(SECRET, open(name, "rb").read(), name)
        r = self.start("--appendonly", "yes", *self.enc()).client()
        self.assertEqual(snapshot_of(r), before)
        kill9(self.servers[-1])
        r = self.start(*self.enc(), shards=3).client()
        self.assertEqual(snapshot_of(r), before)

    def test_without_the_module_or_with_another_key_startup_stops(self):
        srv = self.start(*self.enc())
        self.fill(srv.client())
        srv.client().save()
        kill9(srv)
        path = os.path.join(self.data, "dump.rdb")
        before = open(path, "rb").read()
        code, log = self.start_fails()
        self.assertEqual(code, 1, log)
        self.assertIn("written with codecs [encryption] but this server has [none]", log)
        other = make_key_file(self.data, "other.key")
        code, log = self.start_fails(*self.enc(other))
        self.assertEqual(code, 1, log)
        self.assertIn(different_key_error(self.key), log)
        self.assertEqual(open(path, "rb").read(), before)

    def test_tampered_frames_are_refused(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", *self.enc())
        r = srv.client()
        for i in range(20):
            r.set("k%d" % i, SECRET)
        r.save()
        kill9(srv)
        aof = incr_path(self.data)
        dump = os.path.join(self.data, "dump.rdb")
        for path, index in ((aof, 0), (dump, 1)):
            tamper(path, index, 30)
            before = open(path, "rb").read()
            args = ["--appendonly", "yes"] if path == aof else []
            code, log = self.start_fails(*args, *self.enc())
            self.assertEqual(code, 1, log)
            self.assertIn(AUTH_FAILED, log)
            self.assertIn(path, log)
            self.assertEqual(open(path, "rb").read(), before)

    def test_key_rotation_with_rewrite_and_bgsave(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", *self.enc())
        r = srv.client()
        self.fill(r)
        new_key = make_key_file(self.data, "k2.key")
        self.assertTrue(r.config_set("encryption.keyfile", new_key))
        r.set("after-rotation", "1")
        # The log now mixes frames under both keys; the rewrite and the
        # snapshot put everything under the new one.
        before = snapshot_of(r)
        r.bgrewriteaof()
        wait_for(lambda: info(r)["aof_rewrites"] == 1 and info(r)["aof_rewrite_in_progress"] == 0,
                 what="the rewrite")
        self.assertTrue(r.bgsave())
        wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="BGSAVE")
        kill9(srv)
        # Everything is under the new key now: the old one is not needed.
        r = self.start("--appendonly", "yes", *self.enc(new_key)).client()
        self.assertEqual(snapshot_of(r), before)
        kill9(self.servers[-1])
        r = self.start(*self.enc(new_key)).client()
        self.assertEqual(snapshot_of(r), before)
        kill9(self.servers[-1])
        code, log = self.start_fails("--appendonly", "yes", *self.enc())
        self.assertEqual(code, 1, log)
        self.assertIn(different_key_error(new_key), log)

    def test_acknowledged_writes_survive_sigkill(self):
        acked, inflight = {}, {}
        for round_no in range(3):
            srv = self.start("--appendonly", "yes", "--appendfsync", "always", *self.enc())
            r = srv.client()
            check_acked(self, r, acked, inflight)
            stop = threading.Event()

            def writer(seed):
                c = srv.client(socket_timeout=5)
                i = 0
                while not stop.is_set():
                    k, v = "k%d-%d" % (seed, i % 300), ("%d-%d" % (round_no, i)).encode()
                    inflight[k] = v
                    try:
                        c.set(k, v)
                    except (redis.ConnectionError, redis.TimeoutError, OSError):
                        return
                    acked[k] = v
                    i += 1

            threads = [threading.Thread(target=writer, args=(round_no * 10 + n,)) for n in range(2)]
            for t in threads:
                t.start()
            time.sleep(0.2)
            kill9(srv)
            stop.set()
            for t in threads:
                t.join()
        r = self.start("--appendonly", "yes", *self.enc()).client()
        check_acked(self, r, acked, inflight)


if __name__ == "__main__":
    unittest.main()
