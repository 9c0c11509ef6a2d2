# Loaded by schemathesis (SCHEMATHESIS_HOOKS) for dev.patchops.testing.Schemathesis.
# Records one line per request so the Java side can count them and list what it saw, and
# fails any response that shows the service's insides: a Java class name or a stack frame.
import os
import re
import threading

import schemathesis

_LOG = os.environ["PATCHOPS_FUZZ_LOG"]
_LOCK = threading.Lock()

# A leak is a qualified name of the runtime or a stack frame, never a word an error may use.
_LEAK = re.compile(
    r"\bat (?:dev\.patchops|java\.|jdk\.|io\.quarkus|io\.vertx|org\.)"
    r"|\b(?:java|javax|jakarta|jdk|sun)\.[a-z]+\.[A-Za-z]"
    r"|\b(?:dev\.patchops|org\.hibernate|org\.postgresql|org\.jboss|io\.quarkus|io\.vertx"
    r"|io\.smallrye|com\.fasterxml|org\.apache|org\.eclipse)\.[A-Za-z]"
    r"|\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\b"
    r"|Caused by:"
)


def _leak(text):
    match = _LEAK.search(text)
    return None if match is None else text[max(0, match.start() - 60) : match.end() + 60]


@schemathesis.hook
def after_call(context, case, response):
    line = "%s %s %d %.3f\n" % (
        case.method.upper(),
        case.operation.path,
        response.status_code,
        response.elapsed,
    )
    with _LOCK:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(line)


@schemathesis.check
def leaks_no_internals(ctx, response, case):
    """Fail a response whose body or headers name a Java class or show a stack frame."""
    text = response.text if response.content is not None else ""
    headers = "\n".join("%s: %s" % (k, ", ".join(v)) for k, v in response.headers.items())
    for where, content in (("body", text), ("headers", headers)):
        found = _leak(content)
        if found is not None:
            raise AssertionError("response %s leaks internals: %r" % (where, found))
