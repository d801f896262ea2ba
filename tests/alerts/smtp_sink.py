"""SMTP receiver for the digest test (aiosmtpd): stores each message as OUT_DIR/N.eml.

Usage: smtp_sink.py PORT_FILE OUT_DIR [--auth USER:PASSWORD] [--starttls CERT KEY | --tls CERT KEY]
--auth: the server requires AUTH (PLAIN/LOGIN; allowed without TLS here) and records the
authenticated login in OUT_DIR/N.auth. --starttls: STARTTLS offered and required before MAIL.
--tls: implicit TLS (smtps). Each message's TLS state goes to OUT_DIR/N.tls.
"""
import os
import argparse
import socket
import ssl
import sys
import time
import logging
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("port_file")
ap.add_argument("out_dir")
ap.add_argument("--auth")
ap.add_argument("--starttls", nargs=2)
ap.add_argument("--tls", nargs=2)
a = ap.parse_args()
port_file, out_dir, creds = a.port_file, a.out_dir, a.auth
os.makedirs(out_dir, exist_ok=True)


class Handler:
    def __init__(self):
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(out_dir, str(self.n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write("from=%s\nto=%s\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos)))
        if session.authenticated:
            with open(base + ".auth", "w") as f:
                f.write(str(session.auth_data))
        with open(base + ".tls", "w") as f:
            secure = session.ssl or server.transport.get_extra_info("ssl_object") is not None
            f.write("tls" if secure else "plain")
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = creds.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, auth_data=user if ok else None)


# A free port (aiosmtpd's Controller needs one up front).
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
kwargs = {}
if creds:
    kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
def context(pair):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pair[0], pair[1])
    return ctx


if a.starttls:
    kwargs.update(tls_context=context(a.starttls), require_starttls=True)
if a.tls:
    kwargs.update(ssl_context=context(a.tls))
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
with open(port_file + ".tmp", "w") as f:
    f.write(str(port))
os.replace(port_file + ".tmp", port_file)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
