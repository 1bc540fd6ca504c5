"""Logging in to the inbox: email and password (argon2), sessions, and a brake on guessing.

Failed attempts are counted in the database (`login_attempt`), per account and per address,
rather than in process memory: the inbox runs in several gunicorn workers and on several
machines, and a guesser must not get a fresh allowance from each of them.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
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
from sqlalchemy import delete, func
from sqlmodel import Session, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..security import peer_address
from ..storage import crypto
from ..storage.advocates import Advocate, LoginAttempt
from ..storage.db import transaction
from . import audit, roster

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/inbox")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see the inbox."
login_manager.session_protection = "basic"

ATTEMPT_WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5  # failed attempts for one email within the window
PER_ADDRESS = 20  # failed attempts from one IP address within the window


class Account(UserMixin):
    """The logged-in advocate, as flask-login keeps them between requests."""

    def __init__(self, advocate: Advocate):
        self.advocate_id = advocate.id
        self.name = advocate.name
        self.role = advocate.role
        # Changing the password (or the account's role) ends every other session.
        self._fingerprint = _fingerprint(advocate)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        return f"{self.advocate_id}:{self._fingerprint}"


def _fingerprint(advocate: Advocate) -> str:
    material = f"{advocate.password_hash}|{advocate.role}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


@login_manager.user_loader
def load_account(user_id: str) -> Account | None:
    advocate_id, _, fingerprint = user_id.partition(":")
    if not advocate_id.isdigit():
        return None
    with Session(current_app.extensions["hotline"].db) as session:
        advocate = session.get(Advocate, int(advocate_id))
        if advocate is None or not advocate.active or _fingerprint(advocate) != fingerprint:
            return None
        return Account(advocate)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


# --------------------------------------------------------------------------- rate limit
def _keys(email: str, address: str) -> tuple[str, str]:
    keys = crypto.current()
    return (
        keys.lookup_hash("login-account:" + roster.normal_email(email)),
        keys.lookup_hash("login-address:" + address),
    )


def too_many_failures(session: Session, email: str, address: str, now: datetime) -> bool:
    """True once an account or an address has failed too often in the last minutes."""
    account, place = _keys(email, address)
    since = now - ATTEMPT_WINDOW

    def failures(key: str) -> int:
        return session.exec(
            select(func.count()).where(LoginAttempt.key_hash == key, LoginAttempt.at >= since)
        ).one()

    return failures(account) >= PER_ACCOUNT or failures(place) >= PER_ADDRESS


def record_failure(session: Session, email: str, address: str, now: datetime) -> None:
    for key in _keys(email, address):
        session.add(LoginAttempt(key_hash=key, at=now))


def clear_failures(session: Session, email: str, address: str) -> None:
    account, _ = _keys(email, address)
    session.execute(delete(LoginAttempt).where(LoginAttempt.key_hash == account))


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
    with transaction(desk.hotline.db) as session:
        if too_many_failures(session, email, address, now):
            audit.record(session, "login_blocked", advocate_id=None, ip=address)
            log.warning("login blocked: too many failures")
            error = "Too many failed attempts. Wait 15 minutes, then try again."
            return render_template("inbox/login.html", form=form, error=error), 429
        advocate = roster.find_by_email(session, email)
        if advocate is None:
            roster.burn_time(password)
        if advocate is None or not roster.check_password(advocate, password):
            record_failure(session, email, address, now)
            audit.record(
                session, "login_failed", advocate_id=advocate.id if advocate else None, ip=address
            )
            error = "Wrong email or password."
            return render_template("inbox/login.html", form=form, error=error), 401
        clear_failures(session, email, address)
        advocate.last_login_at = now
        session.add(advocate)
        audit.record(session, "login", advocate_id=advocate.id, ip=address)
        account = Account(advocate)
    cookie.clear()  # a fresh session: nothing from before the login carries over
    login_user(account)
    cookie.permanent = True
    log.info("login advocate=%s", account.advocate_id)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        desk = current_app.extensions["advocates"]
        with transaction(desk.hotline.db) as session:
            audit.record(
                session, "logout", advocate_id=current_user.advocate_id, ip=client_address()
            )
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))
