"""A client's unsent replies: kept in chunks, written in order, and when the
server runs out of memory because of them, that client is cut off while
the server and every other client go on.

Running out of memory is made real by lowering the server's address-space
limit (prlimit on the running process). redis-server aborts when malloc
fails (zmalloc_oom_handler), so the out-of-memory cases are ember's own.
"""
import os
import resource
import socket
import threading
import time
import unittest

from harness import ServerTestCase, is_ember, start_server

MB = 1024 * 1024


def vm_size(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize for %d" % pid)


def sanitized(pid):
    """AddressSanitizer reserves terabytes of address space and has its own
    allocator: an address-space limit says nothing about it."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def client_ids(client):
    return {int(line.split()[0][3:]) for line in client.execute_command("CLIENT", "LIST").decode().splitlines()}


class TestOutputInOrder(ServerTestCase):
    shards = 4

    def test_a_big_pipeline_read_late_arrives_whole_and_in_order(self):
        # 40 MB of replies over several shards, read only once all were sent:
        # they pile up in many chunks and must come out byte for byte.
        values = {}
        for i in range(40):
            values["k%d" % i] = (b"%03d" % i) * (MB // 3 + i)
        self.r.mset(values)
        c = self.s.raw()
        names = ["k%d" % (i % 40) for i in range(200)]
        payload = b"".join(c.encode("GET", n) for n in names) + c.encode("PING")
        c.send_raw(payload)
        time.sleep(0.5)
        for n in names:
            self.assertEqual(c.read(), values[n])
        self.assertEqual(c.read(), "PONG")
        c.close()

    def test_many_small_replies_behind_a_slow_reader(self):
        self.r.set("small", "v")
        c = self.s.raw()
        c.send_raw(c.encode("INCR", "n") * 20000 + c.encode("GET", "small") * 20000)
        for i in range(20000):
            self.assertEqual(c.read(), i + 1)
        for _ in range(20000):
            self.assertEqual(c.read(), b"v")
        c.close()


@unittest.skipUnless(is_ember(), "redis-server aborts when malloc fails")
class TestOutOfMemoryCutsTheClient(unittest.TestCase):
    def run_hog(self, shards, cutoff=None):
        srv = start_server(shards=shards)
        try:
            if sanitized(srv.proc.pid):
                self.skipTest("an address-space limit cannot make a sanitizer build run out of memory")
            r = srv.client()
            r.set("big", b"x" * MB)
            if cutoff is not None:
                r.config_set("client-oom-output-cutoff", cutoff)
                self.assertEqual(r.config_get("client-oom-output-cutoff"), {"client-oom-output-cutoff": "68719476736"})
            # Room for about 600 MB more than the server has now: the hog asks
            # for 3 GB of replies it never reads.
            limit = vm_size(srv.proc.pid) + 600 * MB
            resource.prlimit(srv.proc.pid, resource.RLIMIT_AS, (limit, limit))
            hog = socket.create_connection(("127.0.0.1", srv.port))
            hog.sendall(b"*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n")
            answer = b""
            while not answer.endswith(b"\r\n"):
                answer += hog.recv(64)
            hog_id = int(answer[1:-2])
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            request = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 3000

            def send():
                try:
                    hog.sendall(request)
                except OSError:
                    pass  # cut off while sending: what is tested

            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            deadline = time.time() + 60
            gone = False
            if cutoff is not None:
                # Over a cut-off it never reaches, the client stays and its
                # commands get -OOM errors instead.
                while time.time() < deadline and r.info("stats")["command_exceptions"] == 0:
                    time.sleep(0.1)
                self.assertGreaterEqual(r.info("stats")["command_exceptions"], 1)
                self.assertIn(hog_id, client_ids(r))
                self.assertNotIn("out of memory with", srv.log_tail(200000))
                hog.close()
                sender.join(10)
                deadline = time.time() + 30
                while time.time() < deadline and hog_id in client_ids(r):
                    time.sleep(0.1)
                self.assertTrue(r.ping())
                self.assertEqual(len(r.get("big")), MB)
                r.close()
                return
            while time.time() < deadline and not gone:
                gone = hog_id not in client_ids(r)
                time.sleep(0.1)
            sender.join(10)
            hog.close()
            self.assertTrue(gone, "the client holding the replies was not cut off")
            # The server goes on, with its data, and can take big values again.
            self.assertTrue(r.ping())
            self.assertEqual(len(r.get("big")), MB)
            r.set("big2", b"y" * MB)
            self.assertEqual(r.strlen("big2"), MB)
            info = r.info("stats")
            self.assertGreaterEqual(info["command_exceptions"], 1)
            log = srv.log_tail(200000)
            self.assertTrue("out of memory with" in log, "no line saying which client was cut off and why")
            r.close()
        finally:
            srv.stop()

    def test_one_shard(self):
        self.run_hog(1)

    def test_replies_from_other_shards(self):
        self.run_hog(4)

    def test_cutoff_is_configurable(self):
        self.run_hog(1, cutoff="64gb")


if __name__ == "__main__":
    unittest.main()
