#!/usr/bin/env python3
"""Independent client for the bench fixture protocol, written from
docs/bench-fixture-protocol.md alone (no look at the harness code).

Usage:  python3 harness/bench/tests/doc_client.py /dev/pts/N [--quick] [--baud=N]

It opens the fixture's serial port (a pseudo-terminal of fixture-sim, or a
real board), exercises every request and every error case the document
defines, and prints one line per check:  PASS, FAIL, SKIP or INFO.
Exit status 0 when no check failed, 1 otherwise, 2 on a usage error.

Every expectation cites the section of the document it comes from.
--quick skips the 11-second silence check (§5, "Heartbeat"); --baud=N sets
another speed than 115200 (§1; a pseudo-terminal ignores it).

Standard library only (os, termios, select, time, sys, re).
"""

import os
import re
import select
import sys
import termios
import time

MAX_LINE = 126  # §2: characters before CR LF
QUICK, MOTION, RESET = "quick", "motion", "reset"
# §5: (the fixture answers within, the host gives up after), seconds
TIMES = {QUICK: (0.5, 2.0), MOTION: (10.0, 15.0), RESET: (20.0, 30.0)}
ERRORS = {  # §6
    1: "bad-request", 2: "bad-argument", 3: "line-too-long", 4: "busy",
    5: "not-supported", 6: "no-such-slot", 7: "no-such-station",
    8: "slot-empty", 9: "station-occupied", 10: "lid-open",
    11: "motion-failed", 12: "hardware-fault", 13: "not-ready",
    14: "no-such-scene",
}
FIELD_NAME = re.compile(r"^[a-z0-9-]+$")
FIELD_VALUE = re.compile(r"^[\x21-\x3c\x3e-\x7e]{1,40}$")  # printable, no space, no '='
ID = re.compile(r"^(0|[1-9][0-9]{0,4})$")


class Failures:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, seen=""):
        if ok:
            self.passed += 1
            print("PASS", what)
        else:
            self.failed += 1
            print("FAIL", what, "-- saw:", seen)
        return ok

    @staticmethod
    def info(what):
        print("INFO", what)

    @staticmethod
    def skip(what):
        print("SKIP", what)


R = Failures()


class Response:
    def __init__(self, raw):
        self.raw = raw
        words = raw.split(" ")
        self.id = int(words[0]) if ID.match(words[0]) else None
        self.ok = len(words) > 1 and words[1] == "OK"
        self.err = len(words) > 1 and words[1] == "ERR"
        self.fields = {}
        self.code = None
        self.name = None
        if self.ok:
            for w in words[2:]:
                if "=" in w:
                    k, v = w.split("=", 1)
                    self.fields[k] = v
        elif self.err and len(words) >= 4 and words[2].isdigit():
            self.code = int(words[2])
            self.name = words[3]

    def __repr__(self):
        return repr(self.raw)


class Fixture:
    """The host side: one request at a time (§3), responses matched by id."""

    def __init__(self, path, baud=115200):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        attrs = termios.tcgetattr(self.fd)
        # raw 8N1, no flow control, 115200 (§1)
        attrs[0] = 0  # iflag: no ICRNL, no IXON
        attrs[1] = 0  # oflag: no ONLCR
        attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
        attrs[3] = 0  # lflag: no ICANON, no ECHO
        attrs[4] = attrs[5] = getattr(termios, f"B{baud}")
        attrs[6][termios.VMIN] = 0
        attrs[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.buf = b""
        self.events = []
        self.notes = []
        self.next_id = 1

    def write(self, data):
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def read_line(self, timeout):
        """One line from the fixture without its CR LF, or None on timeout.
        Checks §2 (CR LF, printable ASCII, length) on every line."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    R.check(False, "§1 port stays open", "port closed (EOF)")
                    raise SystemExit(1)
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\n", 1)
        if not raw.endswith(b"\r"):
            R.check(False, "§2 fixture ends every line with CR LF", raw + b"\n")
        else:
            raw = raw[:-1]
        if not all(0x20 <= b <= 0x7E for b in raw):
            R.check(False, "§2 fixture sends printable ASCII only", raw)
        if len(raw) > MAX_LINE:
            R.check(False, "§2 fixture lines are at most 126 characters", raw)
        return raw.decode("ascii", "replace")

    def next_response(self, timeout):
        """Skips (and records) events and notes; returns the next response or
        None on timeout. Empty lines are ignored (§2)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None:
                return None
            if line == "":
                continue
            if line.startswith("EVT "):
                self.events.append(line)
                check_event(line)
                continue
            if line.startswith("#"):
                self.notes.append(line)
                continue
            if line[:1].isdigit():
                return Response(line)
            R.check(False, "§3 every fixture line is a response, event or note", line)

    def drain(self, quiet=0.3):
        """Reads until the fixture is quiet; returns the responses seen."""
        out = []
        while True:
            r = self.next_response(quiet)
            if r is None:
                return out
            out.append(r)

    def take_id(self):
        i = self.next_id
        self.next_id = 1 if i == 65535 else i + 1
        return i

    def request(self, text, cls=QUICK):
        """Sends `id text` CR LF, waits for the response with that id.
        Returns (response or None, seconds)."""
        rid = self.take_id()
        self.write(f"{rid} {text}\r\n".encode("ascii"))
        return self.await_id(rid, text, cls)

    def await_id(self, rid, text, cls):
        start = time.monotonic()
        answer_within, give_up = TIMES[cls]
        r = self.next_response(give_up)
        took = time.monotonic() - start
        if r is None:
            R.check(False, f"§5 {cls} request `{text}` answered within {give_up} s", "timeout")
            return None, took
        R.check(r.id == rid, f"§3 response to `{rid} {text}` carries id {rid}", r)
        R.check(r.ok or r.err, f"§3 response to `{text}` is OK or ERR", r)
        if r.err:
            R.check(r.code in ERRORS and r.name == ERRORS[r.code],
                    f"§6 `{text}`: ERR code and name belong together", r)
        if r.ok:
            for k, v in r.fields.items():
                R.check(FIELD_NAME.match(k) and FIELD_VALUE.match(v),
                        f"§3 field {k}={v} has a valid name and value", r)
            for w in r.raw.split(" ")[2:]:
                R.check("=" in w, f"§3 every word after OK is a field (`{text}`)", r)
        R.check(took <= answer_within,
                f"§5 {cls} request `{text}` answered within {answer_within} s "
                f"(took {took:.3f} s)", r)
        return r, took

    def raw_exchange(self, data, what, timeout=TIMES[QUICK][1]):
        """Sends raw bytes, returns the first response (None if none)."""
        self.write(data)
        return self.next_response(timeout)


def check_event(line):
    words = line.split(" ")
    kind = words[1] if len(words) > 1 else ""
    if kind == "BOOT":
        R.check("proto=1" in words[2:], "§7 EVT BOOT carries proto=1", line)
    elif kind == "CARD":
        R.check(len(words) == 4 and words[2] in ("PRESENT", "ABSENT")
                and re.match(r"^station=[1-9][0-9]*$", words[3]),
                "§7 EVT CARD PRESENT|ABSENT station=n", line)
    elif kind == "LID":
        R.check(len(words) == 3 and words[2] in ("OPEN", "CLOSED"),
                "§7 EVT LID OPEN|CLOSED", line)
    elif kind == "FAULT":
        ok = len(words) >= 4 and words[2].isdigit() and ERRORS.get(int(words[2])) == words[3]
        R.check(ok, "§7 EVT FAULT code name [detail]", line)
    else:
        R.info(f"§7 unknown event kind ignored: {line}")


def expect_err(fx, text, code, cls=QUICK, why=""):
    r, _ = fx.request(text, cls)
    R.check(r is not None and r.err and r.code == code and r.name == ERRORS[code],
            f"§6 `{text}` -> ERR {code} {ERRORS[code]}{' (' + why + ')' if why else ''}", r)
    return r


def expect_ok(fx, text, cls=QUICK, fields=None):
    r, _ = fx.request(text, cls)
    good = r is not None and r.ok
    R.check(good, f"§4 `{text}` -> OK", r)
    if good and fields:
        for k, v in fields.items():
            R.check(r.fields.get(k) == v, f"§4 `{text}` answers {k}={v}", r)
    return r


def expect_raw(fx, data, rid, code, what):
    r = fx.raw_exchange(data, what)
    R.check(r is not None and r.id == rid and r.err and r.code == code
            and r.name == ERRORS[code],
            f"{what} -> `{rid} ERR {code} {ERRORS[code]}`", r)
    return r


def sensors(fx, station):
    r, _ = fx.request(f"SENSORS {station}")
    if r is None or not r.ok:
        R.check(False, f"§4 `SENSORS {station}` -> OK", r)
        return {}
    return r.fields


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    quick = "--quick" in sys.argv
    baud = [int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--baud=")]
    fx = Fixture(args[0], baud[0] if baud else 115200)
    # §1/§8: throw away whatever arrived before our first request.
    time.sleep(0.2)
    fx.drain(0.2)

    # ---- §4 ID ----------------------------------------------------------
    r = expect_ok(fx, "ID")
    if r is None or not r.ok:
        return 1
    f = r.fields
    for k in ("maker", "model", "fw", "proto", "slots", "stations", "caps"):
        R.check(k in f, f"§4 ID answers field {k}", r)
    R.check(f.get("proto") == "1", "§4 ID proto=1", r)
    slots = int(f.get("slots", "0"))
    stations = int(f.get("stations", "0"))
    caps = set() if f.get("caps") == "none" else set(f.get("caps", "").split(","))
    R.check(1 <= slots <= 255 and 1 <= stations <= 255, "§4 slots and stations are 1-255", r)
    R.check(caps <= {"place", "camera", "display", "card-sensor", "lid"},
            "§4 caps are from the table, or `none`", r)
    R.info(f"fixture: slots={slots} stations={stations} caps={sorted(caps)}")

    # ---- §4 PING, §3 id echo and wrap ----------------------------------
    expect_ok(fx, "PING")
    r, _ = fx.request("PING")
    R.check(r is not None and r.raw == f"{r.id} OK", "§4 PING answers `id OK` with no fields", r)
    r = fx.raw_exchange(b"65535 PING\r\n", "id 65535")
    R.check(r is not None and r.raw == "65535 OK", "§3 id 65535 is copied into the response", r)
    r = fx.raw_exchange(b"1 PING\r\n", "id wraps to 1")
    R.check(r is not None and r.raw == "1 OK", "§3 after 65535 the id wraps to 1", r)

    # ---- §8 RESET, then the state it promises ---------------------------
    expect_ok(fx, "RESET", RESET)
    for st in range(1, stations + 1):
        s = sensors(fx, st)
        R.check(s.get("station") == str(st), f"§4 SENSORS {st}: station={st}", s)
        for k in ("card", "slot", "lid", "camera", "display"):
            R.check(k in s, f"§4 SENSORS {st} has field {k}", s)
        R.check(s.get("card") in ("absent", "unknown"), f"§8 after RESET station {st} card=absent|unknown", s)
        R.check(s.get("slot") == "none", f"§4 after RESET station {st} slot=none", s)
        R.check(s.get("camera") in ("on", "unknown"), f"§4 after RESET station {st} camera=on", s)
        R.check(s.get("display") in ("blank", "unknown"), f"§4 after RESET station {st} display=blank", s)
        R.check(s.get("lid") in ("open", "closed", "unknown"), f"§4 SENSORS {st} lid=open|closed|unknown", s)
        if "card-sensor" not in caps:
            R.check(s.get("card") == "unknown", f"§4 card=unknown without card-sensor", s)
        if "lid" not in caps:
            R.check(s.get("lid") == "unknown", f"§4 lid=unknown without lid", s)
        if "camera" not in caps:
            R.check(s.get("camera") == "unknown", f"§4 camera=unknown without camera", s)
        if "display" not in caps:
            R.check(s.get("display") == "unknown", f"§4 display=unknown without display", s)
    r, _ = fx.request("SENSORS")
    R.check(r is not None and r.ok and r.fields.get("station") == "1",
            "§4 `SENSORS` without station defaults to station 1", r)

    # ---- station and argument errors common to every station request ----
    bad_station = stations + 1
    expect_err(fx, f"SENSORS {bad_station}", 7, why="station out of range")
    expect_err(fx, "SENSORS 0", 7, why="stations count from 1")
    expect_err(fx, "SENSORS 256", 7, why="a well-formed number of any size")
    expect_err(fx, "SENSORS 99999999999999999999", 7, why="a well-formed number of any size")
    expect_err(fx, "SENSORS 01", 2, why="leading zero: wrong form")
    expect_err(fx, "SENSORS -1", 2, why="sign: wrong form")
    expect_err(fx, "SENSORS x", 2)
    expect_err(fx, "SENSORS 1 1", 2, why="one argument too many")
    expect_err(fx, "PING 1", 2, why="PING takes no argument")
    expect_err(fx, "ID 1", 2, why="ID takes no argument")
    expect_err(fx, "RESET 1", 2, RESET, why="RESET takes no argument")

    # ---- §4 CAMERA ------------------------------------------------------
    if "camera" in caps:
        expect_ok(fx, "CAMERA OFF 1", fields={"camera": "off"})
        R.check(sensors(fx, 1).get("camera") == "off", "§4 SENSORS shows camera=off", "")
        expect_ok(fx, "CAMERA ON 1", fields={"camera": "on"})
        expect_ok(fx, "CAMERA OFF", fields={"camera": "off"})
        R.check(sensors(fx, 1).get("camera") == "off", "§4 `CAMERA OFF` defaults to station 1", "")
        expect_ok(fx, "CAMERA ON", fields={"camera": "on"})
        if stations >= 2:
            expect_ok(fx, f"CAMERA OFF {stations}", fields={"camera": "off"})
            R.check(sensors(fx, 1).get("camera") == "on", "§4 CAMERA acts on its station only", "")
            expect_ok(fx, f"CAMERA ON {stations}", fields={"camera": "on"})
        expect_err(fx, "CAMERA MAYBE", 2)
        expect_err(fx, "CAMERA MAYBE 1", 2)
        expect_err(fx, "CAMERA", 2)
        expect_err(fx, "CAMERA on 1", 2, why="fixed words are case-sensitive")
        expect_err(fx, "CAMERA ON 1 1", 2)
        expect_err(fx, f"CAMERA ON {bad_station}", 7)
    else:
        expect_err(fx, "CAMERA ON 1", 5)
        expect_err(fx, "CAMERA MAYBE 1", 2, why="§6 order: form before capability")

    # ---- §4 SHOW --------------------------------------------------------
    if "display" in caps:
        expect_ok(fx, "SHOW BLANK 1", fields={"display": "blank"})
        expect_ok(fx, "SHOW BLANK", fields={"display": "blank"})
        r, _ = fx.request("SHOW SCENE bandage 1")
        if r is not None and r.ok:
            R.check(r.fields.get("display") == "scene:bandage", "§4 SHOW SCENE -> display=scene:name", r)
            R.check(sensors(fx, 1).get("display") == "scene:bandage", "§4 SENSORS shows display=scene:bandage", "")
        else:
            R.check(r is not None and r.code == 14, "§4 SHOW SCENE bandage: OK or ERR 14", r)
            R.info("fixture has no scene `bandage`")
        expect_err(fx, "SHOW SCENE no-such-scene.x_1 1", 14, why="well-formed but unknown name")
        expect_err(fx, "SHOW SCENE Bandage 1", 2, why="scene names are a-z 0-9 - _ .")
        expect_err(fx, "SHOW SCENE " + "a" * 33 + " 1", 2, why="scene names are 1-32 characters")
        expect_err(fx, "SHOW SCENE", 2)
        r, _ = fx.request("SHOW FRAME 0 1")
        R.check(r is not None and ((r.ok and r.fields.get("display") == "frame:0") or r.code == 14),
                "§4 SHOW FRAME 0 -> display=frame:0 or ERR 14", r)
        if r is not None and r.ok:
            R.check(sensors(fx, 1).get("display") == "frame:0", "§4 SENSORS shows display=frame:0", "")
        r, _ = fx.request("SHOW FRAME 65535 1")
        R.check(r is not None and ((r.ok and r.fields.get("display") == "frame:65535") or r.code == 14),
                "§4 SHOW FRAME 65535 -> display=frame:65535 or ERR 14", r)
        expect_err(fx, "SHOW FRAME 65536 1", 2, why="frames are 0-65535")
        expect_err(fx, "SHOW FRAME x 1", 2)
        expect_err(fx, "SHOW FRAME", 2)
        expect_err(fx, "SHOW", 2)
        expect_err(fx, "SHOW PICTURE 1", 2)
        expect_err(fx, f"SHOW BLANK {bad_station}", 7)
        expect_err(fx, f"SHOW SCENE no-such-scene.x_1 {bad_station}", 7,
                   why="§6 order: station before scene")
        expect_err(fx, "SHOW BLANK 1 1", 2)
        expect_ok(fx, "SHOW BLANK 1", fields={"display": "blank"})
    else:
        expect_err(fx, "SHOW BLANK 1", 5)
        expect_err(fx, "SHOW PICTURE 1", 2, why="§6 order: form before capability")
        expect_err(fx, f"SHOW BLANK {bad_station}", 5, why="§6 order: capability before station")

    # ---- §4 PLACE / REMOVE ----------------------------------------------
    placed = None
    if "place" in caps:
        n_ev = len(fx.events)
        r, _ = fx.request("PLACE 1 1", MOTION)
        if r is not None and r.ok:
            placed = 1
            R.check(r.fields.get("slot") == "1" and r.fields.get("station") == "1",
                    "§4 PLACE 1 1 -> OK slot=1 station=1", r)
            s = sensors(fx, 1)
            R.check(s.get("slot") == "1", "§4 SENSORS after PLACE: slot=1", s)
            if "card-sensor" in caps:
                R.check(s.get("card") == "present", "§4 SENSORS after PLACE: card=present", s)
                fx.drain(0.2)
                R.check("EVT CARD PRESENT station=1" in fx.events[n_ev:],
                        "§7 PLACE with card-sensor sends EVT CARD PRESENT station=1", fx.events[n_ev:])
            expect_err(fx, "PLACE 1 1", 8, MOTION,
                       why="§6 order: slot-empty before station-occupied")
            if slots >= 2:
                r, _ = fx.request("PLACE 2 1", MOTION)
                R.check(r is not None and r.err and r.code in (8, 9),
                        "§6 PLACE 2 1 onto an occupied reader -> ERR 9 (or 8 if slot 2 is empty)", r)
            if stations >= 2:
                expect_err(fx, "PLACE 1 2", 8, MOTION, why="slot 1's card is on station 1")
            n_ev = len(fx.events)
            r, _ = fx.request("REMOVE 1", MOTION)
            R.check(r is not None and r.ok and r.fields.get("slot") == "1" and r.fields.get("station") == "1",
                    "§4 REMOVE 1 -> OK slot=1 station=1", r)
            s = sensors(fx, 1)
            R.check(s.get("slot") == "none", "§4 SENSORS after REMOVE: slot=none", s)
            if "card-sensor" in caps:
                fx.drain(0.2)
                R.check("EVT CARD ABSENT station=1" in fx.events[n_ev:],
                        "§7 REMOVE with card-sensor sends EVT CARD ABSENT station=1", fx.events[n_ev:])
        elif r is not None and r.err:
            R.info(f"PLACE 1 1 refused: {r.raw} (the checks needing a placed card are skipped)")
            R.check(r.code in (8, 10, 11, 12, 13), "§6 PLACE 1 1 refused with a motion error", r)
        r = expect_ok(fx, "REMOVE 1", MOTION, fields={"slot": "none", "station": "1"})
        expect_ok(fx, "REMOVE", MOTION, fields={"slot": "none", "station": "1"})
        _, took = fx.request("REMOVE 1", MOTION)
        R.check(took <= TIMES[QUICK][0], f"§3 REMOVE with no card is answered at once ({took:.3f} s)")
        expect_err(fx, f"PLACE {slots + 1} 1", 6, MOTION, why="slot out of range")
        expect_err(fx, "PLACE 0 1", 6, MOTION, why="slots count from 1")
        expect_err(fx, "PLACE 256 1", 6, MOTION, why="a well-formed number of any size")
        expect_err(fx, f"PLACE {slots + 1} {bad_station}", 7, MOTION,
                   why="§6 order: station before slot")
        expect_err(fx, "PLACE 01 1", 2, MOTION, why="leading zero: wrong form")
        _, took = fx.request("PLACE 0 1", MOTION)
        R.check(took <= TIMES[QUICK][0], f"§3 a refused PLACE is answered at once ({took:.3f} s)")
        expect_err(fx, f"PLACE 1 {bad_station}", 7, MOTION)
        expect_err(fx, "PLACE x", 2, MOTION)
        expect_err(fx, "PLACE", 2, MOTION)
        expect_err(fx, "PLACE 1 1 1", 2, MOTION)
        expect_err(fx, f"REMOVE {bad_station}", 7, MOTION)
        expect_err(fx, "REMOVE x", 2, MOTION)
        expect_err(fx, "REMOVE 1 1", 2, MOTION)
    else:
        expect_err(fx, "PLACE 1 1", 5, MOTION)
        expect_err(fx, "REMOVE 1", 5, MOTION)
        expect_err(fx, "PLACE x 1", 2, MOTION, why="§6 order: form before capability")
        expect_err(fx, f"REMOVE {bad_station}", 5, MOTION, why="§6 order: capability before station")

    # ---- §3 one request at a time: busy ---------------------------------
    if placed:
        rid1, rid2 = fx.take_id(), fx.take_id()
        fx.write(f"{rid1} PLACE 1 1\r\n{rid2} PING\r\n".encode())
        got = [fx.next_response(TIMES[MOTION][1]), fx.next_response(TIMES[MOTION][1])]
        ids = [g.id if g else None for g in got]
        R.check(sorted(i for i in ids if i) == sorted([rid1, rid2]),
                "§3 both overlapping requests are answered", got)
        by_id = {g.id: g for g in got if g}
        ping = by_id.get(rid2)
        place = by_id.get(rid1)
        if ids[0] == rid2:
            R.check(ping.err and ping.code == 4, "§3 request during a motion -> ERR 4 busy", ping)
        else:
            R.info("PLACE finished before the PING was read; busy not observable")
        R.check(place is not None and place.ok, "§3 the first request carries on after busy", place)
        rid1, rid2 = fx.take_id(), fx.take_id()
        fx.write(f"{rid1} REMOVE 1\r\n{rid2} FLY\r\nhello\r\n".encode())
        got = [fx.next_response(TIMES[MOTION][1]) for _ in range(3)]
        by_id = {g.id: g for g in got if g}
        R.check(set(by_id) == {rid1, rid2, 0}, "§3 three lines, three responses", got)
        if got[0] is not None and got[0].id != rid1:
            fly, no_id = by_id.get(rid2), by_id.get(0)
            R.check(fly is not None and fly.code == 4,
                    "§3 a line with a readable id during a motion is busy, whatever its verb", fly)
            R.check(no_id is not None and no_id.code == 1,
                    "§3 a line without id during a motion gets `0 ERR 1` as ever", no_id)
        R.check(by_id.get(rid1) is not None and by_id[rid1].ok, "§3 REMOVE carries on", got)

    # ---- §2 lines ---------------------------------------------------------
    i = fx.take_id()
    r = fx.raw_exchange(f"{i} PING\n".encode(), "bare LF")
    R.check(r is not None and r.raw == f"{i} OK", "§2 a bare LF ends a line", r)
    fx.write(b"\r\n\n")
    i = fx.take_id()
    r = fx.raw_exchange(f"{i} PING\r\n".encode(), "after empty lines")
    R.check(r is not None and r.raw == f"{i} OK", "§2 empty lines are ignored (no answer)", r)
    i = fx.take_id()
    r = fx.raw_exchange(f"{i}  PING   \r\n".encode(), "spaces")
    R.check(r is not None and r.raw == f"{i} OK",
            "§2 several spaces between words and spaces at the end are accepted", r)
    expect_raw(fx, f" {fx.take_id()} PING\r\n".encode(), 0, 1, "§2 a line starting with a space")
    expect_raw(fx, b"   \r\n", 0, 1, "§2 a line of spaces is not empty")
    expect_raw(fx, b"+5 PING\r\n", 0, 1, "§3 id with a sign")
    expect_raw(fx, b"hello\r\n", 0, 1, "§2/§6 `hello` (no id)")
    expect_raw(fx, b"x1 PING\r\n", 0, 1, "§6 unreadable id")
    expect_raw(fx, b"0 PING\r\n", 0, 1, "§3 id 0 is never sent by the host")
    expect_raw(fx, b"65536 PING\r\n", 0, 1, "§3 id above 65535")
    expect_raw(fx, b"007 PING\r\n", 0, 1, "§3 id with leading zeros")
    i = fx.take_id()
    expect_raw(fx, f"{i} FLY 1\r\n".encode(), i, 1, "§6 unknown verb")
    i = fx.take_id()
    expect_raw(fx, f"{i} ping\r\n".encode(), i, 1, "§2 verbs are case-sensitive")
    i = fx.take_id()
    expect_raw(fx, f"{i}\r\n".encode(), i, 1, "§6 id without verb")
    expect_raw(fx, b"5 PI\tNG\r\n", 0, 1, "§2 tab in a line")
    expect_raw(fx, b"5 PING\x80\r\n", 0, 1, "§2 byte 0x80 in a line")
    expect_raw(fx, b"5 PING\x01\r\n", 0, 1, "§2 control byte in a line")
    expect_raw(fx, b"5 PING\r6 PING\r\n", 0, 1, "§2 CR not followed by LF")
    expect_raw(fx, b"\r\r\n", 0, 1, "§2 a line of a lone CR (CR not followed by LF)")
    expect_raw(fx, b"5 PI\xc3\xa9NG\r\n", 0, 1, "§2 UTF-8 is not ASCII")
    # §2 length: 126 characters are a line, 127 are too long.
    i = fx.take_id()
    head = f"{i} PING "
    line126 = head + "x" * (MAX_LINE - len(head))
    assert len(line126) == MAX_LINE
    expect_raw(fx, (line126 + "\r\n").encode(), i, 2,
               "§2 a 126-character line is read (PING with an argument)")
    i = fx.take_id()
    head = f"{i} PING "
    line127 = head + "x" * (MAX_LINE + 1 - len(head))
    expect_raw(fx, (line127 + "\r\n").encode(), 0, 3, "§2 a 127-character line")
    expect_raw(fx, (line127 + "\n").encode(), 0, 3, "§2 a 127-character line ended by a bare LF")
    i = fx.take_id()
    head = f"{i} PING "
    line125 = head + "x" * (MAX_LINE - 1 - len(head))
    expect_raw(fx, (line125 + "\r\r\n").encode(), 0, 1,
               "§2 125 characters and a stray CR: 126 bytes, invalid byte")
    expect_raw(fx, (line126 + "\r\r\n").encode(), 0, 3,
               "§2 126 characters and a stray CR: 127 bytes, too long first")
    expect_raw(fx, (line127[:-1] + "\t\r\n").encode(), 0, 3,
               "§2 too long and an invalid byte: line-too-long")
    fx.write(b"9 PING " + b"y" * 1000 + b"\r\n")
    got = fx.drain(0.5)
    R.check(len(got) == 1 and got[0].raw.startswith("0 ERR 3 line-too-long"),
            "§2 a 1000-byte line is thrown away up to LF, answered once with `0 ERR 3`", got)
    i = fx.take_id()
    r = fx.raw_exchange(f"{i} PING\r\n".encode(), "after long line")
    R.check(r is not None and r.raw == f"{i} OK", "§2 the line after a long line is read", r)

    # ---- §5 heartbeat: idle fixture keeps cards where they are ----------
    if quick:
        R.skip("§5 11 s silence check (--quick)")
    else:
        if placed:
            expect_ok(fx, "PLACE 1 1", MOTION)
        if "display" in caps:
            fx.request("SHOW BLANK 1")
            fx.request("SHOW FRAME 0 1")
        if "camera" in caps:
            expect_ok(fx, "CAMERA OFF 1")
        before = sensors(fx, 1)
        time.sleep(11)
        fx.drain(0.2)
        after = sensors(fx, 1)
        R.check(before == after,
                "§5 after 11 s of host silence the fixture has changed nothing on its own",
                f"{before} -> {after}")
        if placed:
            expect_ok(fx, "REMOVE 1", MOTION)
        if "camera" in caps:
            expect_ok(fx, "CAMERA ON 1")

    # ---- §4 RESET brings everything back ---------------------------------
    if placed:
        expect_ok(fx, "PLACE 1 1", MOTION)
    if "camera" in caps:
        expect_ok(fx, "CAMERA OFF 1")
    if "display" in caps:
        fx.request("SHOW FRAME 0 1")
    n_ev = len(fx.events)
    expect_ok(fx, "RESET", RESET)
    if placed and "card-sensor" in caps:
        fx.drain(0.2)
        R.check("EVT CARD ABSENT station=1" in fx.events[n_ev:],
                "§7 RESET lifting a card sends EVT CARD ABSENT station=1", fx.events[n_ev:])
    s = sensors(fx, 1)
    R.check(s.get("slot") == "none", "§4 RESET brings every card back", s)
    if "camera" in caps:
        R.check(s.get("camera") == "on", "§4 RESET switches every camera on", s)
    if "display" in caps:
        R.check(s.get("display") == "blank", "§4 RESET blanks every display", s)
    fx.drain(0.3)

    print(f"events seen: {fx.events}")
    print(f"notes seen: {len(fx.notes)}")
    print(f"{R.passed} passed, {R.failed} failed")
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
