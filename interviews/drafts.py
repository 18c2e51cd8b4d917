"""The debrief wizard's storage: one ``DebriefDraft`` row per interview, not the session.

formtools keeps a wizard's state (the current step and each step's posted text) in a
storage object with a ``data`` dict. Session storage loses it when the candidate signs out
and cannot follow them to another device; this one loads the interview's draft row when
the request starts and writes it back, once, when the response is ready — only if it
changed, and only while some step holds text (a wizard merely opened leaves no row).
"""

from __future__ import annotations

import copy

from formtools.wizard.storage.base import BaseStorage

from interviews import services
from interviews.models import DebriefDraft, Interview

# The wizard's steps in order (``interviews.views.DEBRIEF_STEPS`` names them the same): a
# draft says which one the candidate was on, so a page can say "step 3 of 4".
STEPS = ("notes", "questions", "answers", "review")


def step_number(step: str | None) -> int | None:
    """The 1-based number of a stored step, or None (no draft, or an unknown step)."""
    return STEPS.index(step) + 1 if step in STEPS else None


class DebriefDraftStorage(BaseStorage):
    def __init__(self, prefix: str, request=None, file_storage=None, *, interview: Interview):
        super().__init__(prefix, request, file_storage)
        self.interview = interview
        stored = (
            DebriefDraft.objects.filter(interview=interview).values_list("data", flat=True).first()
        )
        if self._well_formed(stored):
            self.data = stored
        else:
            self.init_data()
        self._stored = copy.deepcopy(self.data) if stored else None

    def _well_formed(self, stored) -> bool:
        return isinstance(stored, dict) and isinstance(stored.get(self.step_data_key), dict)

    def has_text(self) -> bool:
        return bool(self.data[self.step_data_key])

    def update_response(self, response):
        super().update_response(response)
        self.save()

    def save(self) -> None:
        """Write the draft back if it changed; no text left means no draft."""
        if not self.has_text():
            if self._stored is not None:
                services.debrief_draft_discard(interview=self.interview)
                self._stored = None
            return
        if self.data != self._stored:
            services.debrief_draft_store(interview=self.interview, data=self.data)
            self._stored = copy.deepcopy(self.data)


def has_draft(interview: Interview) -> bool:
    """Whether a debrief of this interview was started and not saved."""
    return DebriefDraft.objects.filter(interview=interview).exists()
