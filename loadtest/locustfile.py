"""Load scenario: nurse specialists entering cases, consultants browsing the KPI dashboards.

Run by loadtest/run.sh against gunicorn on loopback (DEBUG=false, a seeded database of its own). The demo
logins (units/demo_users.py) sign in with the documented demo password; OTP_REQUIRED=false in that
environment, because a load generator cannot read an authenticator app.

Production sits behind a TLS proxy, so every request says X-Forwarded-Proto: https (settings
SECURE_PROXY_SSL_HEADER) and carries an Origin, as a browser would; the Secure session and CSRF cookies are
then sent back over the loopback's plain HTTP by a cookie jar that stores them without the Secure flag.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime, timedelta
from http.cookiejar import Cookie
from typing import Any
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

LONDON = ZoneInfo("Europe/London")
PASSWORD = "demo-pathway-2026"  # units.demo_users.DEMO_PASSWORD (demo logins only, never real data)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_UNIT_OPTION = re.compile(r'<option value="(\d+)"[^>]*>[^<]*\((RWG02|RGT01)\)<')
_FUNNEL = re.compile(r'href="(/kpis/kpi/[^/"]+/funnel/)[^"]*"')
_CASE = re.compile(r"/cases/(\d+)/")


class SignedInUser(HttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        host = self.host.rstrip("/")
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": host.replace("http://", "https://"),
                                    "Referer": host.replace("http://", "https://") + "/"})
        self.client.cookies = _BehindTlsProxyJar()
        page = self.client.get("/accounts/login/", name="login form")
        response = self.client.post("/accounts/login/", name="sign in", allow_redirects=False, data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page.text)})
        if response.status_code != 302 or "/accounts/login/" in response.headers.get("Location", ""):
            raise RuntimeError(f"{self.username} could not sign in (status {response.status_code})")


class _BehindTlsProxyJar(RequestsCookieJar):
    """Sends Secure cookies over the plain-HTTP loopback, which stands for the proxy's TLS connection.
    (A cookie policy is not enough: requests copies the jar into a default one for every request.)"""

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        cookie.secure = False
        super().set_cookie(cookie, *args, **kwargs)


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


class NurseSpecialist(SignedInUser):
    """Enters cases: the list, the new-case form, a new case, then its cooling section (htmx save)."""

    username = "nurse"
    weight = 1
    wait_time = between(1, 3)

    @task(3)
    def case_list(self) -> None:
        self.client.get("/cases/", name="/cases/")

    @task(1)
    def enter_a_case(self) -> None:
        form = self.client.get("/cases/new/", name="/cases/new/ (form)")
        units = dict((ods, pk) for pk, ods in _UNIT_OPTION.findall(form.text))
        now = datetime.now(tz=LONDON).replace(second=0, microsecond=0)
        birth = now - timedelta(days=random.randint(1, 60), hours=8)
        with self.client.post("/cases/new/", name="/cases/new/ (save)", allow_redirects=False,
                              catch_response=True, data={
            "csrfmiddlewaretoken": _csrf(form.text),
            "case_ref": f"LOAD-{uuid.uuid4().hex[:10].upper()}",
            "birth_datetime": f"{birth:%d/%m/%Y %H:%M}",
            "sex": random.choice(["male", "female"]), "multiple_birth": "no",
            "gestation_weeks": "39", "gestation_days": "2", "birth_weight_g": "3300",
            "birth_unit": units.get("RWG02", ""), "cooling_centre": units.get("RGT01", ""),
            "therapeutic_hypothermia": "yes",
        }) as created:
            match = _CASE.search(created.headers.get("Location", ""))
            if created.status_code != 302 or match is None:
                created.failure(f"case not created: {created.status_code}")
                return
            created.success()
        self.save_cooling(int(match.group(1)), birth)

    def save_cooling(self, pk: int, birth: datetime) -> None:
        url = f"/cases/{pk}/section/cooling/"
        htmx = {"HX-Request": "true"}
        panel = self.client.get(url, headers=htmx, name="/cases/[id]/section/cooling/ (form)")
        start, target = birth + timedelta(hours=3), birth + timedelta(hours=3, minutes=40)
        data = dict(_HIDDEN.findall(panel.text))
        data.update(csrfmiddlewaretoken=_csrf(panel.text) if _CSRF.search(panel.text) else
                    self.client.cookies.get("csrftoken", ""),
                    active_cooling_start=f"{start:%d/%m/%Y %H:%M}", target_temp_reached=f"{target:%d/%m/%Y %H:%M}")
        headers = {**htmx, "X-CSRFToken": data["csrfmiddlewaretoken"]}
        with self.client.post(url, data=data, headers=headers, name="/cases/[id]/section/cooling/ (save)",
                              catch_response=True) as saved:
            if saved.status_code != 200 or "Saved at" not in saved.text:
                saved.failure(f"cooling not saved: {saved.status_code}")


class Consultant(SignedInUser):
    """Browses the KPI dashboards: the network overview, a unit page and a KPI's funnel."""

    username = "consultant"
    weight = 1
    wait_time = between(1, 3)
    funnels: list[str] = []

    @task(2)
    def overview(self) -> None:
        page = self.client.get("/kpis/", name="/kpis/")
        self.funnels = sorted(set(_FUNNEL.findall(page.text))) or self.funnels

    @task(2)
    def unit_page(self) -> None:
        self.client.get(f"/kpis/unit/{random.choice(['RGT01', 'RWG02', 'RDE03', 'RM102'])}/", name="/kpis/unit/[ods]/")

    @task(1)
    def funnel(self) -> None:
        if self.funnels:
            self.client.get(random.choice(self.funnels), name="/kpis/kpi/[code]/funnel/")
