"""Dossier registers and auditable samples: import, preview, commit, draw, check, verify.

The order of a draw is what makes it auditable (docs/sampling.md):

1. :func:`preview_register` reads the file and shows the column mapping and the unreadable rows;
   nothing is stored yet.
2. :func:`import_register` stores the register for the visit: the readable rows, only the columns
   the check needs, and the frame hash.
3. :func:`prepare_sample` fixes the parameters, takes a seed from the operating system and records
   its commitment (SHA-256 of the seed) with the frame hash, before anything is drawn. The seed
   stays in memory, in the returned :class:`PreparedSample`; the database only learns it at the draw.
   A prepared sample that is never drawn stays on record, visibly abandoned.
4. :func:`draw_sample` reveals the seed, draws, and records the seed, the strata and one
   :class:`DossierCheck` per sampled dossier.
5. :func:`record_dossier_check` saves the per-dossier checklist answers.
6. :func:`verify_sample` re-draws from the original file the unit keeps, or from the stored frame,
   and compares.

This module is the one door the UI and the CLI use; the work is done in three modules, one concern
each: :mod:`.register_import` (preview, import, the stored frame), :mod:`.sample_draw` (commitment,
draw, verification) and :mod:`.dossier_checks` (the per-dossier checklist and the minutes' annex).
"""

from __future__ import annotations

from ..domain.sampling import (  # the UI builds sizes through this door
    DrawSpec,
    SampleSize,
)
from .dossier_checks import (
    DOSSIER_CHECKLIST_ID,
    SampledDossier,
    dossier_checklist,
    dossier_gaps,
    minutes_sample,
    record_dossier_check,
    sampled_dossiers,
    set_dossier_note,
    working_calendar,
)
from .register_import import (
    RegisterPreview,
    RegisterSummary,
    forget_frames,
    import_register,
    list_registers,
    load_frame,
    preview_register,
    preview_register_bytes,
    preview_register_file,
)
from .register_uploads import remove_kept_uploads
from .sample_draw import (
    PreparedSample,
    SampleSummary,
    draw_new_sample,
    draw_sample,
    list_samples,
    local_today,
    prepare_sample,
    recorded_draw,
    verify_sample,
)

__all__ = [
    "DOSSIER_CHECKLIST_ID",
    "DrawSpec",
    "SampleSize",
    "PreparedSample",
    "RegisterPreview",
    "RegisterSummary",
    "SampleSummary",
    "SampledDossier",
    "dossier_checklist",
    "dossier_gaps",
    "draw_new_sample",
    "draw_sample",
    "forget_frames",
    "import_register",
    "list_registers",
    "list_samples",
    "load_frame",
    "local_today",
    "minutes_sample",
    "prepare_sample",
    "preview_register",
    "preview_register_bytes",
    "preview_register_file",
    "record_dossier_check",
    "recorded_draw",
    "remove_kept_uploads",
    "sampled_dossiers",
    "set_dossier_note",
    "verify_sample",
    "working_calendar",
]
