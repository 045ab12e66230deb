"""A thin Arrow Flight client for the mlobj trainer feed."""

import json
import os
import re
import struct
import weakref

import pyarrow as pa
import pyarrow.flight as flight

# A process that forks while it holds an open gRPC channel gives children that hang on their first
# call; one whose clients are all closed forks safely (checked on Linux with pyarrow 25). So each
# process counts its open clients, and loaders fork their workers only when none is open.
_open = weakref.WeakSet()
_open_pid = os.getpid()


def open_clients():
    """How many Flight clients this process has open (0: forking DataLoader workers is safe)."""
    global _open, _open_pid
    if _open_pid != os.getpid():  # a forked child: its parent's clients are not its own
        _open, _open_pid = weakref.WeakSet(), os.getpid()
    return len(_open)


def grpc_started():
    """Whether this process has a Flight client open (kept for older callers)."""
    return open_clients() > 0


class FeedError(RuntimeError):
    """A request the feed server refused, or a feed call that failed.

    ``str(error)`` is the server's message (``Cannot <verb> <object>: <reason>. <how to fix>``),
    without gRPC's debug context; ``code`` is the Flight status name, such as
    ``INVALID_ARGUMENT``, ``NOT_FOUND``, ``UNAUTHENTICATED``, ``UNAVAILABLE`` or ``INTERNAL``.
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


_FLIGHT_MESSAGE = re.compile(r"^Flight returned (?P<status>[a-z ]+?) error, with message: (?P<msg>.*)$", re.S)
# What pyarrow appends to a server's message: gRPC's debug context, then the client's context.
_DEBUG_CONTEXT = re.compile(r"\.?\s*(gRPC client debug context:|Client context:|Detail:).*$", re.S)
_CLASS_CODES = {
    "ArrowInvalid": "INVALID_ARGUMENT",
    "ArrowKeyError": "NOT_FOUND",
    "ArrowNotImplementedError": "UNIMPLEMENTED",
    "FlightUnauthenticatedError": "UNAUTHENTICATED",
    "FlightUnauthorizedError": "UNAUTHORIZED",
    "FlightUnavailableError": "UNAVAILABLE",
    "FlightTimedOutError": "TIMED_OUT",
    "FlightCancelledError": "CANCELLED",
    "FlightInternalError": "INTERNAL",
    "FlightServerError": "INTERNAL",
}


def _wrap(error):
    """A pyarrow/Flight exception as a :class:`FeedError` with the server's message alone."""
    text = str(error)
    match = _FLIGHT_MESSAGE.match(text)
    if match:
        code = match.group("status").strip().upper().replace(" ", "_")
        text = match.group("msg")
    else:
        code = _CLASS_CODES.get(type(error).__name__, "UNKNOWN")
    message = _DEBUG_CONTEXT.sub("", text).strip()
    if message and not message.endswith("."):
        message += "."
    return FeedError(message or type(error).__name__, code)


class FeedClient:
    """A connection to one feed server.

    ``endpoint`` is ``grpc+tcp://host:port`` (or ``grpc+tls://`` with ``tls_root_certs``);
    ``token`` is the server's bearer token, if it has one. Close it when done (or use ``with``):
    DataLoader workers can only be forked while no client is open in the process.
    """

    def __init__(self, endpoint, token=None, tls_root_certs=None):
        kwargs = {}
        if tls_root_certs is not None:
            kwargs["tls_root_certs"] = tls_root_certs
        open_clients()  # resets the count in a freshly forked child
        self._client = flight.FlightClient(endpoint, **kwargs)
        _open.add(self)
        headers = []
        if token:
            headers.append((b"authorization", b"Bearer " + token.encode()))
        self._options = flight.FlightCallOptions(headers=headers)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stream(self, request):
        """Yields the record batches of a feed request (a dict, see docs/trainer-feed.md)."""
        ticket = flight.Ticket(json.dumps(request).encode())
        try:
            reader = self._client.do_get(ticket, options=self._options)
            for chunk in reader:
                yield chunk.data
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None

    def action(self, name, body=b""):
        """Runs a server action and returns its JSON answer."""
        try:
            results = list(self._client.do_action(flight.Action(name, body), options=self._options))
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None
        return json.loads(results[0].body.to_pybytes())

    def plan(self, request):
        """The resolved version, epoch size, this consumer's and its rank's batch counts.

        The server compiles the request's whole pipeline, steps marked ``"on": "client"``
        included, so a bad step fails here with the same message as on the server.
        """
        return self.action("plan", json.dumps(request).encode())

    def metrics(self):
        """Server counters: samples/s, bytes/s, time waiting on storage vs on clients."""
        return self.action("metrics")

    def take(self, dataset, indexes, **request):
        """The samples at these global indexes, as one pyarrow Table."""
        request = dict(request, dataset=dataset, take=[int(i) for i in indexes])
        request.setdefault("batch_size", max(1, len(indexes)))
        return pa.Table.from_batches(list(self.stream(request)))

    def put_checkpoint(self, model, content, metadata=None, lineage=None):
        """Stores a model checkpoint with its metadata and lineage (``uri@vN``) through mlobj."""
        header = json.dumps(
            {
                "model": model,
                "metadata": {k: str(v) for k, v in (metadata or {}).items()},
                "lineage": list(lineage or []),
            }
        ).encode()
        return self.action("checkpoint.put", struct.pack(">i", len(header)) + header + bytes(content))

    def close(self):
        """Closes the connection (idempotent)."""
        _open.discard(self)
        if self._client is not None:
            self._client.close()
            self._client = None
