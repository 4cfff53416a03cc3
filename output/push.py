"""A client of the SPARQL 1.1 Graph Store Protocol: replace named graphs on a server.

``PUT ENDPOINT?graph=IRI`` with an N-Triples body replaces the graph ``IRI`` with the
triples sent (https://www.w3.org/TR/sparql11-http-rdf-update/#http-put); Oxigraph
(``/store``), Virtuoso (``/sparql-graph-crud``, ``/sparql-graph-crud-auth``), GraphDB
(``/repositories/NAME/rdf-graphs/service``), Jena Fuseki (``/DATASET/data``) and Amazon
Neptune (``/sparql/gsp/``) all answer it. Only the standard library is used (urllib).

Authentication: ``auth="basic"`` sends the user and password with every request;
``"digest"`` answers a Digest challenge (Virtuoso's ``/sparql-graph-crud-auth``);
``"auto"`` answers whichever the server asks for in its 401 reply. The challenge is asked
for once, by an empty POST (which adds nothing to a graph), and then answered with every
PUT: a server that refuses a request before reading its body (Virtuoso closes the
connection after its 401) would otherwise break the upload of each graph. Every failure is an
:class:`~policykg.output.errors.OutputError` with one line: E130 (cannot connect), E131
(401/403: credentials or rights), E132 (another HTTP error, with the server's own words),
E133 (timeout), E134 (not an HTTP URL), E135 (inconsistent options).
"""

from __future__ import annotations

import base64
import html
import re
import socket
import urllib.error
import urllib.request
from email.message import Message
from http.client import HTTPException
from typing import Final, Literal
from urllib.parse import urlencode, urlsplit

from .errors import Errors, OutputError

__all__ = ["AUTH_SCHEMES", "NTRIPLES", "Auth", "GraphStore", "server_message"]

#: The media type of the bodies sent: N-Triples, UTF-8 by definition.
NTRIPLES: Final = "application/n-triples"

Auth = Literal["auto", "basic", "digest"]
#: The values of ``auth`` (``policykg push --auth``).
AUTH_SCHEMES: Final[tuple[Auth, ...]] = ("auto", "basic", "digest")

#: The longest server message quoted in an error.
MESSAGE_MAX: Final = 300

_HEAD = re.compile(r"<head\b.*?</head\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


class GraphStore:
    """One Graph Store Protocol endpoint, with its credentials and time limit.

    ``endpoint`` is the URL graphs are addressed under (``?graph=`` is appended, after
    ``&`` when the URL has a query already). ``user`` and ``password`` go together;
    ``timeout`` (seconds) bounds connecting and each wait for the server.
    """

    def __init__(
        self,
        endpoint: str,
        user: str | None = None,
        password: str | None = None,
        auth: Auth = "auto",
        timeout: float = 60.0,
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutputError(Errors.E134.format(url=endpoint))
        if auth not in AUTH_SCHEMES or timeout <= 0 or (user is None) != (password is None):
            raise OutputError(
                Errors.E135.format(
                    user="given" if user is not None else "not given",
                    password="given" if password is not None else "not given",
                    auth=auth,
                    timeout=timeout,
                )
            )
        self.endpoint = endpoint
        self.timeout = timeout
        self.auth = auth
        self._user = user
        self._password = password or ""
        self._opener = urllib.request.build_opener()
        #: The scheme the requests answer with: "basic", "digest", "none" (no credentials,
        #: or the server asked for none), or None until the server has been asked.
        self._scheme: str | None = None
        if user is None:
            self._scheme = "none"
        elif auth == "basic":
            self._scheme = "basic"
        self._challenge: dict[str, str] = {}
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, endpoint, user or "", self._password)
        self._digest = urllib.request.HTTPDigestAuthHandler(manager)

    def graph_url(self, graph: str) -> str:
        """The URL of the named graph ``graph`` (an IRI) on this endpoint."""
        separator = "&" if urlsplit(self.endpoint).query else "?"
        return f"{self.endpoint}{separator}{urlencode({'graph': graph})}"

    def put(self, graph: str, body: bytes, content_type: str = NTRIPLES) -> int:
        """Replace the named graph ``graph`` with the triples of ``body``; the HTTP status.

        :class:`OutputError` E130–E133 when the server cannot be reached, refuses or fails.
        """
        for attempt in (1, 2):
            if self._scheme is None:
                self._ask_scheme(graph, content_type)
            try:
                return self._send("PUT", graph, body, content_type)
            except _Unauthorized as exc:
                # a stale Digest nonce, or a challenge the empty POST did not draw: the 401
                # carries a challenge, answered once
                if attempt == 1 and self._user is not None and self._learn(exc.headers):
                    continue
                raise self._refused(401, exc.message) from None
            except (BrokenPipeError, ConnectionResetError):
                # refused before the body was read (a 401 on a connection the server closed)
                if attempt == 1 and self._user is not None:
                    self._scheme = None
                    continue
                raise self._unreachable("the server closed the connection") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _ask_scheme(self, graph: str, content_type: str) -> None:
        """Find out how the server wants the user authenticated: an empty POST (it adds no
        triple) draws its 401 challenge, or succeeds where writes need no authentication.
        Another refusal of it leaves the question to the PUT's own answer."""
        self._scheme = "none"
        try:
            self._send("POST", graph, b"", content_type, probe=True)
        except _Unauthorized as exc:
            if not self._learn(exc.headers):
                offered = sorted(_schemes(exc.headers))
                if offered:
                    asked = " or ".join(offered)
                    message = f"the server asks for {asked} authentication, not --auth {self.auth}"
                    raise self._refused(401, message) from None
                raise self._refused(401, exc.message) from None

    def _learn(self, headers: Message | None) -> bool:
        """Take the scheme (and Digest challenge) of a 401's ``WWW-Authenticate`` headers;
        False when none of them is one ``auth`` allows."""
        offered: dict[str, dict[str, str]] = {}
        for value in headers.get_all("WWW-Authenticate", []) if headers else []:
            scheme, _, rest = value.strip().partition(" ")
            items = urllib.request.parse_http_list(rest)
            offered.setdefault(scheme.lower(), urllib.request.parse_keqv_list(items))
        if "digest" in offered and self.auth in ("auto", "digest"):
            self._scheme, self._challenge = "digest", offered["digest"]
            return True
        if "basic" in offered and self.auth in ("auto", "basic"):
            self._scheme = "basic"
            return True
        return False

    def _authorization(self, request: urllib.request.Request) -> str | None:
        """The ``Authorization`` header of ``request``, if the server wants one."""
        if self._scheme == "basic":
            token = f"{self._user}:{self._password}".encode()
            return "Basic " + base64.b64encode(token).decode("ascii")
        if self._scheme == "digest":
            answer = self._digest.get_authorization(request, self._challenge)
            return None if answer is None else f"Digest {answer}"
        return None

    def _send(
        self, method: str, graph: str, body: bytes, content_type: str, probe: bool = False
    ) -> int:
        """One request; its status when 2xx, :class:`_Unauthorized` on 401, else E130–E133
        (a ``probe`` returns any other HTTP error's status instead)."""
        request = urllib.request.Request(
            self.graph_url(graph),
            data=body,
            method=method,
            headers={"Content-Type": content_type, "Accept": "*/*"},
        )
        authorization = self._authorization(request)
        if authorization is not None:
            request.add_unredirected_header("Authorization", authorization)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            message = _error_message(exc)
            if exc.code == 401:
                raise _Unauthorized(exc.headers, message) from None
            if probe:
                return int(exc.code)
            if exc.code == 403:
                raise self._refused(403, message) from None
            raise OutputError(
                Errors.E132.format(url=self.endpoint, status=exc.code, graph=graph, message=message)
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise self._timed_out() from None
            if isinstance(exc.reason, BrokenPipeError | ConnectionResetError):
                raise exc.reason from None
            raise self._unreachable(exc.reason) from None
        except TimeoutError:
            raise self._timed_out() from None
        except (BrokenPipeError, ConnectionResetError):
            raise
        except (OSError, HTTPException) as exc:
            raise self._unreachable(exc) from None

    def _refused(self, status: int, message: str) -> OutputError:
        if self._user is not None:
            fix = "check --user and --password, or grant that user the right to write graphs"
        else:
            fix = (
                "give --user and --password (or POLICYKG_PUSH_PASSWORD), or grant anonymous "
                "writes on the server"
            )
        return OutputError(
            Errors.E131.format(url=self.endpoint, status=status, message=message, fix=fix)
        )

    def _unreachable(self, reason: object) -> OutputError:
        if isinstance(reason, OSError) and reason.strerror:
            text = reason.strerror
        else:
            text = " ".join(str(reason).split()) or type(reason).__name__
        return OutputError(Errors.E130.format(url=self.endpoint, reason=text))

    def _timed_out(self) -> OutputError:
        return OutputError(Errors.E133.format(url=self.endpoint, timeout=f"{self.timeout:g}"))


class _Unauthorized(Exception):
    """A 401 reply: its headers (the challenge) and what it says."""

    def __init__(self, headers: Message | None, message: str) -> None:
        super().__init__(message)
        self.headers = headers
        self.message = message


def _schemes(headers: Message | None) -> set[str]:
    """The authentication schemes a 401's ``WWW-Authenticate`` headers offer, as named."""
    values = headers.get_all("WWW-Authenticate", []) if headers else []
    return {value.strip().partition(" ")[0] for value in values if value.strip()}


def _error_message(exc: urllib.error.HTTPError) -> str:
    """The server's words in an error reply, or the status's reason phrase."""
    try:
        data = exc.read()
    except (OSError, HTTPException):
        data = b""
    content_type = exc.headers.get("Content-Type", "") if exc.headers else ""
    return server_message(data, content_type) or str(exc.reason)


def server_message(data: bytes, content_type: str = "") -> str:
    """What an error response says, on one line: the first line of a text body, or the
    last line of an HTML page's text (Virtuoso puts its error code and message there)."""
    text = data.decode("utf-8", "replace")
    if "html" in content_type.lower() or text.lstrip().lower().startswith(("<!doctype", "<html")):
        body = html.unescape(_TAG.sub("\n", _HEAD.sub("", text)))
        lines = [" ".join(line.split()) for line in body.splitlines()]
        lines = [line for line in lines if line]
        found = lines[-1] if lines else ""
    else:
        found = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if len(found) > MESSAGE_MAX:
        found = found[: MESSAGE_MAX - 1] + "…"
    return found
