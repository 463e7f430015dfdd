"""What other apps may listen to, so `pathway` never imports them (style-anchors §4.1: kpis depends on
pathway, not the reverse).

`case_changed` is sent by every write in `pathway.services`, inside its transaction, with
`case`, `by` (the user) and `previous_birth` (the birth time before an edit, or None). A receiver that
does work after commit must use `transaction.on_commit` itself.
"""

from django.dispatch import Signal

case_changed = Signal()
