#!/usr/bin/env python3
"""Publish Bybit's recorded order-book stream as a Bourse remote feed, in the JSON encoding.

Reads the JSON lines of Bybit's topic orderbook.<depth>.<symbol> (the .zip that Bybit publishes,
or the file inside it) and sends one JSON object per message on a ZeroMQ XPUB socket, with the
symbol as the topic, as docs/feeds.md describes. Prices and sizes become integers in units of
10^-decimals, where decimals is the most any value of the file has; the conversion uses Decimal,
never a binary float. The bridge has no snapshot endpoint: Bybit's own snapshots go out as book
messages, and a subscriber that finds a gap waits for the next one.

Requires pyzmq (Debian package python3-zmq). Example:

    examples/bybit_feed_bridge.py --from bybit_xrpusdt-ob500.data.zip --bind tcp://127.0.0.1:5700
    bourse-engine listen --connect tcp://127.0.0.1:5700 --snapshot none --json
"""

import argparse
import json
import random
import sys
import time
import zipfile
from decimal import Decimal

import zmq


def read_messages(path):
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            text = archive.read(archive.namelist()[0]).decode("utf-8")
    else:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def decimals_of(text):
    return len(text.split(".", 1)[1]) if "." in text else 0


def to_units(text, decimals):
    return int(Decimal(text).scaleb(decimals))


def wait_for_subscriber(socket, milliseconds):
    """Wait until a subscription reaches the XPUB socket, so the first messages are not lost."""
    deadline = time.monotonic() + milliseconds / 1000
    while time.monotonic() < deadline:
        if socket.poll(50) and socket.recv()[:1] == b"\x01":
            return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", required=True, help="Bybit .zip or JSON lines")
    parser.add_argument("--bind", required=True, help="XPUB endpoint, such as tcp://127.0.0.1:*")
    parser.add_argument("--speed", default="max", help="market time per wall second, or max")
    parser.add_argument("--drop-every", type=int, default=0, help="drop every Nth message")
    parser.add_argument("--wait-ms", type=int, default=0, help="wait for a subscriber first")
    parser.add_argument("--linger-ms", type=int, default=2000, help="heartbeats after the end")
    args = parser.parse_args()

    messages = read_messages(args.source)
    levels = [level for m in messages for side in ("b", "a") for level in m["data"][side]]
    price_decimals = max(decimals_of(price) for price, _ in levels)
    size_decimals = max(decimals_of(size) for _, size in levels)
    symbol = messages[0]["data"]["s"]
    session = random.getrandbits(63) | 1

    socket = zmq.Context.instance().socket(zmq.XPUB)
    socket.setsockopt(zmq.XPUB_NODROP, 1)
    socket.setsockopt(zmq.LINGER, 1000)
    socket.bind(args.bind)
    print("feed", socket.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    if args.wait_ms:
        wait_for_subscriber(socket, args.wait_ms)

    def send(body, sequence):
        message = {"session": session, "sequence": sequence, **body}
        socket.send_multipart([symbol.encode(), json.dumps(message).encode()])

    send({"type": "instrument", "depth": "levels", "price_decimals": price_decimals,
          "size_decimals": size_decimals, "tick": 1, "lot": 1}, 0)
    started = time.monotonic()
    sequence = 0
    for message in messages:
        if args.speed != "max":
            due = started + (message["ts"] - messages[0]["ts"]) / 1000 / float(args.speed)
            time.sleep(max(0.0, due - time.monotonic()))
        sides = {}
        for name, key, best_first in (("bids", "b", True), ("asks", "a", False)):
            sides[name] = sorted(([to_units(price, price_decimals), to_units(size, size_decimals)]
                                  for price, size in message["data"][key]), reverse=best_first)
        sequence += 1
        if args.drop_every and sequence % args.drop_every == 0:
            continue
        if message["type"] == "snapshot":
            # A snapshot replaces the book; it includes every message up to its own number.
            body = {"type": "book", **sides}
        else:
            body = {"type": "update", "time": message["ts"] * 1_000_000, **sides}
        send(body, sequence)

    # Heartbeats name the last sequence number, so a lost last message is noticed.
    for _ in range(max(1, args.linger_ms // 200)):
        send({"type": "heartbeat"}, sequence)
        time.sleep(0.2)
    print("sent", sequence, "messages", file=sys.stderr)


if __name__ == "__main__":
    main()
