"""Seeded randomness, stable hashing and the calendar rules of the simulated world.

Every random choice in the simulator comes from :func:`rng`, a :class:`random.Random` seeded with
a string built from the world seed and a key that names the object being derived (an agency, a
report, a URL).  Python's ``hash()`` of a string is salted per process, so it is never used:
:func:`h64` hashes with BLAKE2b instead.  The deadline rules are written out here on purpose
instead of imported from the crawler (DESIGN §8: a truth that shares code with what it scores
inherits its bugs).
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

EPOCH = date(2008, 1, 1)


def rng(seed: int, *key: object) -> random.Random:
    """A private random generator for one object of the world, e.g. ``rng(7, "agency", 12)``."""
    return random.Random(":".join([str(seed), *map(str, key)]))


def h64(*key: object) -> int:
    """A stable 64-bit hash of the key parts (independent of PYTHONHASHSEED)."""
    data = ":".join(map(str, key)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def hexname(*key: object, length: int = 32) -> str:
    """A stable hexadecimal file name (``length`` hex digits) for an attachment."""
    data = ":".join(map(str, key)).encode("utf-8")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()[:length]


def unit(*key: object) -> float:
    """A stable pseudo-random float in [0, 1) derived from the key."""
    return h64(*key) / 2.0**64


def deadline(kind: str, year: int, township_deadline: str = "02-20") -> date:
    """The statutory publication deadline of the ``year`` report of an agency of ``kind``.

    Reports for 2008–2018 were due by March 31 for every body (2008 Regulations Art. 31).  From
    the 2019 report on, the 本级政府 (``region``) report is due March 31, department reports
    January 31 (2019 Regulations Art. 49), and townships follow the county's local rule.
    """
    if year <= 2018 or kind == "region":
        return date(year + 1, 3, 31)
    if kind == "township":
        month, day = (int(part) for part in township_deadline.split("-"))
        return date(year + 1, month, day)
    return date(year + 1, 1, 31)


def clamp(d: date, low: date, high: date) -> date:
    """``d`` limited to the closed interval [low, high]."""
    return max(low, min(high, d))


def days(n: int) -> timedelta:
    """Shorthand for ``timedelta(days=n)``."""
    return timedelta(days=n)
