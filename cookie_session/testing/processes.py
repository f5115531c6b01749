"""A browser process in a throwaway profile (stdlib only): the private environment, the spawn in its
own process group, waiting for every helper to exit, and the last-resort kill. Used by `headless`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

__all__ = ["BrowserLaunchError", "BrowserProcess", "fresh_profile", "short_temp_dir"]


class BrowserLaunchError(RuntimeError):
    """The browser could not be started, driven or stopped. The message is one line."""


def fresh_profile(profile_dir, **env_extra: str) -> tuple[Path, Path, dict[str, str]]:
    """Create the profile (refusing a non-empty dir); return (profile, scratch dir, private env)."""
    profile = Path(profile_dir).resolve()
    if profile.exists() and any(profile.iterdir()):
        raise ValueError(f"profile_dir {profile} is not empty; pass a fresh directory")
    scratch = profile / ".headless"
    home = scratch / "home"
    home.mkdir(parents=True)
    drop = {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.lower().endswith("_proxy")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_CACHE_HOME=f"{home}/.cache",
        XDG_DATA_HOME=f"{home}/.local/share",
        **env_extra,
    )
    return profile, scratch, env


def short_temp_dir() -> str:
    """The temp dir, or /tmp when its path is too long for Chromium's singleton socket (108 bytes)."""
    import tempfile

    current = tempfile.gettempdir()
    return current if len(current) <= 60 or not os.access("/tmp", os.W_OK) else "/tmp"


class BrowserProcess:
    """A browser in its own session/process group, stdout+stderr to ``log``. ``give`` maps parent fds
    to child fd numbers; our copies are closed after the spawn, so EOF on a pipe means the browser died."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, give: tuple = ()):
        self.log, self.exited = log, False
        log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log_fd, 1),
            (os.POSIX_SPAWN_DUP2, log_fd, 2),
            *((os.POSIX_SPAWN_DUP2, src, dst) for src, dst in give),
        ]
        try:
            self.pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
        except OSError as exc:
            raise BrowserLaunchError(
                f"cannot execute {argv[0]} ({exc}); install the browser "
                "(Debian: apt-get install chromium / firefox-esr)"
            ) from None
        finally:
            for fd in (log_fd, *(src for src, _ in give)):
                os.close(fd)

    def poll(self) -> bool:
        """True once the main process has exited (and been reaped)."""
        if not self.exited:
            self.exited = bool(os.waitpid(self.pid, os.WNOHANG)[0])
        return self.exited

    def alive(self) -> bool:
        """True while the main process or any non-zombie helper of its group runs."""
        if not self.poll():
            return True
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError):  # raced with an exiting process
                state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
                if int(pgrp) == self.pid and state != "Z":
                    return True
        return False

    def wait(self, timeout: float) -> bool:
        """Wait for the main process, then its helpers (they may still be flushing)."""
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def kill(self) -> None:
        """Last resort: SIGKILL the whole process group and reap the main process."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.wait(10)

    def stderr_tail(self, lines: int = 3) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no stderr captured)"
        noise = (
            "dbus",
            "Failed to connect to the bus",
            "GraphicsCriticalError",
            "running in headless mode",
            "RSLoader",
            "RemoteSettings",
            "nimbus",
            "Stack:",
        )  # harmless chatter of a no-network run
        tail = [ln.strip() for ln in text if ln.strip() and not any(n in ln for n in noise)][-lines:]
        return (" | ".join(tail) or "(empty)")[:400]
