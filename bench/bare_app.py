"""The baseline for bench/webhook.py: one Flask route answering a fixed TwiML string.

It does no signature check, no storage, nothing else, so the hotline app's figures can be read
as a ratio to the cost of Flask + gunicorn alone on the same machine.

    gunicorn -w 2 -b 127.0.0.1:8001 bench.bare_app:app
"""

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    "<Response><Message>Hola. Reply 1 for help, 2 for a lawyer, MENU for options.</Message>"
    "</Response>"
)

app = Flask(__name__)


@app.post("/twilio/messages")
def twilio_messages() -> Response:
    return Response(TWIML, status=200, mimetype="text/xml")


def create_app() -> Flask:
    return app
