"""CLIENT REPLY ON|OFF|SKIP, as Redis 7.0: OFF silences every reply (and
push) until ON, which answers OK; SKIP silences the next command's reply
only. Keys live on several shards, so silenced replies include ones
computed on other threads and ones of blocked commands."""
import time
import unittest

from harness import RespError, ServerTestCase


class TestClientReply(ServerTestCase):
    shards = 4

    def test_off_then_on(self):
        c = self.s.raw()
        c.send("CLIENT", "REPLY", "OFF")
        for i in range(50):
            c.send("SET", "k%d" % i, i)
            c.send("GET", "k%d" % i)
        c.send("INCR", "k0")
        c.send("NOSUCHCOMMAND")
        self.assertEqual(c.execute("CLIENT", "REPLY", "ON"), "OK")
        self.assertEqual(c.execute("GET", "k0"), b"1")
        self.assertEqual(c.execute("GET", "k49"), b"49")
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()

    def test_skip_drops_exactly_the_next_reply(self):
        c = self.s.raw()
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("SET", "a", "1")
        c.send("SET", "b", "2")
        self.assertEqual(c.read(), "OK")  # b's, not a's nor SKIP's
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("GET", "a")
        c.send("GET", "b")
        self.assertEqual(c.read(), b"2")
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()

    def test_skip_twice_in_a_row(self):
        # The second SKIP is itself skipped and then silences the command
        # after it, as Redis's flags do.
        c = self.s.raw()
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("ECHO", "one")
        c.send("ECHO", "two")
        self.assertEqual(c.read(), b"two")
        c.close()

    def test_skip_while_off_does_nothing(self):
        c = self.s.raw()
        c.send("CLIENT", "REPLY", "OFF")
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("ECHO", "silent")
        self.assertEqual(c.execute("CLIENT", "REPLY", "ON"), "OK")
        self.assertEqual(c.execute("ECHO", "heard"), b"heard")
        c.close()

    def test_blocked_command_reply_is_silenced(self):
        c = self.s.raw()
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("BLPOP", "queue", 0)
        time.sleep(0.2)
        self.r.rpush("queue", "job")
        c.send("ECHO", "after")
        self.assertEqual(c.read(), b"after")
        self.assertEqual(self.r.llen("queue"), 0)
        c.close()

    def test_pushes_still_arrive_while_off(self):
        # Redis 7.0 sends pushes (messages, invalidations) with replies off.
        c = self.s.raw(protocol=3)
        self.assertEqual(c.execute("SUBSCRIBE", "ch")[0], b"subscribe")
        c.send("CLIENT", "REPLY", "OFF")
        c.send("PING")
        time.sleep(0.1)
        self.r.publish("ch", "heard")
        self.assertEqual(list(c.read()), [b"message", b"ch", b"heard"])
        self.assertEqual(c.execute("CLIENT", "REPLY", "ON"), "OK")
        c.close()

    def test_invalidations_still_arrive_while_off(self):
        c = self.s.raw(protocol=3)
        self.assertEqual(c.execute("CLIENT", "TRACKING", "ON"), "OK")
        self.r.set("tracked", "1")
        self.assertEqual(c.execute("GET", "tracked"), b"1")
        c.send("CLIENT", "REPLY", "OFF")
        c.send("GET", "other")
        time.sleep(0.1)
        self.r.set("tracked", "2")
        self.assertEqual(list(c.read()), [b"invalidate", [b"tracked"]])
        c.close()

    def test_errors(self):
        c = self.s.raw()
        self.assertEqual(c.execute("CLIENT", "REPLY", "MAYBE"), RespError("ERR syntax error"))
        self.assertEqual(c.execute("CLIENT", "REPLY"),
                         RespError("ERR wrong number of arguments for 'client|reply' command"))
        self.assertEqual(c.execute("CLIENT", "REPLY", "ON", "x"),
                         RespError("ERR wrong number of arguments for 'client|reply' command"))
        c.close()

    def test_command_docs_know_it(self):
        info = self.c.execute("COMMAND", "INFO", "CLIENT")
        subs = [s[0] for s in info[0][9]]
        self.assertIn(b"client|reply", subs)


if __name__ == "__main__":
    unittest.main()
