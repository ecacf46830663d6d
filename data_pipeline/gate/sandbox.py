"""Run a reader in a child process with a memory budget, so that no return can exhaust the machine.

The child is a plain ``os.fork()`` of the caller (a few milliseconds; a fresh interpreter or a multiprocessing
pool costs ~0.2 s per workbook, more than reading a return). It may grow its address space by at most the budget
(``resource.setrlimit(RLIMIT_AS)`` above what it inherited): a reader that asks for more gets an allocation failure
(a MemoryError, or in native code an abort) inside the child, and the caller gets ``ReaderFailed`` — the process
that serves the dashboard, or the CLI, stays up. The child only runs ``function`` and pickles its result into a
pipe, then leaves with ``os._exit`` (no cleanup of the parent's threads, sockets or DuckDB).
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import signal


class ReaderFailed(Exception):
    """The reader ran out of its memory budget or died; the message says which, for the report."""


def _address_space_now() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_with_memory_budget(function, *args, memory_bytes: int):
    """``function(*args)`` in a forked child that may allocate at most ``memory_bytes`` more than it inherited.

    Exceptions ``function`` raises come back as they are (they must pickle); running out of memory or dying (a
    signal, an abort in native code) becomes ReaderFailed.
    """
    budget = f"{memory_bytes / 2**20:,.0f} MB"
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_end)
            # An expected failure (out of budget) is reported by the parent as an error on the file: no crash dump,
            # Rust panic or backtrace on the terminal or in the server's log.
            faulthandler.disable()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            limit = _address_space_now() + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                outcome = (True, function(*args))
            except MemoryError:
                outcome = (False, ReaderFailed(f"reading it needs more than the {budget} of memory a return may use"))
            except Exception as error:  # handed to the caller as it is
                outcome = (False, error)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            status = 70
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data or os.waitstatus_to_exitcode(status) != 0:
        how = (
            f"signal {signal.Signals(os.WTERMSIG(status)).name}"
            if os.WIFSIGNALED(status)
            else f"exit code {os.waitstatus_to_exitcode(status)}"
        )
        raise ReaderFailed(
            f"the reader stopped while reading it ({how}: out of its {budget} memory budget, or a damaged file)"
        )
    succeeded, value = pickle.loads(data)
    if succeeded:
        return value
    raise value
