"""Hostile and careless clients: endless data without a newline, a huge
bulk length, 100k pipelined commands whose replies are never read,
thousands of connections opened and dropped, and maxclients. Each client is
cut off or served; the server stays up and its memory stays bounded."""

import socket
import time
import unittest

import harness
from harness import ServerTestCase


def rss_bytes(r):
    return int(r.info("memory")["used_memory_rss"])


def read_until_closed(sock, limit=1 << 20, timeout=10):
    sock.settimeout(timeout)
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return data, True
    except socket.timeout:
        return data, False
    return data, False


class TestHardening(ServerTestCase):
    shards = 2

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        self.addCleanup(s.close)
        return s

    def send_all(self, s, data):
        """Sends until done or the server hangs up; returns whether it did."""
        try:
            s.sendall(data)
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True

    def test_endless_line_without_newline(self):
        s = self.connect()
        before = rss_bytes(self.r)
        hung_up = False
        for _ in range(64):  # up to 64 MB of one inline "command"
            if self.send_all(s, b"x" * (1 << 20)):
                hung_up = True
                break
        data, closed = read_until_closed(s)
        self.assertTrue(hung_up or closed)
        if data:
            self.assertTrue(data.startswith(b"-ERR Protocol error: too big inline request"), data[:80])
        self.assertTrue(self.r.ping())
        self.assertLess(rss_bytes(self.r) - before, 32 << 20)

    def test_huge_bulk_length_is_refused(self):
        s = self.connect()
        s.sendall(b"*2\r\n$3\r\nGET\r\n$99999999999999\r\n")
        data, closed = read_until_closed(s)
        self.assertTrue(closed)
        self.assertEqual(data, b"-ERR Protocol error: invalid bulk length\r\n")
        s2 = self.connect()
        s2.sendall(b"*99999999999999\r\n")
        data, closed = read_until_closed(s2)
        self.assertTrue(closed)
        self.assertEqual(data, b"-ERR Protocol error: invalid multibulk length\r\n")
        self.assertTrue(self.r.ping())

    def test_announced_bulk_reserves_nothing_up_front(self):
        # 400 MB announced (under proto-max-bulk-len), 1 MB sent: memory
        # follows what arrived, not what was announced.
        before = rss_bytes(self.r)
        s = self.connect()
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\n" + b"v" * (1 << 20))
        time.sleep(0.2)
        self.assertLess(rss_bytes(self.r) - before, 64 << 20)
        s.close()
        self.assertTrue(self.r.ping())

    def test_query_buffer_limit_cuts_off(self):
        self.r.config_set("client-query-buffer-limit", "1mb")
        try:
            s = self.connect()
            # An argument still arriving counts against the limit.
            hung_up = self.send_all(s, b"*2\r\n$3\r\nGET\r\n$10000000\r\n" + b"k" * (4 << 20))
            data, closed = read_until_closed(s)
            self.assertTrue(hung_up or closed)
        finally:
            self.r.config_set("client-query-buffer-limit", "1gb")
        self.assertTrue(self.r.ping())

    def test_pipelined_commands_without_reading_replies_are_served(self):
        s = self.connect()
        n = 100000
        s.sendall(b"SET k v\r\n" + b"INCR counter\r\n" * (n - 1))
        # Nothing read yet: the server answers everything once we do.
        expected = b"+OK\r\n"
        got = b""
        s.settimeout(20)
        deadline = time.time() + 60
        while got.count(b"\r\n") < n and time.time() < deadline:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
        self.assertTrue(got.startswith(expected))
        self.assertEqual(got.count(b"\r\n"), n)
        self.assertEqual(self.r.get("counter"), str(n - 1).encode())

    def test_output_buffer_limit_cuts_off_a_client_that_never_reads(self):
        self.r.set("big", "x" * 10000)
        self.r.config_set("client-output-buffer-limit", "normal 4mb 2mb 1")
        try:
            before = rss_bytes(self.r)
            s = self.connect()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            # 100k GETs of 10 KB: 1 GB of replies if they were all kept.
            batch = b"GET big\r\n" * 1000
            hung_up = False
            for _ in range(100):
                if self.send_all(s, batch):
                    hung_up = True
                    break
            deadline = time.time() + 10
            clients = None
            while time.time() < deadline:
                clients = int(self.r.info("clients")["connected_clients"])
                if hung_up or clients == 1:
                    break
                time.sleep(0.1)
            self.assertTrue(hung_up or clients == 1)
            self.assertLess(rss_bytes(self.r) - before, 256 << 20)
        finally:
            self.r.config_set("client-output-buffer-limit", "normal 0 0 0")
        self.assertTrue(self.r.ping())

    def test_thousands_of_connections_opened_and_dropped(self):
        before = rss_bytes(self.r)
        for _ in range(10):
            socks = [socket.create_connection(("127.0.0.1", self.s.port), timeout=10) for _ in range(300)]
            for i, s in enumerate(socks):
                if i % 2:
                    s.sendall(b"PING\r\n")
                s.close()
        deadline = time.time() + 10
        while time.time() < deadline and int(self.r.info("clients")["connected_clients"]) > 1:
            time.sleep(0.1)
        self.assertEqual(int(self.r.info("clients")["connected_clients"]), 1)
        self.assertTrue(self.r.ping())
        self.assertLess(rss_bytes(self.r) - before, 64 << 20)


class TestMaxClients(ServerTestCase):
    server_args = ("--maxclients", "5")

    def test_past_maxclients_is_refused(self):
        held = [socket.create_connection(("127.0.0.1", self.s.port), timeout=10) for _ in range(4)]
        for s in held:
            s.sendall(b"PING\r\n")
            self.assertEqual(s.recv(64), b"+PONG\r\n")
        extra = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        data, closed = read_until_closed(extra)
        self.assertEqual(data, b"-ERR max number of clients reached\r\n")
        self.assertTrue(closed)
        for s in held:
            s.close()
        extra.close()
        self.assertTrue(self.r.ping())


if __name__ == "__main__":
    unittest.main(verbosity=2)
