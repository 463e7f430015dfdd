"""What other apps may listen to, so `pathway` never imports them (style-anchors §4.1: kpis depends on
pathway, not the reverse).

`case_changed` is sent by every write in `pathway.services`, inside its transaction, with
`case`, `by` (the user) and `previous_birth` (the birth time before an edit, or None). A receiver that
does work after commit must use `transaction.on_commit` itself.

`case_exported` is sent by `csv_io.record_export` (the download page, the `export_cases` command and
reporting's export jobs all call it) once the export's audit row is written, with `event`: that
`core.AuditEvent`, whose `changes` hold `rows`, `identifiable` and `reason`. reporting's export log listens.
"""

from django.dispatch import Signal

case_changed = Signal()
case_exported = Signal()
