#!/usr/bin/python3
"""The scripted operator of tests/it_device.sh: runs `keyroll run ...` with
a terminal (a pty) on its stdin, so the run is interactive by itself, reads
each operator step it shows, does what the instruction says to the emulated
box (the reference speaker in namespace BOX) and answers Enter.

usage: operator_bot.py BOX LOG -- keyroll run ARGS...
BOT_SKIP_START=N answers `skip` to the N-th start step (the operator who
cannot start the router again).

The manual: texts of the interactive profile are written to be read back:
  start: "start the box: config PATH log PATH options OPTS"
  rekey: "rekey ROLE KEY stagger MS ctl SOCK"
Exits with keyroll's exit status; LOG gets every step and action."""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

box, logpath = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
bindir = os.path.dirname(os.path.abspath(cmd[0]))
log = open(logpath, "w")
speaker = None  # the box's refspeaker (started like an operator would)


def note(msg):
    log.write(msg + "\n")
    log.flush()


def stop_box():
    global speaker
    if speaker and speaker.poll() is None:
        speaker.terminate()
        try:
            speaker.wait(5)
        except subprocess.TimeoutExpired:
            speaker.kill()
            speaker.wait()
    speaker = None


def start_box(text):
    global speaker
    m = re.search(r"config (\S+) log (\S+) options ?(.*?)$", text, re.M)
    if not m:
        return False
    stop_box()
    conf, slog, opts = m.group(1), m.group(2), m.group(3).split()
    argv = ["ip", "netns", "exec", box, bindir + "/refspeaker", "-c", conf, "--log", slog] + opts
    note("start: " + " ".join(argv))
    speaker = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = os.path.join(os.path.dirname(conf), "ctl.sock")
    # Ready when its control socket answers (as `ready` would say).
    for _ in range(500):
        r = subprocess.run(["ip", "netns", "exec", box, bindir + "/refspeaker", "ctl", sock, "ping"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            return True
        time.sleep(0.01)
    return False


def rekey(text):
    m = re.search(r"rekey (\S+) (\S+) stagger (\d+) ctl (\S+)", text)
    if not m:
        return False
    argv = ["ip", "netns", "exec", box, bindir + "/refspeaker", "ctl", m.group(4), "rekey", m.group(1),
            m.group(2), "--stagger-ms", m.group(3)]
    note("rekey: " + " ".join(argv))
    return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


master, slave = pty.openpty()
proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
buf = ""
steps = starts = 0
skip_start = int(os.environ.get("BOT_SKIP_START", "0"))
while True:
    r, _, _ = select.select([master], [], [], 1.0)
    if master in r:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if not data:
            break
        # a terminal ends lines with CR LF
        text = data.decode("utf-8", "replace").replace("\r\n", "\n")
        log.write(text)
        log.flush()
        buf += text
    # A whole step has been shown once its "> " prompt is there.
    m = re.search(r"=== operator step: (\S+)[^\n]*===\n(.*?)\n> ", buf, re.S)
    if m:
        action, body = m.group(1), m.group(2)
        buf = buf[m.end():]
        steps += 1
        starts += action == "start"
        if action == "start" and starts == skip_start:
            ok = False
        else:
            ok = start_box(body) if action == "start" else rekey(body) if action == "rekey" else False
        note("step %d %s: %s" % (steps, action, "done" if ok else "skip"))
        os.write(master, b"\n" if ok else b"skip\n")
    elif proc.poll() is not None and master not in r:
        break
rc = proc.wait()
stop_box()
note("operator steps: %d, keyroll exit %d" % (steps, rc))
print("operator steps: %d" % steps)
sys.exit(rc)
