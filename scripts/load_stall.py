#!/usr/bin/env python3
"""Can one visitor stall `gridatlas serve`? Starts the server on the sample on loopback and measures what a logged-in
officer sees while someone without an account attacks it, then a wrk load run. Bounded in count and time (about two
minutes); prints each figure; exits 1 when a target is missed (p99 <= 50 ms, 0 errors, RSS flat).

  scripts/load_stall.py [build dir]        (default: build)
  env: PROBE_SECONDS   seconds of probing per attack (default 10)    WRK_SECONDS (default 20)
       SERVE_ARGS      extra arguments for `gridatlas serve` in phases a and b (default none)
       SERVE_ARGS_WRK  extra arguments in phase c (default "--max-requests-per-second 0 --max-connections-per-address
                       128": wrk's 64 connections come from one address, which the per-address limits exist to stop)

The attackers connect from 127.0.0.1, the officer's probe from 127.0.0.2 (another machine, as on an office network).
  a. 64 concurrent wrong-password logins, repeated, while the officer's browser asks for /api/me and a warm tile.
  b. 64 clients sending their request headers one byte a second, plus 16 idle keep-alive connections, same probe.
  c. wrk, 64 connections for WRK_SECONDS on warm tiles, then on the officer's API: timeouts, non-2xx, p99, RSS; and how
     long the server took to prepare the officer's answers after the login (from its log).
Needs: wrk (apt-get install wrk), ogrinfo (gdal-bin), a built gridatlas.
"""
import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "Load-Stall-Password-1"
PROBE_FROM, ATTACK_FROM = "127.0.0.2", "127.0.0.1"
TIMEOUT = 5.0
failures = []


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Http:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams, bound to a source address."""

    def __init__(self, port, source):
        self.port, self.source, self.reader, self.writer = port, source, None, None

    async def close(self):
        if self.writer:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def _once(self, method, path, headers, body):
        if not self.writer:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.source, 0))
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write((head + "\r\n").encode() + (body or b""))
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdr = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                hdr[k.strip().lower()] = v.strip()
        data = await self.reader.readexactly(int(hdr.get("content-length", "0")))
        if hdr.get("connection", "").lower() == "close":
            await self.close()
        return status, hdr, data

    async def request(self, method, path, headers=None, body=None):
        """(status, headers, body); a keep-alive connection the server closed meanwhile is reopened once, as browsers do."""
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self._once(method, path, headers or {}, body), TIMEOUT)
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            await self.close()
            if not reused:
                raise e
            return await asyncio.wait_for(self._once(method, path, headers or {}, body), TIMEOUT)


async def login(port, source, name, password):
    c = Http(port, source)
    status, hdr, _ = await c.request("POST", "/api/login", body=json.dumps({"name": name, "password": password}).encode())
    await c.close()
    cookie = hdr.get("set-cookie", "").split(";")[0]
    return status, cookie


async def probe(port, cookie, tile, seconds):
    """The officer's browser: /api/me and a warm tile, one after the other, for `seconds`."""
    c = Http(port, PROBE_FROM)
    lat = {"/api/me": [], tile: []}
    errors = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for path in lat:
            t0 = time.monotonic()
            try:
                status, _, _ = await c.request("GET", path, {"Cookie": cookie})
                if status != 200:
                    errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
            except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                await c.close()
            lat[path].append((time.monotonic() - t0) * 1000)
        await asyncio.sleep(0.05)   # a browser's pace, within the per-address request rate
    await c.close()
    return lat, errors


def report_probe(label, lat, errors):
    for path, values in lat.items():
        name = "/api/me" if path == "/api/me" else "warm tile"
        p99 = percentile(values, 99)
        print(f"  {label}: officer {name:9s} n={len(values):4d} p50={percentile(values, 50):7.1f} ms "
              f"p99={p99:7.1f} ms max={max(values):7.1f} ms")
        if not p99 <= 50:
            failures.append(f"{label}: {name} p99 {p99:.1f} ms")
    n_err = sum(errors.values())
    print(f"  {label}: officer errors {n_err} {errors if errors else ''}")
    if n_err:
        failures.append(f"{label}: {n_err} officer errors")


async def login_flood(port, stop, statuses):
    async def one(i):
        c = Http(port, ATTACK_FROM)
        while not stop.is_set():
            body = json.dumps({"name": "officer" if i % 2 else f"nobody{i}", "password": f"wrong-{i}-{time.monotonic()}"}).encode()
            try:
                status, _, _ = await c.request("POST", "/api/login", body=body)
                statuses[status] = statuses.get(status, 0) + 1
            except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
                statuses[type(e).__name__] = statuses.get(type(e).__name__, 0) + 1
                await c.close()
                await asyncio.sleep(0.05)
        await c.close()
    return [asyncio.create_task(one(i)) for i in range(64)]


async def slow_and_idle(port, stop, counts):
    async def slow(i):
        request = b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
        while not stop.is_set():
            try:
                _, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACK_FROM, 0))
                counts["slow connections"] = counts.get("slow connections", 0) + 1
                for b in request:
                    if stop.is_set():
                        break
                    w.write(bytes([b]))
                    await w.drain()
                    await asyncio.sleep(1.0)
                w.close()
            except OSError:
                counts["slow closed by server"] = counts.get("slow closed by server", 0) + 1
                await asyncio.sleep(0.2)

    async def idle(i):
        while not stop.is_set():
            c = Http(port, ATTACK_FROM)
            try:
                await c.request("GET", "/")
                counts["idle connections"] = counts.get("idle connections", 0) + 1
                while not stop.is_set() and c.reader is not None and not c.reader.at_eof():   # hold it open, send nothing
                    try:
                        await asyncio.wait_for(c.reader.read(1), 0.5)
                    except asyncio.TimeoutError:
                        pass
                if not stop.is_set():
                    counts["idle closed by server"] = counts.get("idle closed by server", 0) + 1
            except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                await asyncio.sleep(0.2)
            await c.close()

    return [asyncio.create_task(slow(i)) for i in range(64)] + [asyncio.create_task(idle(i)) for i in range(16)]


def start_attacker(kind, port, seconds):
    """The attack runs in its own process, so the probe's timings are the server's, not this event loop's."""
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--attack", kind, str(port), str(seconds)],
                            stdout=subprocess.PIPE, text=True)


def finish_attacker(proc):
    out, _ = proc.communicate(timeout=60)
    return out.strip()


async def attack(kind, port, seconds):
    stop, counts = asyncio.Event(), {}
    tasks = await (login_flood(port, stop, counts) if kind == "login" else slow_and_idle(port, stop, counts))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait(tasks, timeout=TIMEOUT + 2)
    print(dict(sorted(counts.items(), key=str)))


class Server:
    def __init__(self, binary, project, users, extra, tmp, tag):
        self.out = open(os.path.join(tmp, f"server-{tag}.out"), "w+")
        self.log = open(os.path.join(tmp, f"server-{tag}.log"), "w+")
        args = [binary, "serve", project, "--users", users, "--port", "0"] + extra
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=self.log)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            self.out.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.out.read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit(f"load_stall: the server did not start:\n{self.log.read()[-2000:]}")
            time.sleep(0.2)
        self.proc.kill()
        sys.exit("load_stall: the server did not start in 180 s")

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def tile_paths(bounds, z, limit):
    import math
    lon0, lat0, lon1, lat1 = bounds
    tx = lambda lon: int((lon + 180) / 360 * 2 ** z)
    ty = lambda lat: int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2 ** z)
    cx, cy = (tx(lon0) + tx(lon1)) // 2, (ty(lat1) + ty(lat0)) // 2
    return [f"/tiles/{z}/{x}/{y}.png" for x in range(cx - 4, cx + 4) for y in range(cy - 4, cy + 4)][:limit]


async def warm_up(port, cookie, tiles, officer_grid):
    c = Http(port, PROBE_FROM)
    for t in tiles:
        status, _, _ = await c.request("GET", t, {"Cookie": cookie})
        if status != 200:
            sys.exit(f"load_stall: {t} answered {status}")
    _, _, body = await c.request("GET", f"/api/grids/{officer_grid}/buildings", {"Cookie": cookie})
    await c.close()
    return json.loads(body)["features"][0]["properties"]["id"]


async def project_info(port, cookie):
    c = Http(port, PROBE_FROM)
    _, _, body = await c.request("GET", "/api/project", {"Cookie": cookie})
    await c.close()
    return json.loads(body)


async def attacks(server, seconds, officer_grid):
    port = server.port
    status, cookie = await login(port, PROBE_FROM, "officer", PASSWORD)
    assert status == 200, f"officer login: {status}"
    info = await project_info(port, cookie)
    tiles = tile_paths(info["bounds"], 16, 64)
    await warm_up(port, cookie, tiles, officer_grid)
    tile = tiles[len(tiles) // 2]

    print(f"a. 64 concurrent wrong-password logins from {ATTACK_FROM}, {seconds:.0f} s")
    attacker = start_attacker("login", port, seconds + 1.5)
    await asyncio.sleep(0.5)
    lat, errors = await probe(port, cookie, tile, seconds)
    report_probe("a", lat, errors)
    print(f"  a: attacker answers {finish_attacker(attacker)}")
    try:
        owner, _ = await login(port, PROBE_FROM, "officer", PASSWORD)
    except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
        owner = type(e).__name__
    print(f"  a: the officer logs in from {PROBE_FROM} after the flood: HTTP {owner}")
    if owner != 200:
        failures.append(f"a: owner login after the flood {owner}")

    print(f"b. 64 slow-header clients + 16 idle keep-alive connections from {ATTACK_FROM}, {seconds:.0f} s")
    attacker = start_attacker("slow", port, seconds + 2)
    await asyncio.sleep(1.0)
    lat, errors = await probe(port, cookie, tile, seconds)
    report_probe("b", lat, errors)
    print(f"  b: attacker connections {finish_attacker(attacker)}")
    return tiles




def wrk_phase(server, tmp, seconds, officer_grid):
    port = server.port
    status, cookie = asyncio.run(login(port, PROBE_FROM, "officer", PASSWORD))
    assert status == 200, f"officer login: {status}"
    info = asyncio.run(project_info(port, cookie))
    tiles = tile_paths(info["bounds"], 16, 64)
    building = asyncio.run(warm_up(port, cookie, tiles, officer_grid))
    lua = os.path.join(ROOT, "scripts", "wrk_rotate.lua")
    sets = {"warm tiles": tiles,
            "officer API": ["/api/me", f"/api/grids/{officer_grid}/households", f"/api/grids/{officer_grid}/central",
                            f"/api/buildings/{building}", f"/api/grids/{officer_grid}/buildings", f"/api/grids/{officer_grid}"]}
    print(f"c. wrk, 64 connections, {seconds} s per run from {ATTACK_FROM}")
    rss_before = server.rss_kb()
    rss = [rss_before]
    for rnd in (1, 2):
        for name, paths in sets.items():
            pf = os.path.join(tmp, name.replace(" ", "_") + ".txt")
            with open(pf, "w") as f:
                f.write("\n".join(paths) + "\n")
            out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "5s", "-s", lua, f"http://127.0.0.1:{port}"],
                                 env=dict(os.environ, PATHS_FILE=pf, COOKIE=cookie), capture_output=True, text=True, timeout=seconds + 60)
            m = re.search(r"RESULT (.*)", out.stdout)
            if not m:
                sys.exit(f"load_stall: wrk failed:\n{out.stdout}\n{out.stderr}")
            fields = dict(kv.split("=") for kv in m.group(1).split())
            rss.append(server.rss_kb())
            print(f"  c: round {rnd} {name:11s} {m.group(1)}  rss={rss[-1]} kB")
            if int(fields["timeouts"]) or int(fields["errors"]) or int(fields["non2xx"]) or float(fields["p99_ms"]) > 50:
                failures.append(f"c: {name} round {rnd}: {m.group(1)}")
    growth = (rss[-1] - rss[2]) * 100 / rss[2]
    print(f"  c: server RSS before {rss_before} kB, after round 1 {rss[2]} kB, after round 2 {rss[-1]} kB "
          f"(round 2 grew it {growth:+.1f} %)")
    if growth > 10:
        failures.append(f"c: RSS grew {growth:.1f} % in round 2")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    binary = os.path.join(ROOT, build, "bin", "gridatlas") if not os.path.isabs(build) else os.path.join(build, "bin", "gridatlas")
    if not os.access(binary, os.X_OK):
        sys.exit(f"load_stall: {binary} not found; build first (cmake --build {build} --target gridatlas)")
    for tool in ("wrk", "ogrinfo"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode:
            sys.exit(f"load_stall: {tool} is not installed (apt-get install {'wrk' if tool == 'wrk' else 'gdal-bin'})")
    seconds = float(os.environ.get("PROBE_SECONDS", "10"))
    wrk_seconds = int(os.environ.get("WRK_SECONDS", "20"))
    with tempfile.TemporaryDirectory() as tmp:
        sample = os.path.join(ROOT, "data", "sample")
        with open(os.path.join(sample, "project.toml")) as f:
            text = f.read()
        text = text.replace('file = "', f'file = "{sample}/')
        if not re.search(r"^phone = ", text, re.M):
            text = text.replace("[households]\n", '[households]\nname = "head_name"\nphone = "phone"\n', 1)
        project = os.path.join(tmp, "project.toml")
        with open(project, "w") as f:
            f.write(text)
        out = subprocess.run(["ogrinfo", "-ro", "-q", os.path.join(sample, "sample.gpkg"), "-sql",
                              "SELECT code FROM grids ORDER BY code LIMIT 1"], capture_output=True, text=True).stdout
        grid = re.search(r"code \(String\) = (\S+)", out).group(1)
        users = os.path.join(tmp, "users.json")
        subprocess.run([binary, "user", "add", users, "officer", "--role", "officer", "--grids", grid],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)

        server = Server(binary, project, users, shlex.split(os.environ.get("SERVE_ARGS", "")), tmp, "ab")
        print(f"server on port {server.port} (pid {server.proc.pid}), officer grid {grid}")
        try:
            asyncio.run(attacks(server, seconds, grid))
        finally:
            server.stop()
        server = Server(binary, project, users, shlex.split(os.environ.get("SERVE_ARGS_WRK", "--max-requests-per-second 0 --max-connections-per-address 128")), tmp, "c")
        try:
            wrk_phase(server, tmp, wrk_seconds, grid)
        finally:
            server.stop()
        server.log.seek(0)
        log_text = server.log.read()
        for line in re.findall(r"prepared an officer's answers after login: .*", log_text)[:2]:
            print(f"  c: {line}")
        leaks = len(re.findall(r"139\d{8}", log_text))
        print(f"log: phone numbers in the server log: {leaks}")
        if leaks:
            failures.append("phone numbers in the log")
    if failures:
        print("load_stall: MISSED — " + "; ".join(failures))
        sys.exit(1)
    print("load_stall: ok — every figure within target")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--attack":
        asyncio.run(attack(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    else:
        main()
