"""The ``techtransfer`` command line: `techtransfer --help` lists every command.

The platform's own commands (demo, serve, migrate, createsuperuser, check, loaddemo, worker) are here; an app's
commands are Django management commands that the app names in ``cli_commands`` on its AppConfig, listed here with
the help line declared there and run with the rest of the command line (see docs/architecture.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import django
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from techtransfer import __version__
from techtransfer.core import plugins, processes

STOP_SECONDS = 20  # how long the web server and the task worker get to finish their work on SIGTERM/SIGINT

COMMANDS = {
    "demo": "create the database if needed, load the demo data once, print the demo accounts and serve",
    "serve": "run the production web server (gunicorn, several workers); no demo data",
    "migrate": "create or upgrade the database schema",
    "createsuperuser": "create a platform administrator account interactively",
    "check": "check configuration, database, migrations and services; non-zero exit when something is wrong",
    "loaddemo": "load the demo data into the database without serving (idempotent)",
    "worker": "run the background task worker (index updates, notifications, closing auctions and notices) and "
              "relay the follow-ups committed while the queue was unreachable",
}


def _setup() -> None:
    """Configure Django. Only commands that need it call this: reading the settings creates the data folder,
    which `techtransfer --help` must not do. Everything that loads models is therefore imported after it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.config.settings")
    django.setup()


def _manage(*args: str) -> None:
    call_command(*args)


def _serve(host: str, port: int, workers: int, threads: int) -> int:
    from gunicorn.app.base import BaseApplication  # here: `techtransfer --help` need not load gunicorn

    from techtransfer.config.wsgi import application  # loads the URL map and every app: after _setup() only

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", STOP_SECONDS)
            # gunicorn ≥ 25.1 opens a control socket at one path per user account (~/.gunicorn/gunicorn.ctl), which
            # two `serve` of different data folders on one machine would take from each other; `serve` is stopped
            # and restarted by its signals, so the socket is not needed.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return application

    Server().run()
    return 0


def _only_one(name: str) -> bool:
    """Hold this data folder's ``name`` lock for the life of the process; say who holds it when another does."""
    try:
        processes.single_instance(settings.DATA_DIR, name)
    except processes.AlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    return True


def cmd_demo(args) -> int:
    _setup()
    from techtransfer.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo  # loads models: after _setup()

    if not _only_one("demo"):
        return 2
    print(f"Data folder: {settings.DATA_DIR}")
    _manage("migrate", "--no-input", "-v", "0")
    created = load_demo(progress=print)
    print("Demo data loaded." if created else "Demo data already present (not loaded again).")
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host  # noqa: S104
    print(
        f"\nTechTransfer demo at http://{shown_host}:{args.port}/  (API docs: /api/docs, back office: /admin/)"
    )
    print(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, role, scope in DEMO_ACCOUNTS:
        print(f"  {username:<18} {role:<34} {scope}")
    print("Press Ctrl+C to stop.\n", flush=True)
    # The worker follows the change log into the index too; with inline jobs there is none, so a follower of its own.
    worker = _start_worker_process() or _start_index_follower()
    demo_pid = os.getpid()
    try:
        return _serve(args.host, args.port, workers=2, threads=4)
    finally:
        if os.getpid() == demo_pid:  # gunicorn's web workers are forks of this process and unwind through here
            _stop(worker)
            print("TechTransfer demo stopped.", flush=True)


def _start_worker_process():
    """The demo runs its own task worker beside the web server (production runs `techtransfer worker`); the
    worker ends itself if the demo is killed without stopping it (``--parent``)."""
    if settings.HUEY.get("immediate"):
        return None
    argv = [sys.executable, "-m", "techtransfer", "worker", "--quiet", "--parent", str(os.getpid())]
    return subprocess.Popen(argv)  # noqa: S603 - this interpreter and this package, no outside input


def _start_index_follower():
    """This host's search index follows the change log (``matching.replica``) in a child process: not a thread of
    gunicorn's master, which forks the web workers (a thread holding a lock, a database connection or the
    index's Tantivy handles at a fork would be copied half-way into every worker), and not in a web worker, where
    a rebuild would hold up requests. The child ends itself when the server is gone (``--parent``); when a
    `techtransfer worker` of the same data folder already follows, it stands by."""
    argv = [sys.executable, "-m", "techtransfer", "index", "follow", "--parent", str(os.getpid())]
    return subprocess.Popen(argv)  # noqa: S603 - this interpreter and this package, no outside input


def _stop(child, timeout: float = STOP_SECONDS) -> None:
    """Stop a child process: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if child is None or child.poll() is not None:
        return
    print("Stopping the task worker …" if "worker" in child.args else "Stopping the index follower …", flush=True)
    child.terminate()
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def cmd_serve(args) -> int:
    _setup()
    _manage("migrate", "--no-input", "-v", "0") if args.migrate else None
    problems = _run_checks()
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    server_pid = os.getpid()
    follower = _start_index_follower()
    try:
        return _serve(args.host, args.port, workers=workers, threads=args.threads)
    finally:
        if os.getpid() == server_pid:  # not in the forked web workers, which unwind through here too
            _stop(follower)
            print("TechTransfer server stopped.", flush=True)


def _run_checks(deploy: bool = False) -> list[str]:
    # Here, not at the top: the health checks load Django's migration machinery and the Redis client (~0.25 s
    # that `techtransfer --help` would pay for nothing).
    from techtransfer.core.health import run_checks

    return run_checks(deploy=deploy)


def cmd_migrate(args) -> int:
    _setup()
    _manage("migrate", "--no-input")
    return 0


def cmd_createsuperuser(args) -> int:
    _setup()
    _manage("createsuperuser")
    return 0


def cmd_check(args) -> int:
    _setup()
    problems = _run_checks(deploy=args.deploy)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    for check in _runtime_checks():
        if check.status != "ok":
            print(f"warning: {check.name} {check.status}: {check.detail}", file=sys.stderr)
    print("ok: configuration, database, migrations and services are healthy")
    return 0


def _runtime_checks() -> list:
    # Here, not at the top, for the same reason as in _run_checks.
    from techtransfer.core.health import runtime_status

    return runtime_status()[1]


def cmd_loaddemo(args) -> int:
    _setup()
    from techtransfer.demo.services import load_demo  # loads models: after _setup()

    _manage("migrate", "--no-input", "-v", "0")
    created = load_demo(progress=print)
    print("Demo data loaded." if created else "Demo data already present (not loaded again).")
    return 0


def cmd_worker(args) -> int:
    _setup()
    if settings.HUEY.get("immediate"):
        print("error: TECHTRANSFER_TASKS=immediate runs tasks inline; there is nothing to consume", file=sys.stderr)
        return 2
    if args.parent:
        processes.watch_parent(args.parent)
    if not _only_one("worker"):
        return 2
    # After _setup(): these load models. The relay loop hands follow-ups committed while the queue was unreachable
    # to it once it answers again (docs/operations.md, "Background work and the outbox"); the index follower keeps
    # this host's search index following the change log ("Several application hosts: search index replicas").
    from techtransfer.matching.replica import start_index_thread
    from techtransfer.outbox.services import start_relay_thread

    relay = start_relay_thread()
    follower = start_index_thread()
    argv = ["run_huey", "--workers", str(args.workers)]
    if args.quiet:
        argv.append("--quiet")
    try:
        _manage(*argv)
    finally:
        follower.stop()
        relay.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="techtransfer",
        description="TechTransfer — regional technology transfer platform. Configure with TECHTRANSFER_* "
        "environment variables (see docs/operations.md).",
    )
    parser.add_argument("--version", action="version", version=f"techtransfer {__version__}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    p = sub.add_parser("demo", help=COMMANDS["demo"], description=COMMANDS["demo"])
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default 2 × cores + 1)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--migrate", action="store_true", help="apply migrations before serving")
    p.set_defaults(func=cmd_serve)
    for name, func in (("migrate", cmd_migrate), ("createsuperuser", cmd_createsuperuser)):
        sub.add_parser(name, help=COMMANDS[name], description=COMMANDS[name]).set_defaults(func=func)
    p = sub.add_parser("check", help=COMMANDS["check"], description=COMMANDS["check"])
    p.add_argument("--deploy", action="store_true", help="also run Django's production deployment checks")
    p.set_defaults(func=cmd_check)
    sub.add_parser("loaddemo", help=COMMANDS["loaddemo"], description=COMMANDS["loaddemo"]).set_defaults(
        func=cmd_loaddemo
    )
    p = sub.add_parser("worker", help=COMMANDS["worker"], description=COMMANDS["worker"])
    p.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
    p.add_argument("--parent", type=int, default=0, metavar="PID",
                   help="stop when process PID is gone (the demo starts its worker so)")
    p.add_argument("--quiet", action="store_true", help="log only warnings and errors")
    p.set_defaults(func=cmd_worker)
    for command in plugins.cli_commands():
        # The app's management command parses the rest of the line (`techtransfer import --help` included).
        sub.add_parser(command.name, help=command.help, add_help=False).set_defaults(app_command=command)
    return parser


def run_app_command(command: plugins.CliCommand, argv: list[str]) -> int:
    """Run an app's management command with the rest of the command line; its exit status is the answer."""
    _setup()
    handler = load_command_class(command.app, command.management_command)
    handler._called_from_command_line = True  # argparse errors exit with status 2 and the usage, as before
    options = vars(handler.create_parser("techtransfer", command.name).parse_args(argv))
    try:
        handler.execute(*options.pop("args", ()), **options)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.returncode
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def setup() -> None:
    """Configure Django for a command handler (public for the benchmarks and scripts)."""
    _setup()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    app_command = getattr(args, "app_command", None)
    if rest and app_command is None:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if app_command is None and not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        if app_command is not None:
            return run_app_command(app_command, rest)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:  # configuration errors from the environment
        print(f"error: {exc}", file=sys.stderr)
        return 2
