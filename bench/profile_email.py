"""One mailing's job, in-process: ``workers.mail.send_mailing`` to N recipients through an aiosmtpd
sink in a process of its own (as a real SMTP server is), timed, optionally under cProfile, beside
raw smtplib on one connection to the same sink (``bench_email.py``'s baseline).

    .venv/bin/python bench/profile_email.py [--recipients 1000] [--profile 30]

No queue, worker process or API: what the job itself costs per message (``bench_email.py``
measures the whole path). A temporary SQLite data dir; everything is removed afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/profile_email.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import build_services
from api.config import Settings
from bench.bench_email import build_world, raw_smtp
from bench.common import HOST, free_port, print_machine_busy, revision, run_main, service_env
from domain import commands
from workers.mail import send_mailing

SINK = """
import sys
from aiosmtpd.controller import Controller
from tests.integration.smtp_sink import Sink
sink = Sink()
controller = Controller(sink, hostname=sys.argv[1], port=int(sys.argv[2]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
print(len(sink.messages), flush=True)
controller.stop()
"""


def run(args: argparse.Namespace, workdir: Path) -> int:
    settings = Settings.from_env(service_env(workdir, f"sqlite:///{workdir / 'events.db'}"))
    world = build_world(settings, [args.recipients], 0)
    port = free_port()
    root = str(Path(__file__).resolve().parent.parent)
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, HOST, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    try:
        url = f"smtp://{HOST}:{port}"
        services = build_services(replace(settings, smtp_url=url))
        try:
            emailed = services.app.email_participants(  # the creator: the first user build_world makes
                commands.EmailParticipants(1, world.events[args.recipients], "Bench mailing", "Hello")
            )
            if emailed.sent != args.recipients or emailed.mailing_id is None:
                raise RuntimeError(f"the mailing request answered {emailed}")
            print(
                f"service: {revision()}; sqlite; {args.recipients:,} recipients; sender {world.creator.name}"
            )
            print_machine_busy()
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            sent = send_mailing(services.jobs, str(emailed.mailing_id))
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - started
        finally:
            services.close()
        rate = sent / seconds
        print(f"send_mailing: {sent:,} in {seconds:.2f} s = {rate:,.1f} e-mails/s")
        raw, raw_seconds = raw_smtp(url, args.recipients, 60.0, reuse=True)
        raw_rate = raw / raw_seconds
        print(f"raw smtplib, one connection: {raw_rate:,.1f} sends/s; ratio {rate / raw_rate:.3f}")
        if profiler is not None:
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile)
                print(f"\nprofile (cProfile, by {order}; times include its overhead):\n{out.getvalue()}")
    finally:
        counted, _ = sink.communicate("", timeout=30)
    print(f"the sink holds {counted.strip()} messages")
    return 0 if counted.strip() == str(sent + raw) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=1000, help="default 1000")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N")
    args = parser.parse_args(argv)
    if not 1 <= args.recipients <= 100_000:
        parser.error("--recipients must be in [1, 100000]")
    return run_main(lambda workdir, stop: run(args, workdir))


if __name__ == "__main__":
    sys.exit(main())
