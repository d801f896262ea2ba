"""SMTP receiver for the digest test (aiosmtpd): stores each message as OUT_DIR/N.eml.

Usage: smtp_sink.py PORT_FILE OUT_DIR [USER:PASSWORD]
With USER:PASSWORD the server requires AUTH (PLAIN/LOGIN, allowed without TLS on 127.0.0.1)
and records the authenticated login in OUT_DIR/N.auth.
"""
import os
import socket
import sys
import time
import logging
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port_file, out_dir = sys.argv[1], sys.argv[2]
creds = sys.argv[3] if len(sys.argv) > 3 else None
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
