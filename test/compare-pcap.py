#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare two PCAP files record by record, exactly, except that records with the same
timestamp may come in another order. Exit 0 when they hold the same records at the same times
(and say how many groups of simultaneous records were reordered), 1 otherwise.

Why the exception: ns-3's distributed simulator queues a packet that arrives from another rank
behind the events its own rank had already queued for the same nanosecond; in one process the
arrival was queued when it was sent, often before them. A device that transmits and receives
at the same nanosecond then writes the two records in the other order (doc/hffm.rst,
"Distributed runs: what is identical")."""
import struct
import sys


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f"{path}: not a PCAP file")
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit(f"{path}: unexpected PCAP magic {magic:#x}")
    out, pos = [], 24
    while pos < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        out.append(((sec, usec), data[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return data[:24], out


def groups(recs):
    """Consecutive records of one timestamp, as a sorted list."""
    out, i = [], 0
    while i < len(recs):
        j = i
        while j < len(recs) and recs[j][0] == recs[i][0]:
            j += 1
        out.append((recs[i][0], sorted((r[1], r[2]) for r in recs[i:j]),
                    [(r[1], r[2]) for r in recs[i:j]]))
        i = j
    return out


a_head, a = records(sys.argv[1])
b_head, b = records(sys.argv[2])
if a_head != b_head:
    sys.exit(f"FAIL: {sys.argv[2]}: another PCAP header")
ga, gb = groups(a), groups(b)
if len(a) != len(b) or len(ga) != len(gb):
    sys.exit(f"FAIL: {sys.argv[2]}: {len(b)} records against {len(a)}")
reordered = 0
for (ta, sa, oa), (tb, sb, ob) in zip(ga, gb):
    if ta != tb or sa != sb:
        sys.exit(f"FAIL: {sys.argv[2]}: records at {tb[0]}.{tb[1]:06d} s differ from those "
                 f"at {ta[0]}.{ta[1]:06d} s")
    reordered += oa != ob
print(f"{sys.argv[2]}: {len(a)} records equal; {reordered} groups of simultaneous records "
      "in another order")
