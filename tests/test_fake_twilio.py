"""The fake Twilio server answers the real twilio SDK the way Twilio does."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from tests.fake_twilio import FakeTwilio, num_segments, twilio_client_for

SENDER = "+15550100000"
RECIPIENT = "+15550100001"


@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def client(fake):
    return twilio_client_for(fake.base_url, fake.account_sid, fake.auth_token)


def test_sdk_creates_message(fake, client):
    msg = client.messages.create(
        to=RECIPIENT,
        from_=SENDER,
        body="hola",
        status_callback="http://127.0.0.1:9/twilio/status",
    )
    assert msg.sid.startswith("SM") and len(msg.sid) == 34
    assert int(msg.sid[2:], 16) >= 0
    assert msg.status == "queued"
    assert msg.to == RECIPIENT and msg.from_ == SENDER and msg.body == "hola"
    assert msg.direction == "outbound-api"
    assert msg.account_sid == fake.account_sid
    assert msg.error_code is None
    assert msg.num_segments == "1"
    assert msg.date_created is not None and msg.date_created.tzinfo is not None

    [stored] = fake.messages
    assert stored["sid"] == msg.sid
    assert stored["to"] == RECIPIENT and stored["body"] == "hola"
    assert stored["status_callback"] == "http://127.0.0.1:9/twilio/status"
    assert fake.requests[-1]["status"] == 201
    assert fake.requests[-1]["form"]["Body"] == ["hola"]

    # snapshots: changing them does not change the fake
    fake.messages.clear()
    assert len(fake.messages) == 1

    # listing and fetching through the SDK
    listed = client.messages.list(to=RECIPIENT, limit=10)
    assert [m.sid for m in listed] == [msg.sid]
    assert client.messages(msg.sid).fetch().body == "hola"


def test_messaging_service_media_and_content(fake, client):
    msg = client.messages.create(
        to="whatsapp:" + RECIPIENT,
        messaging_service_sid="MG" + "1" * 32,
        media_url=["https://example.org/a.jpg", "https://example.org/b.jpg"],
    )
    assert msg.status == "accepted"
    assert msg.from_ is None
    assert msg.messaging_service_sid == "MG" + "1" * 32
    assert msg.num_media == "2"
    tpl = client.messages.create(
        to=RECIPIENT, from_=SENDER, content_sid="HX" + "2" * 32, content_variables='{"1": "x"}'
    )
    first, second = fake.messages
    assert first["media_url"] == ["https://example.org/a.jpg", "https://example.org/b.jpg"]
    assert second["sid"] == tpl.sid
    assert second["content_sid"] == "HX" + "2" * 32
    assert second["content_variables"] == '{"1": "x"}'


def test_bad_auth_is_401(fake):
    bad = twilio_client_for(fake.base_url, fake.account_sid, "wrong-token")
    with pytest.raises(TwilioRestException) as info:
        bad.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
    assert info.value.status == 401
    assert info.value.code == 20003
    assert fake.messages == []
    assert fake.requests[-1]["status"] == 401


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to": "", "from_": SENDER, "body": "x"}, 21604),
        ({"to": "12345", "from_": SENDER, "body": "x"}, 21211),
        ({"to": RECIPIENT, "body": "x"}, 21603),
        ({"to": RECIPIENT, "from_": SENDER}, 21602),
        ({"to": RECIPIENT, "from_": SENDER, "body": "x" * 1601}, 21617),
        ({"to": RECIPIENT, "from_": "whatsapp:" + SENDER, "body": "x"}, 21910),
    ],
)
def test_validation_errors(fake, client, kwargs, code):
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(**kwargs)
    assert info.value.status == 400
    assert info.value.code == code
    assert fake.messages == []


def test_fail_next(fake, client):
    fake.fail_next(1, 500)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
    assert info.value.status == 500
    assert info.value.code == 20500
    client.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
    assert len(fake.messages) == 1
    assert [r["status"] for r in fake.requests] == [500, 201]


def test_fail_next_429_has_twilio_shape(fake, client):
    fake.fail_next(2, 429)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as info:
            client.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
        assert info.value.status == 429 and info.value.code == 20429
    response = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json",
        data={"To": RECIPIENT, "From": SENDER, "Body": "hola"},
        auth=(fake.account_sid, fake.auth_token),
        timeout=5,
    )
    assert response.status_code == 201


def test_fail_to(fake, client):
    fake.fail_to(RECIPIENT, 400, 21610, "Attempt to send to unsubscribed recipient")
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
    assert info.value.status == 400
    assert info.value.code == 21610
    assert "unsubscribed" in info.value.msg
    client.messages.create(to="+15550100002", from_=SENDER, body="hola")
    assert [m["to"] for m in fake.messages] == ["+15550100002"]


def test_delay_next_triggers_client_timeout(fake):
    fake.delay_next(1, 2.0)
    impatient = twilio_client_for(fake.base_url, fake.account_sid, fake.auth_token, timeout=0.3)
    with pytest.raises(requests.exceptions.Timeout):
        impatient.messages.create(to=RECIPIENT, from_=SENDER, body="hola")
    # only the next one was delayed
    impatient.messages.create(to=RECIPIENT, from_=SENDER, body="again")


def test_fail_ratio_is_about_a_third_and_deterministic(fake, client):
    def run() -> list[int]:
        fake.reset()
        fake.fail_ratio(1 / 3, status=500, seed=7)
        failed = []
        for i in range(300):
            try:
                client.messages.create(to=RECIPIENT, from_=SENDER, body=f"n{i}")
            except TwilioRestException as err:
                assert err.status == 500
                failed.append(i)
        return failed

    first = run()
    assert 80 <= len(first) <= 120
    assert len(fake.messages) == 300 - len(first)
    assert run() == first


def test_status_callback_is_signed(fake, client):
    received: list[tuple[str, dict[str, str], str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            from urllib.parse import parse_qsl

            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, dict(parse_qsl(body)), self.headers["X-Twilio-Signature"]))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/twilio/status?x=1"
        msg = client.messages.create(to=RECIPIENT, from_=SENDER, body="hola", status_callback=url)
        assert fake.callback(msg.sid, "undelivered", error_code=30003) == 204
    finally:
        server.shutdown()
        server.server_close()

    [(path, params, signature)] = received
    assert path == "/twilio/status?x=1"
    assert params["MessageSid"] == msg.sid
    assert params["MessageStatus"] == "undelivered"
    assert params["ErrorCode"] == "30003"
    assert params["AccountSid"] == fake.account_sid
    assert params["To"] == RECIPIENT and params["From"] == SENDER
    assert RequestValidator(fake.auth_token).validate(url, params, signature)
    assert fake.message(msg.sid)["status"] == "undelivered"
    assert fake.message(msg.sid)["error_code"] == 30003


def test_unknown_path_and_wrong_account(fake):
    auth = (fake.account_sid, fake.auth_token)
    r = requests.get(f"{fake.base_url}/nope", auth=auth, timeout=5)
    assert r.status_code == 404 and r.json()["code"] == 20404
    other = "AC" + "f" * 32
    r = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/{other}/Messages.json",
        data={"To": RECIPIENT, "From": SENDER, "Body": "x"},
        auth=auth,
        timeout=5,
    )
    assert r.status_code == 404
    assert set(r.json()) == {"code", "message", "more_info", "status"}


def test_num_segments():
    assert num_segments("a" * 160) == 1
    assert num_segments("a" * 161) == 2
    assert num_segments("€" * 80) == 1
    assert num_segments("€" * 81) == 2
    assert num_segments("ñ" * 160) == 1  # ñ is in GSM-7
    assert num_segments("á" * 70) == 1  # á is not: UCS-2
    assert num_segments("á" * 71) == 2


def test_stop_is_prompt_while_a_request_is_delayed():
    import time

    fake = FakeTwilio().start()
    fake.delay_next(1, 30)
    client = fake.client(timeout=0.2)
    with pytest.raises(requests.exceptions.Timeout):
        client.messages.create(to=RECIPIENT, from_=SENDER, body="x")
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 5
