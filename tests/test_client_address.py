"""The client's real address behind trusted proxies: rate limits, admin lockout and logs."""

import logging
import runpy
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from core.clients import client_address, rate_limit_key

BASE_DIR = Path(__file__).resolve().parent.parent
VERIFY = "/certificates/verify/"
PROXY = "10.0.0.2"  # the load balancer
A, B = "203.0.113.7", "198.51.100.2"


def request_from(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


# The address itself


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from(A, forwarded="192.0.2.1")) == A


def test_a_forged_header_from_an_untrusted_client_changes_nothing(behind_proxy):
    assert client_address(request_from(A, forwarded="192.0.2.1")) == A
    assert client_address(request_from(A, forwarded=f"{PROXY}, 10.0.0.9")) == A


def test_behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client(behind_proxy):
    assert client_address(request_from(PROXY, forwarded=A)) == A
    # A client that sends its own header cannot choose its address: the proxy appends the real one.
    assert client_address(request_from(PROXY, forwarded=f"192.0.2.1, {A}")) == A
    # Two trusted hops (a CDN in 10/8, then the balancer).
    assert client_address(request_from(PROXY, forwarded=f"192.0.2.1, {A}, 10.1.1.1")) == A


def test_a_malformed_hop_stops_the_walk(behind_proxy):
    assert client_address(request_from(PROXY, forwarded=f"{A}, not-an-address")) == PROXY


def test_a_proxy_that_sends_no_header_is_the_client(behind_proxy):
    assert client_address(request_from(PROXY)) == PROXY


def test_ipv6_clients_are_counted_per_64(behind_proxy):
    one = request_from(PROXY, forwarded="2001:db8:1:2::a")
    same_household = request_from(PROXY, forwarded="2001:db8:1:2:ffff::1")
    neighbour = request_from(PROXY, forwarded="2001:db8:1:3::a")
    assert rate_limit_key(one) == rate_limit_key(same_household) == "2001:db8:1:2::/64"
    assert rate_limit_key(neighbour) == "2001:db8:1:3::/64"
    assert rate_limit_key(request_from("::ffff:203.0.113.7")) == A


# The certificate check's rate limit


@pytest.fixture
def limit(settings, db):
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 3
    return 3


def verify(remote: str, forwarded: str | None = None) -> int:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().get(VERIFY, {"q": "1/QĐ"}, **extra).status_code


def test_a_client_cannot_escape_the_limit_by_forging_the_header(behind_proxy, limit):
    statuses = [verify(A, forwarded=f"192.0.2.{n}") for n in range(limit + 1)]
    assert statuses == [200] * limit + [429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(behind_proxy, limit):
    for _ in range(limit):
        assert verify(PROXY, forwarded=A) == 200
    assert verify(PROXY, forwarded=A) == 429
    assert verify(PROXY, forwarded=B) == 200  # not everyone behind the balancer


def test_ipv6_clients_share_a_limit_per_64(behind_proxy, limit):
    for n in range(limit):
        assert verify(PROXY, forwarded=f"2001:db8:1:2::{n + 1}") == 200
    assert verify(PROXY, forwarded="2001:db8:1:2::ffff") == 429  # same /64
    assert verify(PROXY, forwarded="2001:db8:1:3::1") == 200  # the next /64


# The admin lockout (django-axes)


def log_in(username: str, password: str, forwarded: str):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).post(
        reverse("admin:login"), {"username": username, "password": password}
    )


def test_failed_logins_from_one_address_do_not_lock_out_another(behind_proxy, db):
    get_user_model().objects.create_superuser("staff", "staff@example.invalid", "right-pw")
    for _attempt in range(6):
        log_in("staff", "wrong", forwarded=A)
    assert log_in("staff", "right-pw", forwarded=A).status_code == 429
    assert log_in("staff", "right-pw", forwarded=B).status_code == 302


def test_the_lockout_records_the_client_not_the_proxy(behind_proxy, db):
    from axes.models import AccessAttempt

    log_in("staff", "wrong", forwarded=A)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [A]


# Logs


def test_the_request_log_names_the_client(behind_proxy, db, caplog):
    caplog.set_level(logging.INFO, logger="ocop.request")
    Client().get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {A}")
    [line] = [record for record in caplog.records if record.name == "ocop.request"]
    assert line.client == A


# gunicorn


def test_gunicorn_trusts_the_same_proxies_and_never_rewrites_remote_addr(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["forwarded_allow_ips"] == "10.0.0.0/8,192.0.2.10"
    assert config["proxy_protocol"] is False
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["forwarded_allow_ips"] == ""
