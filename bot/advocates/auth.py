"""Logging in to the inbox: email and password (argon2), and sessions that end on the server.

The brake on guessing (attempts counted per account and per address) is in throttle.py.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..security import peer_address
from ..storage import tallies
from ..storage.advocates import Advocate
from ..storage.db import transaction
from . import audit, devices, roster, throttle

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/inbox")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see the inbox."
login_manager.session_protection = "basic"


class Account(UserMixin):
    """The logged-in advocate, as flask-login keeps them between requests."""

    def __init__(self, advocate: Advocate):
        self.advocate_id = advocate.id
        self.name = advocate.name
        self.role = advocate.role
        # The session ends when the advocate's session generation moves on (logout, password
        # or role change, deactivation, `hotline advocate sessions-end`); the fingerprint
        # also ends it when the password or role changes by any other path.
        self.generation = advocate.session_generation or 0
        self._fingerprint = _fingerprint(advocate)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        return f"{self.advocate_id}:{self.generation}:{self._fingerprint}"


def _fingerprint(advocate: Advocate) -> str:
    material = f"{advocate.password_hash}|{advocate.role}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


@login_manager.user_loader
def load_account(user_id: str) -> Account | None:
    parts = user_id.split(":")
    if len(parts) != 3 or not parts[0].isdecimal() or not parts[1].isdecimal():
        return None
    advocate_id, generation, fingerprint = parts
    with Session(current_app.extensions["hotline"].db) as session:
        advocate = session.get(Advocate, int(advocate_id))
        if (
            advocate is None
            or not advocate.active
            or (advocate.session_generation or 0) != int(generation)
            or _fingerprint(advocate) != fingerprint
        ):
            return None
        return Account(advocate)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


# --------------------------------------------------------------------------- views
def client_address() -> str:
    """The peer's address, from the trusted proxies only (see bot/security.py)."""
    return peer_address()


def _safe_next(target: str | None) -> str:
    """Only a path inside the inbox: never an address on another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/inbox"):
            return target
    return url_for("inbox.queue")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.queue"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("inbox/login.html", form=form, error=None), status
    desk = current_app.extensions["advocates"]
    now = desk.now()
    email, password, address = form.email.data or "", form.password.data or "", client_address()
    device = devices.known_device()
    advocate: Advocate | None = None
    # 1. Count the attempt (a short transaction: the SQLite write lock is held for a moment).
    with transaction(desk.hotline.db) as session:
        advocate = roster.find_by_email(session, email)
        mine = device if advocate and device and device.advocate_id == advocate.id else None
        keys = throttle.Keys.of(email, address, mine.device_id if mine else None)
        ticket = throttle.admit(session, keys, now, known_account=advocate is not None)
        if not ticket.allowed:
            tallies.add(session, tallies.LOGINS_REFUSED, "locked_out")
        if not ticket.allowed and ticket.audit:
            audit.record(session, "login_blocked", advocate_id=None, ip=address)
    if not ticket.allowed:
        if ticket.audit:
            log.warning("login blocked: too many failures")
        error = "Too many failed attempts. Wait 15 minutes, then try again."
        return render_template("inbox/login.html", form=form, error=error), 429
    # 2. The argon2 check, with no lock held: failed logins never hold up the webhook.
    if advocate is None:
        roster.burn_time(password)
    right = advocate is not None and roster.check_password(advocate, password)
    # 3. Record the outcome.
    with transaction(desk.hotline.db) as session:
        current = session.get(Advocate, advocate.id) if advocate is not None else None
        if (
            not right
            or current is None
            or not current.active
            or current.password_hash != advocate.password_hash  # changed meanwhile
        ):
            if ticket.audit:  # one row per address and window, not one per guess
                audit.record(
                    session, "login_failed", advocate_id=advocate.id if advocate else None,
                    ip=address,
                )
            tallies.add(session, tallies.LOGINS_REFUSED, "wrong_password")
            error = "Wrong email or password."
            return render_template("inbox/login.html", form=form, error=error), 401
        throttle.succeeded(session, ticket)
        current.last_login_at = now
        session.add(current)
        audit.record(session, "login", advocate_id=current.id, ip=address)
        account = Account(current)
    cookie.clear()  # a fresh session: nothing from before the login carries over
    login_user(account)
    cookie.permanent = True
    log.info("login advocate=%s", account.advocate_id)
    response = redirect(_safe_next(request.args.get("next")))
    devices.remember(response, account.advocate_id, device)
    return response


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        desk = current_app.extensions["advocates"]
        with transaction(desk.hotline.db) as session:
            advocate = session.get(Advocate, current_user.advocate_id)
            if advocate is not None:
                # The cookie is signed, not stored: a copy saved before logout would still
                # open the inbox unless the server stops accepting its generation.
                roster.end_sessions(session, advocate)
            audit.record(
                session, "logout", advocate_id=current_user.advocate_id, ip=client_address()
            )
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))
