#!/usr/bin/python3
"""The vector module (build/modules/vector.so, loaded with --loadmodule):
VADD VADD_BATCH VSIM VREM VGET VCARD VDIM VINFO, its "vectorset" type under
the keyspace commands (DEL EXPIRE TYPE MEMORY USAGE FLUSHALL DUMP/RESTORE
COPY), its config parameters and INFO section, RESP3, several shards."""

import math
import os
import random
import struct
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespError, RespMap, RespDouble, RESP3_NULL, main  # noqa: E402
from harness import WRONGTYPE, arity, is_ember, module_path, start_server  # noqa: E402

VECTOR_SO = module_path("vector")

FIXED = "; index settings are fixed by the first VADD"
DIM_RANGE = "ERR vector dimension must be between 1 and 32768"
M_RANGE = "ERR M must be an integer between 2 and 512"
EF_RANGE = "ERR EF must be an integer between 1 and 1048576"
NO_COUNT = "ERR COUNT k is required"
BAD_COUNT = "ERR COUNT must be a positive integer"
ZERO = "ERR a zero vector has no direction: METRIC COSINE cannot index or query it"
NO_VECTOR = "ERR missing vector: expected at least one number"
NOT_FINITE = "ERR vector components must be finite numbers"


def dim_mismatch(got, want):
    return "ERR vector dimension %d does not match the key's dimension %d" % (got, want)


def blob(*values):
    return struct.pack("<%df" % len(values), *values)


def as_dict(reply):
    """VINFO's reply (RESP2 flat array or RESP3 map) as {str: value}."""
    if isinstance(reply, dict):
        items = reply.items()
    else:
        items = zip(reply[0::2], reply[1::2])
    return {k.decode(): (v.decode() if isinstance(v, bytes) else v) for k, v in items}


def cosine_similarity(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@unittest.skipUnless(is_ember(), "the vector module is ember's")
class VectorCase(ServerTestCase):
    server_args = ["--loadmodule", VECTOR_SO]

    def vinfo(self, key):
        return as_dict(self.cmd("VINFO", key))

    def vadd(self, key, name, *values, **options):
        args = ["VADD", key, name] + [repr(float(v)) for v in values]
        for opt, value in options.items():
            args += [opt.upper(), value]
        return self.cmd(*args)


class TestVadd(VectorCase):

    def test_add_then_update(self):
        self.assertEqual(self.vadd("k", "a", 1, 2, 3), 1)
        self.assertEqual(self.vadd("k", "b", 3, 2, 1), 1)
        self.assertEqual(self.vadd("k", "a", 1, 2, 3), 0)
        self.assertEqual(self.vadd("k", "a", 0.5, 0.25, 2), 0)
        self.assertEqual(self.cmd("VCARD", "k"), 2)
        self.assertEqual(self.cmd("VDIM", "k"), 3)
        self.assertEqual(self.cmd("TYPE", "k"), "vectorset")
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", "a")], [0.5, 0.25, 2.0])

    def test_defaults(self):
        self.vadd("k", "a", 1, 0)
        info = self.vinfo("k")
        self.assertEqual(info["metric"], "COSINE")
        self.assertEqual(info["quant"], "F32")
        self.assertEqual(info["m"], 16)
        self.assertEqual(info["ef-construction"], 200)
        self.assertEqual(info["ef-search"], 100)
        self.assertEqual(info["dim"], 2)
        self.assertEqual(info["size"], 1)
        self.assertEqual(info["free-slots"], 0)
        self.assertGreaterEqual(info["capacity"], 1)
        self.assertGreater(info["memory"], 0)

    def test_options_are_kept_and_case_insensitive(self):
        self.assertEqual(self.cmd("VADD", "k", "a", "1", "2", "metric", "l2", "quant", "f16", "m", "8", "ef", "40"), 1)
        info = self.vinfo("k")
        self.assertEqual((info["metric"], info["quant"], info["m"], info["ef-construction"]), ("L2", "F16", 8, 40))
        # The same settings again are fine; other ones are refused.
        self.assertEqual(self.cmd("VADD", "k", "b", "3", "4", "METRIC", "L2", "QUANT", "F16", "M", "8", "EF", "40"), 1)
        self.assertCmdError("ERR the key's METRIC is L2" + FIXED, "VADD", "k", "c", "1", "1", "METRIC", "IP")
        self.assertCmdError("ERR the key's QUANT is F16" + FIXED, "VADD", "k", "c", "1", "1", "QUANT", "Q8")
        self.assertCmdError("ERR the key's M is 8" + FIXED, "VADD", "k", "c", "1", "1", "M", "16")
        self.assertCmdError("ERR the key's EF is 40" + FIXED, "VADD", "k", "c", "1", "1", "EF", "41")
        self.assertEqual(self.cmd("VCARD", "k"), 2)

    def test_every_metric_and_quant(self):
        for metric in ("COSINE", "L2", "IP"):
            for quant in ("F32", "F16", "Q8"):
                key = "k:%s:%s" % (metric, quant)
                self.assertEqual(self.cmd("VADD", key, "x", "1", "0", "0", "METRIC", metric, "QUANT", quant), 1)
                self.assertEqual(self.cmd("VADD", key, "y", "0", "1", "0"), 1)
                self.assertEqual(self.cmd("VADD", key, "z", "0.9", "0.1", "0"), 1)
                names = self.cmd("VSIM", key, "1", "0.05", "0", "COUNT", "2")
                self.assertEqual(names, [b"x", b"z"], key)
                self.assertEqual(self.vinfo(key)["quant"], quant)

    def test_syntax_errors(self):
        self.assertCmdError(arity("vadd"), "VADD", "k", "a")
        self.assertCmdError(NO_VECTOR, "VADD", "k", "a", "METRIC", "L2")
        self.assertCmdError("ERR invalid vector component '1.2.3'", "VADD", "k", "a", "1", "1.2.3")
        self.assertCmdError("ERR invalid vector component '-x'", "VADD", "k", "a", "-x")
        self.assertCmdError("ERR unknown option 'FOO'", "VADD", "k", "a", "1", "FOO", "1")
        self.assertCmdError("ERR METRIC must be COSINE, L2 or IP", "VADD", "k", "a", "1", "METRIC", "DOT")
        self.assertCmdError("ERR METRIC must be COSINE, L2 or IP", "VADD", "k", "a", "1", "METRIC")
        self.assertCmdError("ERR QUANT must be F32, F16 or Q8", "VADD", "k", "a", "1", "QUANT", "BIN")
        for bad in ("1", "513", "x", "-4", ""):
            self.assertCmdError(M_RANGE, "VADD", "k", "a", "1", "M", bad)
        for bad in ("0", "1048577", "ef", "1.5"):
            self.assertCmdError(EF_RANGE, "VADD", "k", "a", "1", "EF", bad)
        self.assertCmdError(EF_RANGE, "VADD", "k", "a", "1", "EF")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_non_finite_values(self):
        for bad in ("nan", "NaN", "inf", "-inf", "infinity", "1e39", "-1e300"):
            self.assertCmdError(NOT_FINITE + ", got '%s'" % bad, "VADD", "k", "a", "1", bad)
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_numbers_as_clients_write_them(self):
        self.assertEqual(self.cmd("VADD", "k", "a", "+1.5", "-2", "3e-1", ".5", "METRIC", "L2"), 1)
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", "a")],
                         [1.5, -2.0, struct.unpack("<f", struct.pack("<f", 0.3))[0], 0.5])

    def test_dimension(self):
        self.vadd("k", "a", 1, 2, 3)
        self.assertCmdError(dim_mismatch(2, 3), "VADD", "k", "b", "1", "2")
        self.assertCmdError(dim_mismatch(4, 3), "VADD", "k", "a", "1", "2", "3", "4")
        self.assertEqual(self.cmd("VCARD", "k"), 1)
        self.assertCmdError(DIM_RANGE, "VADD", "big", "a", *(["1"] * 32769))
        self.assertEqual(self.cmd("VADD", "big", "a", *(["1"] * 32768)), 1)
        self.assertEqual(self.cmd("VDIM", "big"), 32768)

    def test_ranges(self):
        self.assertCmdError(ZERO, "VADD", "k", "a", "0", "0")
        self.assertCmdError(ZERO, "VADD", "k", "a", "0", "-0", "QUANT", "Q8")
        self.assertEqual(self.cmd("VADD", "k", "a", "1e30", "-1e30"), 1)  # COSINE normalizes first
        self.assertCmdError("ERR vector component 3e+37 is out of range: METRIC COSINE QUANT F32 allows |x| <= 1e+36",
                            "VADD", "k", "b", "3e37", "1")
        self.assertEqual(self.cmd("VADD", "l2", "zero", "0", "0", "METRIC", "L2"), 1)
        self.assertCmdError("ERR vector component 1e+17 is out of range: METRIC L2 QUANT F32 allows |x| <= 1e+16",
                            "VADD", "l2", "a", "1e17", "0")
        self.assertCmdError("ERR vector component 70000 is out of range: METRIC IP QUANT F16 allows |x| <= 65504",
                            "VADD", "f16", "a", "70000", "0", "METRIC", "IP", "QUANT", "F16")
        self.assertEqual(self.cmd("EXISTS", "f16"), 0)

    def test_binary_safe_names(self):
        name = b"\x00el\r\nem ent\xff"
        self.assertEqual(self.cmd("VADD", "k", name, "1", "2"), 1)
        self.assertEqual(self.cmd("VADD", "k", "", "2", "1"), 1)
        self.assertEqual(self.cmd("VSIM", "k", "1", "2", "COUNT", "2"), [name, b""])
        self.assertEqual(self.cmd("VREM", "k", ""), 1)
        self.assertEqual(self.cmd("VCARD", "k"), 1)


class TestVaddBatch(VectorCase):

    def test_text_form(self):
        self.assertEqual(self.cmd("VADD_BATCH", "k", "DIM", "2", "a", "1", "0", "b", "0", "1", "c", "1", "1"), 3)
        self.assertEqual(self.cmd("VADD_BATCH", "k", "DIM", "2", "a", "1", "0", "d", "-1", "0"), 1)
        self.assertEqual(self.cmd("VCARD", "k"), 4)
        self.assertEqual(self.cmd("VSIM", "k", "1", "0.1", "COUNT", "1"), [b"a"])

    def test_options_after_the_elements(self):
        self.assertEqual(self.cmd("VADD_BATCH", "k", "dim", "2", "a", "1", "0", "b", "0", "1",
                                  "METRIC", "IP", "QUANT", "Q8", "M", "4", "EF", "10"), 2)
        info = self.vinfo("k")
        self.assertEqual((info["metric"], info["quant"], info["m"], info["ef-construction"]), ("IP", "Q8", 4, 10))
        self.assertCmdError("ERR the key's METRIC is IP" + FIXED, "VADD_BATCH", "k", "DIM", "2", "c", "1", "1",
                            "METRIC", "L2")

    def test_repeated_name_in_one_batch_updates(self):
        self.assertEqual(self.cmd("VADD_BATCH", "k", "DIM", "1", "a", "1", "a", "2", "METRIC", "L2"), 1)
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", "a")], [2.0])

    def test_blob_form(self):
        self.assertEqual(self.cmd("VADD_BATCH", "k", "DIM", "3", "BLOB", "a", blob(1, 2, 3), b"b\x00", blob(-1, 0.5, 0),
                                  "METRIC", "L2"), 2)
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", b"b\x00")], [-1.0, 0.5, 0.0])
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", "a")], [1.0, 2.0, 3.0])
        self.assertEqual(self.cmd("VADD_BATCH", "k", "DIM", "3", "blob", "a", blob(3, 2, 1)), 0)
        self.assertEqual([float(x) for x in self.cmd("VGET", "k", "a")], [3.0, 2.0, 1.0])

    def test_errors(self):
        self.assertCmdError(arity("vadd_batch"), "VADD_BATCH", "k", "DIM", "1", "a")
        self.assertCmdError("ERR DIM n must follow the key", "VADD_BATCH", "k", "a", "1", "b", "2")
        for bad in ("0", "32769", "x", "-1"):
            self.assertCmdError("ERR DIM must be an integer between 1 and 32768", "VADD_BATCH", "k", "DIM", bad,
                                "a", "1")
        self.assertCmdError("ERR expected 2 values (element 'b')", "VADD_BATCH", "k", "DIM", "2", "a", "1", "2", "b",
                            "1")
        self.assertCmdError("ERR expected 2 values, got 'x' (element 'a')", "VADD_BATCH", "k", "DIM", "2", "a", "1",
                            "x")
        self.assertCmdError("ERR expected 2 values, got 'METRIC' (element 'a')", "VADD_BATCH", "k", "DIM", "2", "a",
                            "1", "METRIC", "L2")
        self.assertCmdError(NOT_FINITE + " (element 'a')", "VADD_BATCH", "k", "DIM", "2", "a", "1", "nan")
        self.assertCmdError("ERR VADD_BATCH needs at least one element", "VADD_BATCH", "k", "DIM", "2", "METRIC",
                            "L2")
        self.assertCmdError("ERR unknown option 'FOO'", "VADD_BATCH", "k", "DIM", "1", "a", "1", "M", "4", "FOO",
                            "1")
        self.assertCmdError(M_RANGE, "VADD_BATCH", "k", "DIM", "1", "a", "1", "M", "1")
        self.assertCmdError("ERR missing blob (element 'b')", "VADD_BATCH", "k", "DIM", "1", "BLOB", "a", blob(1),
                            "b")
        self.assertCmdError("ERR blob has 4 bytes, DIM 2 needs 8 (element 'a')", "VADD_BATCH", "k", "DIM", "2",
                            "BLOB", "a", blob(1))
        self.assertCmdError(NOT_FINITE + " (element 'a')", "VADD_BATCH", "k", "DIM", "1", "BLOB", "a",
                            blob(float("inf")))
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_all_or_nothing(self):
        self.assertCmdError(ZERO + " (element 'z')", "VADD_BATCH", "k", "DIM", "2", "a", "1", "0", "z", "0", "0")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.cmd("VADD_BATCH", "k", "DIM", "2", "a", "1", "0")
        self.assertCmdError(dim_mismatch(3, 2), "VADD_BATCH", "k", "DIM", "3", "b", "1", "0", "0")
        self.assertCmdError(ZERO + " (element 'z')", "VADD_BATCH", "k", "DIM", "2", "b", "0", "1", "z", "0", "0")
        self.assertEqual(self.cmd("VCARD", "k"), 1)


class TestVsim(VectorCase):

    def setUp(self):
        super().setUp()
        for name, v in (("x", (1, 0, 0)), ("y", (0, 1, 0)), ("z", (0, 0, 1)), ("-x", (-1, 0, 0)), ("xy", (1, 1, 0))):
            self.vadd("cos", name, *v)
            self.vadd("l2", name, *v, metric="L2")
            self.vadd("ip", name, *v, metric="IP")

    def test_order_and_count(self):
        self.assertEqual(self.cmd("VSIM", "cos", "1", "0.1", "0", "COUNT", "2"), [b"x", b"xy"])
        self.assertEqual(self.cmd("VSIM", "cos", "1", "0.1", "0", "COUNT", "100")[-1], b"-x")
        self.assertEqual(len(self.cmd("VSIM", "cos", "1", "0.1", "0", "COUNT", "100")), 5)
        self.assertEqual(self.cmd("VSIM", "cos", "1", "0.1", "0", "COUNT", "1", "EF", "1"), [b"x"])
        self.assertEqual(self.cmd("VSIM", "cos", "0", "0", "1", "count", "1", "ef", "500"), [b"z"])

    def test_cosine_scores_are_redis_similarities(self):
        reply = self.cmd("VSIM", "cos", "1", "0", "0", "COUNT", "5", "WITHSCORES")
        scores = {reply[i]: float(reply[i + 1]) for i in range(0, len(reply), 2)}
        self.assertEqual(reply[0], b"x")
        self.assertAlmostEqual(scores[b"x"], 1.0, places=6)    # identical
        self.assertAlmostEqual(scores[b"xy"], (1 + math.sqrt(0.5)) / 2, places=6)
        self.assertAlmostEqual(scores[b"y"], 0.5, places=6)    # orthogonal
        self.assertAlmostEqual(scores[b"-x"], 0.0, places=6)   # opposite

    def test_l2_and_ip_scores(self):
        reply = self.cmd("VSIM", "l2", "2", "0", "0", "COUNT", "2", "WITHSCORES")
        self.assertEqual(reply[0::2], [b"x", b"xy"])
        self.assertAlmostEqual(float(reply[1]), 1.0, places=6)             # Euclidean distance
        self.assertAlmostEqual(float(reply[3]), math.sqrt(2), places=6)
        reply = self.cmd("VSIM", "ip", "2", "-0.1", "0", "COUNT", "2", "WITHSCORES")
        self.assertEqual(reply[0::2], [b"x", b"xy"])
        self.assertAlmostEqual(float(reply[1]), 2.0, places=6)              # the inner product
        self.assertAlmostEqual(float(reply[3]), 1.9, places=6)

    def test_missing_key_is_empty(self):
        self.assertEqual(self.cmd("VSIM", "nokey", "1", "2", "COUNT", "3"), [])
        self.assertEqual(self.cmd("VSIM", "nokey", "1", "COUNT", "3", "WITHSCORES"), [])

    def test_errors(self):
        self.assertCmdError(arity("vsim"), "VSIM", "cos", "1", "COUNT")
        self.assertCmdError(NO_COUNT, "VSIM", "cos", "1", "0", "0", "WITHSCORES")
        self.assertCmdError(NO_COUNT, "VSIM", "cos", "1", "0", "0", "EF", "10")
        for bad in ("0", "-1", "x", "1.5"):
            self.assertCmdError(BAD_COUNT, "VSIM", "cos", "1", "0", "0", "COUNT", bad)
        self.assertCmdError(BAD_COUNT, "VSIM", "cos", "1", "0", "0", "WITHSCORES", "COUNT")
        for bad in ("0", "x", "1048577"):
            self.assertCmdError(EF_RANGE, "VSIM", "cos", "1", "0", "0", "COUNT", "1", "EF", bad)
        self.assertCmdError("ERR unknown option 'LIMIT'", "VSIM", "cos", "1", "0", "0", "COUNT", "1", "LIMIT", "2")
        self.assertCmdError(NO_VECTOR, "VSIM", "cos", "COUNT", "1", "EF", "2")
        self.assertCmdError(NOT_FINITE + ", got 'nan'", "VSIM", "cos", "1", "nan", "0", "COUNT", "1")
        self.assertCmdError(dim_mismatch(2, 3), "VSIM", "cos", "1", "0", "COUNT", "1")
        self.assertCmdError(ZERO, "VSIM", "cos", "0", "0", "0", "COUNT", "1")
        self.assertIn(self.cmd("VSIM", "l2", "0", "0", "0", "COUNT", "1")[0], [b"x", b"y", b"z", b"-x"])

    def test_recall_small_exact_case(self):
        rnd = random.Random(5)
        points = [[rnd.uniform(-1, 1) for _ in range(8)] for _ in range(300)]
        args = ["VADD_BATCH", "r", "DIM", "8"]
        for i, p in enumerate(points):
            args += ["p%d" % i] + [repr(x) for x in p]
        self.assertEqual(self.cmd(*args), 300)
        hits = total = 0
        for _ in range(20):
            q = [rnd.uniform(-1, 1) for _ in range(8)]
            truth = sorted(range(300), key=lambda i: -cosine_similarity(q, points[i]))[:5]
            got = self.cmd("VSIM", "r", *[repr(x) for x in q], "COUNT", "5", "EF", "100")
            hits += len(set(got) & {b"p%d" % i for i in truth})
            total += 5
        self.assertGreaterEqual(hits / total, 0.95)


class TestVremVget(VectorCase):

    def test_vrem(self):
        self.vadd("k", "a", 1, 0)
        self.vadd("k", "b", 0, 1)
        self.assertEqual(self.cmd("VREM", "k", "a"), 1)
        self.assertEqual(self.cmd("VREM", "k", "a"), 0)
        self.assertEqual(self.cmd("VREM", "nokey", "a"), 0)
        self.assertIsNone(self.cmd("VGET", "k", "a"))
        self.assertEqual(self.cmd("VSIM", "k", "1", "0", "COUNT", "5"), [b"b"])
        self.assertEqual(self.vinfo("k")["free-slots"], 1)
        # The last element takes the key with it.
        self.assertEqual(self.cmd("VREM", "k", "b"), 1)
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertCmdError(arity("vrem"), "VREM", "k")
        self.assertCmdError(arity("vrem"), "VREM", "k", "a", "b")

    def test_removed_slot_is_reused(self):
        capacity = None
        i = 0
        while capacity is None or self.vinfo("k")["size"] < capacity:
            self.vadd("k", "e%d" % i, i + 1, 1)
            capacity = self.vinfo("k")["capacity"]
            i += 1
        self.assertEqual(self.cmd("VREM", "k", "e3"), 1)
        self.assertEqual(self.vinfo("k")["free-slots"], 1)
        self.assertEqual(self.vadd("k", "new", 4, 1), 1)
        info = self.vinfo("k")
        self.assertEqual((info["capacity"], info["free-slots"], info["size"]), (capacity, 0, capacity))
        self.assertEqual(self.cmd("VSIM", "k", "4", "1", "COUNT", "1", "WITHSCORES")[0], b"new")
        self.assertIsNone(self.cmd("VGET", "k", "e3"))
        # Now full again: one more doubles the capacity.
        self.vadd("k", "more", 1, 2)
        self.assertEqual(self.vinfo("k")["capacity"], 2 * capacity)

    def test_vget(self):
        self.vadd("f32", "a", 0.5, -1.25, 3)
        self.assertEqual([float(x) for x in self.cmd("VGET", "f32", "a")], [0.5, -1.25, 3.0])
        self.assertIsNone(self.cmd("VGET", "f32", "nope"))
        self.assertIsNone(self.cmd("VGET", "nokey", "a"))
        for quant, tolerance in (("F16", 2e-3), ("Q8", 3e-2)):
            for metric in ("COSINE", "L2"):
                key = quant + metric
                self.cmd("VADD", key, "a", "0.5", "-1.25", "3", "QUANT", quant, "METRIC", metric)
                got = [float(x) for x in self.cmd("VGET", key, "a")]
                for g, want in zip(got, (0.5, -1.25, 3.0)):
                    self.assertLess(abs(g - want), tolerance * 3, (key, got))
        self.assertCmdError(arity("vget"), "VGET", "k")


class TestSmallCommands(VectorCase):

    def test_missing_key(self):
        self.assertEqual(self.cmd("VCARD", "nokey"), 0)
        self.assertIsNone(self.cmd("VDIM", "nokey"))
        self.assertIsNone(self.cmd("VINFO", "nokey"))
        self.assertCmdError(arity("vcard"), "VCARD")
        self.assertCmdError(arity("vdim"), "VDIM", "a", "b")
        self.assertCmdError(arity("vinfo"), "VINFO")

    def test_wrongtype(self):
        self.r.set("s", "x")
        self.r.hset("h", "f", "v")
        for key in ("s", "h"):
            self.assertCmdError(WRONGTYPE, "VADD", key, "a", "1")
            self.assertCmdError(WRONGTYPE, "VADD_BATCH", key, "DIM", "1", "a", "1")
            self.assertCmdError(WRONGTYPE, "VSIM", key, "1", "COUNT", "1")
            self.assertCmdError(WRONGTYPE, "VREM", key, "a")
            self.assertCmdError(WRONGTYPE, "VGET", key, "a")
            self.assertCmdError(WRONGTYPE, "VCARD", key)
            self.assertCmdError(WRONGTYPE, "VDIM", key)
            self.assertCmdError(WRONGTYPE, "VINFO", key)
        self.assertEqual(self.cmd("GET", "s"), b"x")
        self.vadd("v", "a", 1)
        self.assertCmdError(WRONGTYPE, "GET", "v")
        self.assertCmdError(WRONGTYPE, "HSET", "v", "f", "x")
        self.assertCmdError(WRONGTYPE, "LPUSH", "v", "x")

    def test_command_info(self):
        info = self.cmd("COMMAND", "INFO", "vadd", "vsim", "vcard")
        (vadd, vsim, vcard) = info
        self.assertEqual(vadd[0], b"vadd")
        self.assertEqual(vadd[1], -4)
        self.assertIn("write", vadd[2])
        self.assertIn("denyoom", vadd[2])
        self.assertEqual(vadd[3:6], [1, 1, 1])
        self.assertIn("readonly", vsim[2])
        self.assertIn("fast", vcard[2])


class TestKeyspace(VectorCase):

    def test_del_exists_type_dbsize(self):
        self.vadd("k", "a", 1)
        self.assertEqual(self.cmd("EXISTS", "k"), 1)
        self.assertEqual(self.cmd("TYPE", "k"), "vectorset")
        self.assertEqual(self.cmd("DBSIZE"), 1)
        self.assertEqual(self.cmd("DEL", "k"), 1)
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertEqual(self.cmd("TYPE", "k"), "none")
        self.vadd("k", "a", 1)
        self.assertEqual(self.cmd("UNLINK", "k"), 1)
        self.assertEqual(self.cmd("VCARD", "k"), 0)

    def test_rename(self):
        self.cmd("VADD_BATCH", "k", "DIM", "2", "a", "1", "0", "b", "0", "1", "METRIC", "L2")
        self.assertCmdOk("RENAME", "k", "k2")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertEqual(self.cmd("VSIM", "k2", "0", "1", "COUNT", "1"), [b"b"])
        self.assertEqual(self.vinfo("k2")["metric"], "L2")
        self.r.set("s", "x")
        self.assertCmdOk("RENAME", "k2", "s")
        self.assertEqual(self.cmd("TYPE", "s"), "vectorset")

    def test_expire(self):
        self.vadd("k", "a", 1)
        self.assertEqual(self.cmd("EXPIRE", "k", "100"), 1)
        self.assertTrue(0 < self.cmd("TTL", "k") <= 100)
        self.vadd("k", "b", 2)   # writing keeps the expiry
        self.assertTrue(0 < self.cmd("TTL", "k") <= 100)
        self.assertEqual(self.cmd("PERSIST", "k"), 1)
        self.assertEqual(self.cmd("TTL", "k"), -1)
        self.assertEqual(self.cmd("PEXPIRE", "k", "30"), 1)
        time.sleep(0.1)
        self.assertEqual(self.cmd("VCARD", "k"), 0)
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_watch(self):
        self.vadd("k", "a", 1)
        other = self.s.raw()
        try:
            self.assertCmdOk("WATCH", "k")
            self.assertCmdOk("MULTI")
            self.assertEqual(self.cmd("VCARD", "k"), "QUEUED")
            self.assertEqual(other.execute("VADD", "k", "b", "2"), 1)
            self.assertIsNone(self.cmd("EXEC"))
            self.assertCmdOk("WATCH", "k")
            self.assertCmdOk("MULTI")
            self.assertEqual(self.cmd("VREM", "k", "b"), "QUEUED")
            self.assertEqual(self.cmd("VCARD", "k"), "QUEUED")
            self.assertEqual(self.cmd("EXEC"), [1, 1])
        finally:
            other.close()

    def test_keyspace_notifications(self):
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub = self.s.raw()
        try:
            sub.execute("PSUBSCRIBE", "__keyspace@0__:k")
            self.vadd("k", "a", 1)
            self.cmd("VADD_BATCH", "k", "DIM", "1", "b", "2")
            self.cmd("VREM", "k", "a")
            self.cmd("VREM", "k", "b")
            events = [sub.read()[3] for _ in range(5)]
            self.assertEqual(events, [b"vadd", b"vadd", b"vrem", b"vrem", b"del"])
        finally:
            sub.close()
            self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "")

    def test_flushall(self):
        for i in range(5):
            self.vadd("k%d" % i, "a", 1)
        self.assertEqual(self.cmd("FLUSHALL"), "OK")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.vadd("k0", "a", 1, 2)          # a fresh key: the old dimension is gone
        self.assertEqual(self.cmd("VDIM", "k0"), 2)

    def test_memory_usage(self):
        self.vadd("small", "a", *range(1, 33))
        small = self.cmd("MEMORY", "USAGE", "small")
        args = ["VADD_BATCH", "big", "DIM", "32"]
        for i in range(2000):
            args += ["e%d" % i] + [str(i + 1 + j) for j in range(32)]
        self.assertEqual(self.cmd(*args), 2000)
        big = self.cmd("MEMORY", "USAGE", "big")
        self.assertGreater(small, 32 * 4)
        self.assertGreater(big, 2000 * (32 * 4 + 32 * 4))   # vectors and level-0 links at least
        self.assertLess(big, 2000 * 4000)
        self.assertLessEqual(self.vinfo("big")["memory"], big)
        self.assertIsNone(self.cmd("MEMORY", "USAGE", "nokey"))

    def test_dump_restore(self):
        self.cmd("VADD_BATCH", "k", "DIM", "3", "a", "1", "2", "3", "b", "-1", "0.5", "0", "c", "0", "0", "1",
                 "gone", "5", "5", "5", "METRIC", "L2", "QUANT", "F16", "M", "8", "EF", "40")
        self.cmd("VREM", "k", "gone")
        payload = self.cmd("DUMP", "k")
        self.assertIsInstance(payload, bytes)
        self.assertEqual(self.cmd("RESTORE", "k2", "0", payload), "OK")
        before, after = self.vinfo("k"), self.vinfo("k2")
        for field in ("metric", "quant", "m", "ef-construction", "dim", "size"):
            self.assertEqual(before[field], after[field], field)
        self.assertEqual(after["free-slots"], 0)   # the graph is rebuilt: no holes
        for name in ("a", "b", "c"):
            self.assertEqual(self.cmd("VGET", "k", name), self.cmd("VGET", "k2", name))
        self.assertIsNone(self.cmd("VGET", "k2", "gone"))
        self.assertEqual(self.cmd("VSIM", "k2", "0", "0", "0.9", "COUNT", "3", "WITHSCORES"),
                         self.cmd("VSIM", "k", "0", "0", "0.9", "COUNT", "3", "WITHSCORES"))
        self.assertEqual(self.cmd("TYPE", "k2"), "vectorset")
        self.assertIsInstance(self.cmd("RESTORE", "k2", "0", payload), RespError)   # BUSYKEY
        self.assertEqual(self.cmd("RESTORE", "k2", "0", payload, "REPLACE"), "OK")
        self.assertIsInstance(self.cmd("RESTORE", "bad", "0", payload[:-12] + b"x" * 12), RespError)
        self.assertEqual(self.cmd("EXISTS", "bad"), 0)

    def test_dump_restore_every_kind(self):
        for metric in ("COSINE", "L2", "IP"):
            for quant in ("F32", "F16", "Q8"):
                key = "%s:%s" % (metric, quant)
                self.cmd("VADD_BATCH", key, "DIM", "2", "a", "1", "2", "b", "3", "-4", "METRIC", metric, "QUANT", quant)
                self.assertEqual(self.cmd("RESTORE", key + ":copy", "0", self.cmd("DUMP", key)), "OK")
                self.assertEqual(self.cmd("VGET", key + ":copy", "b"), self.cmd("VGET", key, "b"), key)
                self.assertEqual(self.vinfo(key + ":copy")["metric"], metric)

    def test_copy_is_deep(self):
        self.cmd("VADD_BATCH", "k", "DIM", "2", "a", "1", "0", "b", "0", "1", "METRIC", "L2")
        self.assertEqual(self.cmd("COPY", "k", "k2"), 1)
        self.assertEqual(self.cmd("COPY", "k", "k2"), 0)
        self.vadd("k2", "c", 1, 1)
        self.cmd("VREM", "k2", "a")
        self.assertEqual(self.cmd("VCARD", "k"), 2)
        self.assertEqual(self.cmd("VCARD", "k2"), 2)
        self.assertEqual(self.cmd("VSIM", "k", "1", "0", "COUNT", "1"), [b"a"])
        self.assertEqual(self.vinfo("k2")["metric"], "L2")
        self.assertEqual(self.cmd("DEL", "k"), 1)
        self.assertEqual(self.cmd("VSIM", "k2", "1", "1", "COUNT", "1"), [b"c"])


class TestResp3(VectorCase):

    def test_shapes(self):
        c = self.s.raw(protocol=3)
        try:
            self.assertEqual(c.execute("VADD", "k", "a", "1", "0"), 1)
            c.execute("VADD", "k", "b", "0", "1")
            reply = c.execute("VSIM", "k", "1", "0", "COUNT", "2", "WITHSCORES")
            self.assertIsInstance(reply, RespMap)
            self.assertEqual([k for k, _ in reply.pairs], [b"a", b"b"])
            self.assertIsInstance(reply[b"a"], RespDouble)
            self.assertAlmostEqual(reply[b"a"], 1.0, places=6)
            self.assertAlmostEqual(reply[b"b"], 0.5, places=6)
            self.assertEqual(c.execute("VSIM", "k", "1", "0", "COUNT", "2"), [b"a", b"b"])
            self.assertEqual(c.execute("VSIM", "nokey", "1", "0", "COUNT", "2", "WITHSCORES"), RespMap([]))
            vget = c.execute("VGET", "k", "a")
            self.assertEqual(vget, [1.0, 0.0])
            self.assertTrue(all(isinstance(x, RespDouble) for x in vget))
            self.assertIs(c.execute("VGET", "k", "nope"), RESP3_NULL)
            self.assertIs(c.execute("VDIM", "nokey"), RESP3_NULL)
            info = c.execute("VINFO", "k")
            self.assertIsInstance(info, RespMap)
            self.assertEqual(info[b"metric"], b"COSINE")
            self.assertEqual(info[b"size"], 2)
            self.assertIs(c.execute("VINFO", "nokey"), RESP3_NULL)
        finally:
            c.close()


class TestConfigAndInfo(VectorCase):

    def tearDown(self):
        self.cmd("CONFIG", "SET", "vector.default-ef", "100")
        self.cmd("CONFIG", "SET", "vector.default-m", "16")
        self.cmd("CONFIG", "SET", "vector.default-ef-construction", "200")
        super().tearDown()

    def test_config(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "vector.default-ef"), [b"vector.default-ef", b"100"])
        self.assertEqual(self.cmd("CONFIG", "GET", "vector.default-m"), [b"vector.default-m", b"16"])
        self.assertEqual(self.cmd("CONFIG", "GET", "vector.default-ef-construction"),
                         [b"vector.default-ef-construction", b"200"])
        self.vadd("old", "a", 1)
        self.assertCmdOk("CONFIG", "SET", "vector.default-ef", "250")
        self.assertCmdOk("CONFIG", "SET", "vector.default-m", "8")
        self.assertCmdOk("CONFIG", "SET", "vector.default-ef-construction", "50")
        self.assertEqual(self.cmd("CONFIG", "GET", "vector.default-ef"), [b"vector.default-ef", b"250"])
        self.vadd("new", "a", 1)
        new, old = self.vinfo("new"), self.vinfo("old")
        self.assertEqual((new["m"], new["ef-construction"], new["ef-search"]), (8, 50, 250))
        self.assertEqual((old["m"], old["ef-construction"], old["ef-search"]), (16, 200, 250))
        for name, bad in (("vector.default-ef", "0"), ("vector.default-m", "1"), ("vector.default-m", "513"),
                          ("vector.default-ef-construction", "x")):
            self.assertIsInstance(self.cmd("CONFIG", "SET", name, bad), RespError, (name, bad))
        self.assertEqual(self.cmd("CONFIG", "GET", "vector.default-m"), [b"vector.default-m", b"8"])

    def test_info_section(self):
        self.cmd("VADD_BATCH", "a", "DIM", "1", "x", "1", "y", "2")
        self.vadd("b", "x", 1)
        text = self.cmd("INFO", "vector").decode()
        self.assertIn("# vector", text.lower())
        fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
        self.assertEqual(fields["vector_keys"], "2")
        self.assertEqual(fields["vector_elements"], "3")
        self.cmd("DEL", "a")
        fields = dict(line.split(":", 1) for line in self.cmd("INFO", "vector").decode().split("\r\n") if ":" in line)
        self.assertEqual((fields["vector_keys"], fields["vector_elements"]), ("1", "1"))


class ShardedCase(VectorCase):
    """Keys spread over every shard: each shard's thread runs its own keys'
    commands, and DEL/FLUSHALL/COPY cross shards."""

    def check_keys_on_every_shard(self):
        keys = ["key:%d" % i for i in range(24)]   # 24 hash slots: every shard gets some
        for i, key in enumerate(keys):
            self.assertEqual(self.cmd("VADD_BATCH", key, "DIM", "2", "a", str(i + 1), "1", "b", "1", str(i + 2)), 2)
        for i, key in enumerate(keys):
            self.assertEqual(self.cmd("VSIM", key, str(i + 1), "1", "COUNT", "1"), [b"a"])
            self.assertEqual(self.cmd("TYPE", key), "vectorset")
        self.assertEqual(self.cmd("DBSIZE"), 24)
        fields = dict(line.split(":", 1) for line in self.cmd("INFO", "vector").decode().split("\r\n") if ":" in line)
        self.assertEqual((fields["vector_keys"], fields["vector_elements"]), ("24", "48"))
        self.assertEqual(self.cmd("COPY", "key:0", "key:1:copy"), 1)
        self.assertEqual(self.cmd("VCARD", "key:1:copy"), 2)
        self.assertEqual(self.cmd("DEL", *keys[:12]), 12)
        self.assertEqual(self.cmd("DBSIZE"), 13)
        self.assertEqual(self.cmd("FLUSHALL"), "OK")
        self.assertEqual(self.cmd("DBSIZE"), 0)


class TestTwoShards(ShardedCase):
    shards = 2

    def test_keys_on_every_shard(self):
        self.check_keys_on_every_shard()


class TestFourShards(ShardedCase):
    shards = 4

    def test_keys_on_every_shard(self):
        self.check_keys_on_every_shard()


@unittest.skipUnless(is_ember(), "ember's module loading")
class TestLoading(unittest.TestCase):

    def test_config_file_and_flags(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("loadmodule = %s\nvector.default-ef = 150\nvector.default-m = 12\n" % VECTOR_SO)
        try:
            with start_server(["--config", f.name, "--vector.default-ef-construction", "80"]) as srv:
                c = srv.raw()
                try:
                    self.assertEqual(c.execute("CONFIG", "GET", "vector.default-ef"), [b"vector.default-ef", b"150"])
                    self.assertEqual(c.execute("VADD", "k", "a", "1"), 1)
                    info = as_dict(c.execute("VINFO", "k"))
                    self.assertEqual((info["m"], info["ef-construction"], info["ef-search"]), (12, 80, 150))
                finally:
                    c.close()
        finally:
            os.unlink(f.name)

    def test_arguments_are_refused(self):
        with self.assertRaises(RuntimeError) as failed:
            start_server(["--loadmodule", VECTOR_SO, "ef=10"])
        self.assertIn("vector takes no arguments", str(failed.exception))


@unittest.skipUnless(is_ember(), "ember's module loading")
class TestWithoutModule(unittest.TestCase):

    def test_unknown_command(self):
        with start_server() as srv:
            c = srv.raw()
            try:
                for cmd in (("VADD", "k", "a", "1"), ("VSIM", "k", "1", "COUNT", "1"), ("VCARD", "k")):
                    reply = c.execute(*cmd)
                    self.assertIsInstance(reply, RespError)
                    self.assertTrue(reply.message.startswith("ERR unknown command"), reply.message)
            finally:
                c.close()


if __name__ == "__main__":
    main()
