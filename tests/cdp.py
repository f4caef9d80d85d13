"""A small Chrome DevTools protocol client over --remote-debugging-pipe (fds 3 and 4), so the browser tests need no
websocket library and no driver. One headless Debian chromium with the network blocked: every host but 127.0.0.1
resolves to nothing, so a page that asks another host for anything shows it as a failed request."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # Offline, as many customers run: nothing but the local server resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
]


class BrowserError(AssertionError):
    pass


class Chrome:
    """One browser process; `page()` opens a tab. Every event is kept, per session, for the tests to read."""

    def __init__(self, timeout: float = 20.0) -> None:
        assert CHROMIUM is not None
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds() -> None:  # chromium reads commands on fd 3 and writes answers on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds,  # noqa: PLW1509 - no threads exist yet in this process that could hold a lock
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._answers: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.events: dict[str | None, list[dict[str, Any]]] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_chrome, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                while b"\0" in buffer:
                    raw, buffer = buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    if "id" in message:
                        with self._lock:
                            waiter = self._answers.get(message["id"])
                        if waiter is not None:
                            waiter.put(message)
                    else:
                        with self._lock:
                            self.events.setdefault(message.get("sessionId"), []).append(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            waiter: queue.Queue[dict[str, Any]] = queue.Queue()
            self._answers[ident] = waiter
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        try:
            answer = waiter.get(timeout=self.timeout)
        except queue.Empty:
            raise BrowserError(f"chromium did not answer {method} within {self.timeout} s") from None
        finally:
            with self._lock:
                del self._answers[ident]
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def page(self, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.resize(width, height)
        return page

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, chrome: Chrome, session: str) -> None:
        self.chrome = chrome
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.chrome.send(method, params, self.session)

    def events(self, method: str | None = None) -> list[dict[str, Any]]:
        with self.chrome._lock:
            every = list(self.chrome.events.get(self.session, []))
        return [e for e in every if method is None or e["method"] == method]

    def clear_events(self) -> None:
        with self.chrome._lock:
            self.chrome.events[self.session] = []

    def resize(self, width: int, height: int = 900) -> None:
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def goto(self, url: str) -> None:
        self.clear_events()
        self.send("Page.navigate", {"url": url})
        self.wait_until(lambda: bool(self.events("Page.loadEventFired")), f"{url} to load")

    def eval(self, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:80]}: {answer['exceptionDetails'].get('exception', {}).get('description')}")
        return answer["result"].get("value")

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise BrowserError(f"waited {timeout} s for {what}")
            time.sleep(0.05)

    def wait_for(self, expression: str, what: str, timeout: float = 10.0) -> None:
        self.wait_until(lambda: bool(self.eval(expression)), what, timeout)

    def type(self, text: str) -> None:
        for char in text:
            self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": char, "key": char})
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": char})

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads since the last navigation."""
        out = []
        for event in self.events("Runtime.exceptionThrown"):
            details = event["params"]["exceptionDetails"]
            out.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
        for event in self.events("Runtime.consoleAPICalled"):
            if event["params"]["type"] in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in event["params"]["args"]))
        for event in self.events("Log.entryAdded"):
            entry = event["params"]["entry"]
            if entry["level"] == "error":
                out.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        return out

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def shadow_svgs(self) -> int:
        """Diagrams the theme rendered: its mermaid output sits in closed shadow roots, which only the protocol can see."""
        root = self.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        count = 0

        def walk(node: dict[str, Any], in_diagram: bool) -> None:
            nonlocal count
            classes = dict(zip(node.get("attributes", [])[::2], node.get("attributes", [])[1::2], strict=True)).get("class", "")
            is_host = node.get("nodeName") == "DIV" and "mermaid" in classes.split()
            for shadow in node.get("shadowRoots", []):
                for child in shadow.get("children", []):
                    if is_host and child.get("nodeName", "").lower() == "svg" and child.get("childNodeCount", len(child.get("children", []))) > 0:
                        count += 1
                    walk(child, in_diagram or is_host)
            for child in node.get("children", []):
                walk(child, in_diagram)

        walk(root, False)
        return count
