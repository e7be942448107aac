"""Lignée's warm dbt: one long-lived Python process that runs dbt commands with dbt's
programmatic runner (dbt.cli.main.dbtRunner), so that a command costs what its SQL costs, not
dbt's start-up (importing dbt, reading the project, parsing it).

Started by the engine (packages/engine/src/dbt/warm-dbt.ts) with the dbt virtualenv's Python,
as `python warm_runner.py FOLDER`: FOLDER is where it parses the project (the engine removes it).
Protocol: one JSON object per line.

  stdin   {"id": 1, "args": ["build", "--select", "m"], "projectDir": "...", "profilesDir": "...",
           "env": {"LIGNEE_DBT_HOST": "..."}, "parseState": ".../target/lignee-warm-parse.msgpack"}
  stdout  {"ready": true, "dbt": "1.11.16"}                    once, when dbt is imported
          ({"id": 2, "prepare": true, "args": ["--target", "dev"], ...} parses the project
           if needed and runs nothing: a head start for the commands to come)
          {"id": 1, "event": {"info": {...}, "data": {...}}}  each dbt event, as
                                                              `--log-format json` writes it
                                                              (a command's: not its debug ones)
          {"id": 1, "done": true, "exitCode": 0,              0 success, 1 a node failed,
           "pid": 123, "parsed": false}                       2 dbt itself failed; whether
                                                              the project was parsed first

The project's manifest is parsed once and kept in memory (`dbtRunner(manifest=...)`); it is
parsed again when a file of the project changes (paths, sizes and modification times) or the
command's environment does (another database: every model names its database). The parse state
dbt leaves (partial_parse.msgpack) is kept at the request's `parseState` path, replaced whole,
for the next process: dbt reads it back when the project's files, vars, target and connection
allow, and parses only what changed (0.5 s of CPU instead of 1.5 s for the warehouse's
project). A dbt runner is not safe for concurrent invocations: this process runs one command at
a time (the engine starts one process per command running at once). Anything dbt prints goes to
stderr: stdout carries the protocol only. SIGINT interrupts the running command (dbt cancels its
queries); the engine then stops the process.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile

PROJECT_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml", "profiles.yml")
PROJECT_DIRS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    # dbt's console output (and any print) goes to stderr from now on.
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from importlib.metadata import version

    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    def send(message: dict) -> None:
        protocol.write(json.dumps(message, default=str) + "\n")

    manifests: dict = {}
    # The folder the engine made for this process (and removes once it has ended), else one
    # of its own (run by hand).
    parse_dir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="lignee-dbt-warm-")
    send({"ready": True, "dbt": version("dbt-core")})

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        rid = request["id"]

        def emit(event: dict, rid=rid) -> None:
            send({"id": rid, "event": event})

        parsed = [False]
        try:
            code = run(request, manifests, parse_dir, dbtRunner, emit, msg_to_dict, parsed)
        except BaseException as error:  # noqa: BLE001 - reported, the process goes on
            emit(text_event("error", f"{type(error).__name__}: {error}"))
            code = 2
        send({"id": rid, "done": True, "exitCode": code, "pid": os.getpid(), "parsed": parsed[0]})


def run(request: dict, manifests: dict, parse_dir: str, dbtRunner, emit, msg_to_dict, parsed) -> int:
    """Runs one command; returns its exit code as the dbt command line would. Sets parsed[0]
    when the project had to be parsed first."""
    project_dir = request["projectDir"]
    profiles_dir = request["profilesDir"]
    args = list(request["args"])
    os.environ.update(request.get("env", {}))
    callbacks = [lambda msg: emit(msg_to_dict(msg))]
    # A command's events as dbt's command line prints them, at its default level: its debug
    # events (about five per node: each SQL statement, each connection) are not read.
    command_callbacks = [lambda msg: msg.info.level != "debug" and emit(msg_to_dict(msg))]
    target = option(args, "--target")
    location = ["--project-dir", project_dir, "--profiles-dir", profiles_dir]
    key = (project_dir, profiles_dir, target)
    # One manifest per project and target, parsed for one connection (every model names its
    # database): another connection's command parses again.
    stamp = (fingerprint(project_dir), json.dumps(request.get("env", {}), sort_keys=True))
    cached = manifests.get(key)
    if cached is None or cached[0] != stamp:
        manifests.pop(key, None)
        parsed[0] = True
        state = request.get("parseState")
        # Parsed into a folder of this process's, from the state the last parse left.
        before = take_parse_state(state, parse_dir)
        parse_args = ["parse", *location, "--target-path", parse_dir]
        if target is not None:
            parse_args += ["--target", target]
        outcome = dbtRunner(callbacks=callbacks).invoke(parse_args)
        if not outcome.success or outcome.result is None:
            if outcome.exception is not None:
                emit(text_event("error", f"dbt parse failed: {outcome.exception}"))
            return 2
        keep_parse_state(parse_dir, state, before)
        cached = (stamp, outcome.result)
        manifests[key] = cached
    if request.get("prepare"):
        # Only getting ready for the commands to come (the engine does it as a run starts).
        return 0
    result = dbtRunner(manifest=cached[1], callbacks=command_callbacks).invoke([*args, *location])
    if result.success:
        return 0
    if result.exception is not None:
        emit(text_event("error", f"{type(result.exception).__name__}: {result.exception}"))
        return 2
    return 1


PARSE_STATE = "partial_parse.msgpack"


def take_parse_state(state, parse_dir: str):
    """Puts the parse state saved at `state` (if any) where the next parse into `parse_dir`
    reads it; the one already there (this process's last) stays when there is none to take.
    Returns the local file's signature, to tell afterwards whether dbt wrote a new one."""
    here = os.path.join(parse_dir, PARSE_STATE)
    if state and os.path.isfile(state):
        with_copy_of(state, here, stamp_zero=True)
    return signature(here)


def keep_parse_state(parse_dir: str, state, before) -> None:
    """Saves the parse state dbt wrote into `parse_dir` at `state`, when dbt wrote one (it
    writes none when no file changed), replacing it whole: a process reading it at the same
    time gets the old one or the new one."""
    here = os.path.join(parse_dir, PARSE_STATE)
    if state and signature(here) not in (None, before):
        with_copy_of(here, state)


def with_copy_of(source: str, destination: str, stamp_zero: bool = False) -> None:
    """Replaces `destination` with a copy of `source`, whole (a temporary file beside it, then
    a rename), with the permissions of a file written as usual. A copy that fails leaves
    `destination` as it was: this is only a head start for a parse, never a reason to fail.
    `stamp_zero` dates the copy from 1970, so that any file dbt writes in its place afterwards,
    of whatever size, differs in its signature."""
    folder = os.path.dirname(destination)
    partial = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=folder, prefix=os.path.basename(destination) + ".")
        os.close(fd)
        shutil.copyfile(source, partial)
        # mkstemp's file is private to its user: the saved state is read by others too.
        os.chmod(partial, 0o666 & ~current_umask())
        if stamp_zero:
            os.utime(partial, ns=(0, 0))
        os.replace(partial, destination)
        partial = None
    except OSError:
        pass
    finally:
        # Also when SIGINT (a cancelled command) interrupts the copy; a SIGKILL leaves it.
        if partial is not None:
            remove_quietly(partial)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def signature(path: str):
    """Modification time and size of `path`, None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def option(args: list, name: str):
    """The value of `name` in `args` (`--target dev`), or None."""
    if name in args:
        i = args.index(name)
        if i + 1 < len(args):
            return args[i + 1]
    return None


def fingerprint(project_dir: str) -> str:
    """Paths, sizes and modification times of the project's files: a change means a new parse."""
    digest = hashlib.sha256()

    def visit(path: str) -> None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return
        if os.path.isdir(path):
            for entry in sorted(os.listdir(path)):
                visit(os.path.join(path, entry))
        else:
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())

    for name in PROJECT_FILES:
        visit(os.path.join(project_dir, name))
    for name in PROJECT_DIRS:
        visit(os.path.join(project_dir, name))
    return digest.hexdigest()


def text_event(level: str, msg: str) -> dict:
    """A message that is no dbt event (an exception dbt returned), shaped as one."""
    return {"info": {"name": "Text", "level": level, "msg": msg}, "data": {}}


if __name__ == "__main__":
    main()
