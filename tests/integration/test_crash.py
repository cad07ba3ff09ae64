"""A visit survives the process being killed between two answers."""

import os
import signal
import subprocess
import sys
import textwrap

from inspection_app.services import checklists
from inspection_app.services.context import AppContext

CHILD = textwrap.dedent("""
    import os, signal, sys
    from inspection_app.services import checklists
    from inspection_app.services.context import AppContext
    ctx = AppContext.open(sys.argv[1])
    checklists.record_answer(ctx, sys.argv[2], "working_hours", "wh.on_time", "fail", note="Đến muộn 20 phút")
    print("first-saved", flush=True)
    sys.stdin.readline()  # the parent kills us here, before the second answer
    checklists.record_answer(ctx, sys.argv[2], "working_hours", "wh.attendance_records", "pass")
""")


def test_first_answer_survives_a_kill(ctx, visit):
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(ctx.data_dir), visit.id],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "first-saved"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    restarted = AppContext.open(ctx.data_dir)
    answers = checklists.answers_for(restarted, visit.id)
    first = answers[("working_hours", "wh.on_time")]
    assert (first.value, first.note) == ("fail", "Đến muộn 20 phút")
    assert ("working_hours", "wh.attendance_records") not in answers
    from inspection_app.store.audit import verify_chain
    with restarted.session() as s:
        assert verify_chain(s).ok
    restarted.close()
