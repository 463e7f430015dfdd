"""`python manage.py demo_logins`: who to log in as for a demo (printed by `make run`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from units.demo_users import DEMO_PASSWORD, DEMO_URL, demo_users_existing

HEADER = ("username", "password", "role", "unit(s)")


class Command(BaseCommand):
    help = "Print the demo logins (username, role, unit, password) and the local URL."

    def handle(self, *args: object, **options: Any) -> None:
        found = demo_users_existing()
        if not found:
            self.stdout.write("No demo users yet: run `python manage.py seed_demo` first.")
            return
        rows = [HEADER]
        for spec, user in found:
            memberships = list(user.memberships.all())
            roles = ", ".join(sorted({m.get_role_display() for m in memberships})) or "(no role)"
            units = ", ".join(sorted(str(m.unit) for m in memberships)) or "-"
            if spec.network_wide:
                units += ", network-wide"
            if spec.superuser:
                units += "; also /admin"
            # Checked, not assumed: a demo user whose password was changed should not be advertised.
            password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(changed)"
            rows.append((user.username, password, roles, units))
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
        self.stdout.write(f"\nDemo logins for {DEMO_URL}\n")
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[-1]]))
        self.stdout.write("")
