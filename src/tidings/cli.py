"""The `tidings` command: serve, worker, run, migrate, demo, createuser, org, token, search, manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 2) -> int:
    print(f"tidings: {message}", file=sys.stderr)
    return code


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    print("The database is ready.")
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA optimize")  # keep the planner's statistics current
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()

    static = Path(__file__).parent / "web" / "static"
    print(f"Tidings is serving at http://{args.host}:{args.port}/", flush=True)
    streamer = None
    if args.streaming_port:
        # Mastodon's WebSocket streams, served apart (ASGI) as Mastodon serves them; the web
        # processes tell clients where (the instance's streaming URL).
        os.environ["TIDINGS_STREAMING_PORT"] = str(args.streaming_port)
        streamer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tidings.cli",
                "stream",
                "--host",
                args.host,
                "--port",
                str(args.streaming_port),
                "--web-port",
                str(args.port),
            ]
        )
    try:
        _serve_web(args, static)
    finally:
        if streamer is not None:
            streamer.send_signal(signal.SIGINT)
            try:
                streamer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                streamer.kill()
    return 0


def _serve_web(args: argparse.Namespace, static: Path) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    # WSGI measured fastest for request/response here (DESIGN.md). An open event stream holds
    # one thread for at most a few minutes, then the browser reconnects: --threads bounds how
    # many pages can listen live at once per worker process. Granian's backpressure counts
    # connections, not requests: at the thread count, idle keep-alive connections (browsers', a
    # proxy's) kept the next person out until one closed (the soak test saw requests wait 10 to
    # 40 s). So Granian's own default holds (its backlog shared by the workers, 1024 in all), and
    # requests wait their turn for a thread.
    Granian(
        "tidings.wsgi:application",
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        blocking_threads=args.threads,
        websockets=False,
        static_path_route=["/static"],
        static_path_mount=[static],
        log_level="error",  # type: ignore[arg-type]
    ).serve()


def cmd_stream(args: argparse.Namespace) -> int:
    """The WebSocket streaming server alone (`tidings serve` starts one beside the web server)."""
    from granian import Granian
    from granian.constants import Interfaces

    if args.web_port:
        os.environ["TIDINGS_WEB_PORT"] = str(args.web_port)
    Granian(
        "tidings.streaming_asgi:application",
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=1,
        websockets=True,
        log_level="error",  # type: ignore[arg-type]
    ).serve()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    from tidings.search import sentiment, terms

    # The segmenter and the tone word lists take seconds to load: before the first task, not in it.
    terms.cjk_words("預熱")
    sentiment.classify("預熱")
    from tidings.core.tasks import sweep_jobs, sweep_mail
    from tidings.extensions.tasks import deliver_due

    # What a stopped worker left (jobs, webhook calls and mail whose lease has run out) is queued
    # now, not at the next minute's sweep.
    sweep_jobs()
    deliver_due()
    sweep_mail()
    print("Tidings worker started.", flush=True)
    # Periodic jobs (digests, housekeeping) are scheduled by one worker only: the others take
    # --no-periodic so each runs once.
    call_command("run_huey", *(["--no-periodic"] if args.no_periodic else []))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Web server and worker together, for one machine (what `make run` starts)."""
    from tidings.demo import LOGINS_TEXT

    worker = subprocess.Popen([sys.executable, "-m", "tidings.cli", "worker"])
    print(LOGINS_TEXT, flush=True)
    try:
        return cmd_serve(args)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    from tidings.demo import load

    created = load()
    print("Demo data loaded." if created else "Demo data was already there: nothing changed.")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup()
    from tidings.accounts import services
    from tidings.core.errors import DomainError

    if not args.password_stdin:
        return _fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    try:
        account = services.sign_up(
            handle=args.username,
            email=args.email,
            password=password,
            display_name=args.name or "",
            kind=args.kind,
        )
    except DomainError as error:
        return _fail(str(error.message), 1)
    print(f"Created @{account.handle}.")
    return 0


def cmd_org(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from tidings.accounts.selectors import account_by_handle
    from tidings.core.errors import DomainError
    from tidings.orgs import services
    from tidings.orgs.export import export
    from tidings.orgs.selectors import organisation_by_slug

    try:
        if args.org_command == "create":
            owner = account_by_handle(args.owner) if args.owner else None
            org = services.create_organisation(
                slug=args.slug, name=args.name, owner=owner, domains=args.domain
            )
            print(f"Created the organisation {org.slug} ({org.name}).")
        elif args.org_command == "import":
            from django.utils.translation import gettext as _

            from tidings.orgs.importing import import_organisation

            report = import_organisation(Path(args.folder))
            print(
                _(
                    "Imported the organisation %(slug)s: %(records)d records, %(created)d new accounts "
                    "(they choose a password through “Forgot password”) and %(reused)d accounts that "
                    "were here already."
                )
                % {
                    "slug": report.slug,
                    "records": report.records,
                    "created": report.created_accounts,
                    "reused": report.reused_accounts,
                }
            )
        elif args.org_command == "add-member":
            org = organisation_by_slug(args.slug)
            account = account_by_handle(args.username.removeprefix("@"))
            services.add_member(org, account, role=args.role)
            print(f"Added @{account.handle} to {org.slug} as {args.role}.")
        else:
            org = organisation_by_slug(args.slug)
            out = Path(args.out or f"export-{org.slug}")
            count = export(org, out)
            print(f"Exported {count} records of {org.slug} to {out}/.")
    except DomainError as error:
        message = str(error.message)
        if error.status == 404:
            named = " ".join(
                filter(
                    None,
                    [getattr(args, "slug", ""), getattr(args, "username", ""), getattr(args, "owner", "")],
                )
            )
            message = f"no such organisation or account: {named}"
        return _fail(message, 1)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from tidings.accounts.selectors import account_by_handle
    from tidings.accounts.tokens import create_token
    from tidings.core.errors import DomainError

    try:
        account = account_by_handle(args.username.removeprefix("@"))
    except DomainError:
        return _fail(f"no such account: {args.username}", 1)
    try:
        token = create_token(account, scopes=args.scopes)
    except DomainError as error:
        return _fail(str(error.message), 1)
    print(token)
    return 0


def cmd_mail_in(args: argparse.Namespace) -> int:
    """One mail on standard input (as a mail server's pipe hands it) becomes a post. The exit
    codes are sendmail's, so the mail server bounces a refused mail with the reason."""
    _setup()
    from tidings.core.errors import DomainError, NotFound
    from tidings.extensions import mail_in

    raw = sys.stdin.buffer.read(MAIL_IN_MOST_BYTES + 1)
    if len(raw) > MAIL_IN_MOST_BYTES:
        return _fail("the mail is larger than 1 MB", 65)  # EX_DATAERR
    try:
        post = mail_in.receive(raw)
    except NotFound as error:
        return _fail(str(error.message), 67)  # EX_NOUSER
    except DomainError as error:
        return _fail(str(error.message), 65)
    print(post.id)
    return 0


MAIL_IN_MOST_BYTES = 1024 * 1024


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    import datetime as dt

    from tidings.core import backup

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or f"tidings-backup-{stamp}.tar.gz")
    if out.exists():
        return _fail(f"{out} exists already: name another file with --out.")
    try:
        report = backup.backup(out)
    except (OSError, subprocess.CalledProcessError) as error:
        return _fail(f"The backup failed: {error}", 1)
    secret = (
        "the secret key" if report.secret_kept else "no secret key (it is set in TIDINGS_SECRET_KEY: keep it)"
    )
    print(
        f"Backed up {report.rows} rows in {report.tables} tables, {report.media_files} media files "
        f"({report.media_bytes} bytes) and {secret} to {out}."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup()
    from tidings.core import backup
    from tidings.core.errors import Invalid

    try:
        report = backup.restore(Path(args.archive))
    except Invalid as error:
        return _fail(str(error.message), 1)
    print(
        f"Restored {report.rows} rows in {report.tables} tables and {report.media_files} media files; "
        "every count and checksum matches the backup."
    )
    if not report.secret_kept:
        print("The backup holds no secret key: set TIDINGS_SECRET_KEY to the one the backed-up server used.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tidings manage", *args.rest])
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    _setup()
    from tidings.search import index, names

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} posts", end="", flush=True)

    posts = index.reindex(progress)
    print(f"\nIndexed {posts} posts and {names.rebuild()} names.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tidings", description="Tidings, an enterprise microblog.")
    sub = parser.add_subparsers(dest="command", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
        p.add_argument("--threads", type=int, default=64, help="threads per worker process")
        p.add_argument(
            "--streaming-port",
            type=int,
            default=None,
            help="port of the WebSocket streaming server (default: --port + 1; 0: none)",
        )

    p = sub.add_parser("serve", help="run the web server")
    server_options(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("stream", help="run the WebSocket streaming server alone")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--web-port", type=int, default=0, help="the web server's port, for links in events")
    p.set_defaults(func=cmd_stream)
    p = sub.add_parser("worker", help="run the background worker")
    p.add_argument("--no-periodic", action="store_true", help="leave periodic jobs to another worker")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("run", help="run the web server and the worker together")
    server_options(p)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("migrate", help="create or update the database")
    p.add_argument("--verbosity", type=int, default=1)
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("demo", help="load the demo company (idempotent)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("createuser", help="create an account")
    p.add_argument("username")
    p.add_argument("--email", default="")
    p.add_argument("--name", default="")
    p.add_argument("--kind", default="personal", choices=["personal", "official", "executive"])
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_createuser)
    p = sub.add_parser("org", help="manage organisations")
    org_sub = p.add_subparsers(dest="org_command", required=True)
    q = org_sub.add_parser("create", help="create an organisation")
    q.add_argument("slug")
    q.add_argument("--name", required=True)
    q.add_argument("--domain", action="append", default=[], help="a verified email domain (repeatable)")
    q.add_argument("--owner", default="", help="handle of the first owner")
    q = org_sub.add_parser("add-member", help="add an account to an organisation")
    q.add_argument("slug")
    q.add_argument("username")
    q.add_argument("--role", default="member", choices=["owner", "admin", "member", "guest"])
    q = org_sub.add_parser("export", help="export everything the organisation owns")
    q.add_argument("slug")
    q.add_argument("--out", default="", help="folder to write (default ./export-SLUG)")
    q = org_sub.add_parser(
        "import",
        help="recreate an exported organisation here (all or nothing)",
        description="Recreate an organisation from `tidings org export`'s folder in this instance, in "
        "one transaction: a bad export, or a slug, domain or handle taken here, changes nothing.",
    )
    q.add_argument("folder", help="the folder `tidings org export` wrote")
    p.set_defaults(func=cmd_org)
    p = sub.add_parser("token", help="API tokens for scripts")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    q = token_sub.add_parser("create", help="print a new API token for an account")
    q.add_argument("username")
    q.add_argument("--scopes", default="read", help='scopes, space separated (default "read")')
    p.set_defaults(func=cmd_token)
    p = sub.add_parser("search", help="the search index")
    search_sub = p.add_subparsers(dest="search_command", required=True)
    search_sub.add_parser("reindex", help="rebuild the index of posts and names from the database")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("mail-in", help="post one mail read from standard input (a mail server's pipe)")
    p.set_defaults(func=cmd_mail_in)
    p = sub.add_parser("backup", help="write the database, media and secret key to one archive")
    p.add_argument("--out", default="", help="the archive to write (default ./tidings-backup-<time>.tar.gz)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup onto a fresh instance and check it")
    p.add_argument("archive")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("manage", help="any Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in {"serve", "run", "stream"} and not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, not {args.port}")
    if args.command in {"serve", "run"}:
        if args.streaming_port is None:
            args.streaming_port = args.port + 1 if args.port < 65535 else 0
        if not 0 <= args.streaming_port < 65536 or args.streaming_port == args.port:
            return _fail(f"--streaming-port must be 0 (none) or another port, not {args.streaming_port}")
    try:
        return int(args.func(args) or 0)
    except Exception as error:  # a database that cannot be reached is the operator's to fix
        from django.db.utils import OperationalError

        if isinstance(error, OperationalError):
            return _fail(f"cannot use the database: {str(error).splitlines()[0]}", 1)
        raise


if __name__ == "__main__":
    sys.exit(main())
